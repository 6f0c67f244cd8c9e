import type { Authorization } from './authorization/types';
import type { Input } from './wire/input';
import type { ServiceName } from './wire/protocols';

/** The services calls are recorded for: the endpoint's, and Lambda, whose function URLs have ports of their own. */
export type CalledService = ServiceName | 'lambda';

export type CallParams = Readonly<Record<string, string | readonly string[]>>;

export interface Call {
  readonly service: CalledService;
  readonly operation: string;
  /** Epoch milliseconds when the request arrived. */
  readonly at: number;
  /** Only parameters listed as safe by the service module: ids, tokens, stages; never a secret. */
  readonly params: CallParams;
  /** The error code the call failed with, injected or modelled. */
  readonly error?: string;
  /** The access key id the request was signed with: who called, as IAM would know it. */
  readonly caller?: string;
  /** What IAM authorizes for the call: each action on each resource, with the request's condition keys. */
  readonly authorizations: readonly Authorization[];
}

/** The log's own entry: the outcome is filled in once the call has been handled. */
export interface RecordedCall extends Call {
  error?: string;
}

export class CallLog {
  private readonly entries: RecordedCall[] = [];

  get calls(): readonly Call[] {
    return this.entries;
  }

  record(
    service: CalledService,
    operation: string,
    input: Input,
    safeParams: readonly string[],
    identity: Pick<Call, 'caller' | 'authorizations'>,
  ): RecordedCall {
    const params: Record<string, string | readonly string[]> = {};
    for (const name of safeParams) {
      const value = input.peek(name);
      if (value !== undefined) {
        params[name] = value;
      }
    }
    const call: RecordedCall = { service, operation, at: Date.now(), params, ...identity };
    this.entries.push(call);
    return call;
  }

  of(operation: string, service?: CalledService): Call[] {
    return this.entries.filter(
      (call) => call.operation === operation && (service ?? call.service) === call.service,
    );
  }
}

interface PlannedFault {
  readonly service: ServiceName | undefined;
  readonly code: string;
  remaining: number;
}

export class FaultPlan {
  private readonly planned = new Map<string, PlannedFault[]>();

  add(operation: string, code: string, times: number, service: ServiceName | undefined): void {
    const queue = this.planned.get(operation) ?? [];
    queue.push({ service, code, remaining: times });
    this.planned.set(operation, queue);
  }

  /** The code the call must fail with, if a fault is planned for it; consumes one occurrence. */
  take(service: ServiceName, operation: string): string | undefined {
    const queue = this.planned.get(operation) ?? [];
    const fault = queue.find((candidate) => (candidate.service ?? service) === service);
    if (fault === undefined) {
      return undefined;
    }
    fault.remaining -= 1;
    if (fault.remaining <= 0) {
      queue.splice(queue.indexOf(fault), 1);
    }
    return fault.code;
  }
}

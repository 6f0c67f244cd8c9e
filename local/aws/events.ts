import { randomUUID } from 'node:crypto';
import type { ServiceModule } from './dispatch';
import { ServiceError } from './wire/errors';
import type { Input } from './wire/input';

const MAX_ENTRIES = 10;
const REQUIRED = ['Source', 'DetailType', 'Detail'] as const;

/** One entry PutEvents accepted. */
export interface PutEvent {
  readonly eventId: string;
  readonly source: string;
  readonly detailType: string;
  /** `Detail`, parsed. */
  readonly detail: unknown;
  /** @default 'default' */
  readonly eventBusName: string;
  /** The entry's `Time`, or when it arrived. */
  readonly time: Date;
  readonly resources: readonly string[];
}

/** The controls tests get for EventBridge. */
export interface EventsHarness {
  /** Every accepted entry, oldest first. */
  readonly entries: readonly PutEvent[];
  /**
   * Refuses the next `count` entries one by one with `errorCode` inside a successful response, as EventBridge
   * reports partial failures (`FailedEntryCount`).
   */
  failNextEntries(count: number, errorCode?: string): void;
}

type EntryResult =
  | { readonly EventId: string }
  | { readonly ErrorCode: string; readonly ErrorMessage: string };

/** EventBridge PutEvents over awsJson1_1: records what the functions publish. */
export class EventStore implements EventsHarness {
  private readonly accepted: PutEvent[] = [];
  private failing: { remaining: number; errorCode: string } = { remaining: 0, errorCode: '' };

  readonly module: ServiceModule = {
    service: 'eventbridge',
    faults: [],
    safeParams: ['EndpointId'],
    operations: {
      PutEvents: (input) => this.putEvents(input),
    },
  };

  get entries(): readonly PutEvent[] {
    return this.accepted;
  }

  failNextEntries(count: number, errorCode = 'InternalFailure'): void {
    this.failing = { remaining: count, errorCode };
  }

  private putEvents(input: Input) {
    const entries = input.structs('Entries') ?? [];
    if (entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new ServiceError(
        'ValidationException',
        `Entries must hold 1 to ${MAX_ENTRIES} entries; the request has ${entries.length}.`,
      );
    }
    const results = entries.map((entry) => this.putEntry(entry));
    return {
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
      Entries: results,
    };
  }

  private putEntry(entry: Input): EntryResult {
    if (this.failing.remaining > 0) {
      this.failing.remaining -= 1;
      return { ErrorCode: this.failing.errorCode, ErrorMessage: 'Injected entry failure.' };
    }
    const missing = REQUIRED.find((name) => !entry.string(name));
    if (missing !== undefined) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${missing} is not valid.` };
    }
    const detail = parseObject(entry.string('Detail') ?? '');
    if (detail === undefined) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const event: PutEvent = {
      eventId: randomUUID(),
      source: entry.string('Source') ?? '',
      detailType: entry.string('DetailType') ?? '',
      detail,
      eventBusName: entry.string('EventBusName') ?? 'default',
      time: entry.timestamp('Time') ?? new Date(),
      resources: entry.strings('Resources') ?? [],
    };
    this.accepted.push(event);
    return { EventId: event.eventId };
  }
}

// EventBridge takes only a JSON object as Detail.
function parseObject(text: string): object | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

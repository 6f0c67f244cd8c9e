import type { Input } from '../wire/input';
import type { ServiceName } from '../wire/protocols';

/** Condition keys of one request as IAM sees them, with their values. */
export type ConditionValues = Readonly<Record<string, string | readonly string[]>>;

/** One action IAM authorizes for a request, on one resource. */
export interface Authorization {
  /** `service:Action`, as policies spell it. */
  readonly action: string;
  /** The resource's ARN in AWS's form, or `*` for an action that takes no resource. */
  readonly resource: string;
  readonly context: ConditionValues;
  /** The resource's own policy when the request arrived (a secret's), as the document JSON. */
  readonly resourcePolicy?: string;
}

/** Where a request was signed for. */
export interface RequestScope {
  readonly region: string;
}

/** What IAM authorizes for each operation of one service, by API name. */
export type ServiceAuthorizations = Readonly<
  Record<string, (input: Input, scope: RequestScope) => readonly Authorization[]>
>;

/** The tags a request puts on the resource it creates, as the condition keys IAM checks them with. */
export function requestTagContext(tags: Readonly<Record<string, string>>): ConditionValues {
  const keys = Object.keys(tags);
  if (keys.length === 0) return {};
  return {
    'aws:TagKeys': keys,
    ...Object.fromEntries(keys.map((key) => [`aws:RequestTag/${key}`, tags[key] ?? ''])),
  };
}

/** An existing resource's tags, as `aws:ResourceTag/<key>`. */
export function resourceTagContext(tags: Readonly<Record<string, string>> | undefined): ConditionValues {
  return Object.fromEntries(
    Object.entries(tags ?? {}).map(([key, value]) => [`aws:ResourceTag/${key}`, value]),
  );
}

/** What IAM authorizes for one request, read from the request and the state it finds. */
export type Authorizer = (
  service: ServiceName,
  operation: string,
  input: Input,
  region: string,
) => readonly Authorization[];

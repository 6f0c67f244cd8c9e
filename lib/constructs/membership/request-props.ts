import type { Duration } from 'aws-cdk-lib';
import type { CacheGroup } from '#core/cache/refs';
import type { Channel } from '#core/requests/approval-rule';
import type { ChatNotifyProps } from './chat-topic';

/** A way requests arrive: `api` (the signed request API) or `bus` (events on the stack's bus). */
export type RequestChannelName = Channel;

/** Users made for one request each, deleted when the grant ends. */
export interface EphemeralAccessProps {
  /** The redis ACL rules the user gets, such as `on ~* &* -@all +@read`. */
  readonly accessString: string;
  /**
   * Whether an access string with `+@all` or `allcommands` is meant.
   * @default false - such an access string is refused
   */
  readonly allowAll?: boolean;
  /**
   * How many of the rule's ephemeral users may be live at once, at most 50.
   * @default 3
   */
  readonly maxActive?: number;
  /** IAM role or user ARNs that may receive the credentials; a trailing `*` matches any name with that start. */
  readonly readers: readonly string[];
}

/** One group that may be requested: by existing users, by ephemeral users made per request, or both. */
export interface AccessRuleProps {
  /** Unique among the rules; audit records and events name it. */
  readonly name: string;
  /** The user group or ACL a request under this rule is granted. */
  readonly group: CacheGroup;
  /**
   * ElastiCache user ids or MemoryDB user names that may be granted the group on request.
   * @default - none: only ephemeral users (then `ephemeral` is required)
   */
  readonly users?: readonly string[];
  /**
   * A user made for each request, with its credentials in a secret only the request's reader may read.
   * @default - no ephemeral users
   */
  readonly ephemeral?: EphemeralAccessProps;
  /**
   * The longest access one request may give.
   * @default - the requests' maxDuration
   */
  readonly maxDuration?: Duration;
  /**
   * IAM principal patterns that may ask through the request API: a role ARN (any session of the role;
   * its path does not matter), an assumed-role session ARN, or an IAM user ARN; a `*` may end a name.
   * @default - any caller IAM lets invoke the request API (`lambda:InvokeFunctionUrl`), as any sender
   * allowed `events:PutEvents` on the bus may ask
   */
  readonly requesters?: readonly string[];
  /**
   * Principal patterns, as for `requesters`, whose approval a request needs.
   * @default - no approvers: a request is granted when made
   */
  readonly approvers?: readonly string[];
  /**
   * How many different approvers must approve, at most 5; 0 grants on request.
   * @default - 1 when `approvers` are given, 0 otherwise
   */
  readonly approvals?: number;
  /**
   * Whether a requester's own approval counts, when it is also an approver.
   * @default false
   */
  readonly selfApproval?: boolean;
  /**
   * How long a request waits for its approvals before it expires, at most 7 days.
   * @default Duration.hours(1)
   */
  readonly pendingFor?: Duration;
  /**
   * Where requests may come from: the signed request API, the bus (trusted automation, whose
   * `requestedBy` is recorded as `unverified:<text>`), or both.
   * @default - ['api'] for a rule that needs approvals, ['api', 'bus'] otherwise
   */
  readonly via?: readonly RequestChannelName[];
}

/** Access on request, through events on a bus of the stack's own. */
export interface AccessRequestsProps {
  /**
   * The custom bus the stack creates; `events:PutEvents` on it decides who may ask.
   * @default 'cache-access'
   */
  readonly eventBusName?: string;
  /**
   * The longest access any request may give, at most 30 days.
   * @default Duration.hours(8)
   */
  readonly maxDuration?: Duration;
  /** Which groups may be requested, and for whom; at least one, names unique. */
  readonly rules: readonly AccessRuleProps[];
  /**
   * Principal patterns, as for a rule's `requesters`, that may revoke anyone's grant and suspend and
   * reinstate users through the request API.
   * @default - none: through the API a requester may revoke only its own grants
   */
  readonly operators?: readonly string[];
  /**
   * Chat notifications of pending, approved, denied, expired, granted and ended requests, on an SNS
   * topic given or created.
   * @default - none
   */
  readonly notify?: ChatNotifyProps;
}

/** The requests as the config spells them: durations in ISO 8601, groups by ARN. */
export function requestsSpecOf(requests: AccessRequestsProps) {
  return {
    ...(requests.operators && { operators: [...requests.operators] }),
    ...(requests.eventBusName !== undefined && { eventBusName: requests.eventBusName }),
    ...(requests.maxDuration && { maxDuration: requests.maxDuration.toIsoString() }),
    rules: requests.rules.map(({ group, maxDuration, users, ephemeral, pendingFor, ...rule }) => ({
      ...rule,
      ...(pendingFor && { pendingFor: pendingFor.toIsoString() }),
      groupArn: group.arn,
      ...(users && { users: [...users] }),
      ...(maxDuration && { maxDuration: maxDuration.toIsoString() }),
      ...(ephemeral && { ephemeral: { ...ephemeral, readers: [...ephemeral.readers] } }),
    })),
  };
}

import type { GroupDirectories, UserDirectories } from '#core/cache/ports';
import type { CacheGroupRef } from '#core/cache/refs';
import type { BusEvent } from '#core/membership/bus-event';
import type { Grant } from '#core/membership/grant';
import type { MembershipReconciler } from '#core/membership/reconciler';
import type { DecisionLog } from '#core/runtime/decision-log';
import type { EphemeralUsers } from './ephemeral-users';
import type { ExpirySchedules } from './expiry';
import type { Requests } from './rules';
import type { AccessStore } from './store';

/** What requested access is built from; each part of the service takes the few it uses. */
export interface AccessServiceDeps {
  readonly store: AccessStore;
  /** Present whenever `requests` is: the stack creates both or neither. */
  readonly expiries?: ExpirySchedules;
  readonly reconciler: MembershipReconciler;
  readonly publish: (events: readonly BusEvent[]) => Promise<void>;
  readonly groups: GroupDirectories;
  readonly users: UserDirectories;
  /**
   * The rules requests are judged by.
   * @default - no rules: the stack takes no requests, and the service only keeps groups right
   */
  readonly requests?: Requests;
  /** The config's scheduled grants. */
  readonly grants: readonly Grant[];
  /** Every group the stack configures, by grants or by rules. */
  readonly configuredGroups: readonly CacheGroupRef[];
  /**
   * Makes and deletes the users of requests under rules with `ephemeral`.
   * @default - no ephemeral users: such requests are refused
   */
  readonly ephemeral?: EphemeralUsers;
  readonly now: () => number;
  readonly logDecision?: DecisionLog;
  /**
   * Told after each sweep how many ephemeral users of open requests exist, for the function's metrics.
   * @default - not told
   */
  readonly onEphemeralUsersCounted?: (alive: number) => void;
}

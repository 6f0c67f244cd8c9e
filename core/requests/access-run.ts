import type { CacheGroupRef } from '#core/cache/refs';
import type { Deadline } from '#core/runtime/deadline';
import type { ExpiryTarget } from './expiry';
import type { KnownUsers } from './known-users';

/** One invocation's budget and address, as every step of an access run needs them. */
export interface AccessRun {
  readonly deadline: Deadline;
  /** Where expiry schedules send their event: this function. */
  readonly target: ExpiryTarget;
  /**
   * In a batch: where an event leaves the groups it touches, for the batch to settle each once after
   * every event is recorded, instead of settling them itself.
   * @default - each event settles its own groups at once
   */
  readonly settleLater?: (groups: readonly CacheGroupRef[]) => void;
  /**
   * In a batch: users read to exist in one listing, so each request need not describe its own.
   * @default - each request describes its user
   */
  readonly knownUsers?: KnownUsers;
}

/**
 * What deleting and finishing ephemeral users may take of a run's time: a user stuck in a
 * state still leaves the reconcile, which revokes, the rest.
 */
const CLEANUP_SHARE = 0.5;

/** The run as the ephemeral cleanup sees it: its share of the time left, taken once, when it starts. */
export function cleanupRun(run: AccessRun): AccessRun {
  return { ...run, deadline: run.deadline.share(CLEANUP_SHARE) };
}

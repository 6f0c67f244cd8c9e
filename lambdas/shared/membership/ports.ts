import type { CacheGroupRef, Engine } from '../arn';
import type { MembershipDiff } from './desired';

export interface GroupState {
  /** `active`, `modifying`, `creating` or `deleting`, as the engine reports it. */
  readonly status: string;
  readonly members: readonly string[];
}

/**
 * One engine's group API. Adapters translate the engine's faults: state → GroupBusyError,
 * throttling → ApiThrottledError, unknown user → UserNotFoundError, other refusals → MembershipRefusedError.
 */
export interface GroupDirectory {
  describe(group: CacheGroupRef): Promise<GroupState | undefined>;
  /** One call with every addition and removal. */
  modify(group: CacheGroupRef, diff: MembershipDiff): Promise<void>;
}

export type GroupDirectories = Readonly<Record<Engine, GroupDirectory>>;

/** An applied change, as audited and published. */
export interface MembershipChange {
  readonly groupArn: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** The grants whose open windows put each added user in; the grants that named each removed user. */
  readonly grants: readonly string[];
  readonly evaluatedAt: string;
  readonly trigger: string;
}

export interface ChangePublisher {
  publish(change: MembershipChange): Promise<void>;
}

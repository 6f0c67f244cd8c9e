import type { Engine } from './engine';
import type { CacheGroupRef, CacheUserRef } from './refs';

export type UserStatus = 'active' | 'modifying' | 'deleting' | (string & {});

export interface CacheUserState {
  /** The name the user logs in with: ElastiCache lets it differ from the user id, MemoryDB does not. */
  readonly userName: string;
  readonly status: UserStatus;
  /** `password`, `no-password`/`no-password-required` or `iam`, as the engine reports it. */
  readonly authenticationType: string;
}

export interface GroupState {
  /** `active`, `modifying`, `creating` or `deleting`, as the engine reports it. */
  readonly status: string;
  readonly members: readonly string[];
}

/** One membership change: every user to add and every user to remove, sent as one call. */
export interface MembershipDiff {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/**
 * One engine's user API. Adapters translate the engine's faults: user state → UserBusyError,
 * unknown user → UserNotFoundError.
 */
export interface UserDirectory {
  /** The user, or `undefined` when it does not exist. */
  describeUser(user: CacheUserRef): Promise<CacheUserState | undefined>;
  /** Replaces the user's password set with `passwords` (at most two). */
  setPasswords(user: CacheUserRef, passwords: readonly string[]): Promise<void>;
}

/**
 * One engine's group API (ElastiCache user groups, MemoryDB ACLs). Adapters translate the engine's
 * faults: state → GroupBusyError, throttling → ApiThrottledError, unknown user → UserNotFoundError,
 * other refusals → MembershipRefusedError.
 */
export interface GroupDirectory {
  /**
   * The groups' states by group ARN, read with as few calls as the engine allows (one list call per
   * region for many groups); a group missing from the answer does not exist.
   */
  describeGroups(groups: readonly CacheGroupRef[]): Promise<ReadonlyMap<string, GroupState>>;
  /** One call with every addition and removal. */
  modifyGroup(group: CacheGroupRef, diff: MembershipDiff): Promise<void>;
}

/** Everything the functions do with one engine; each engine has one adapter that does all of it. */
export type CacheDirectory = UserDirectory & GroupDirectory;
export type CacheOperation = keyof CacheDirectory;

export type UserDirectories = Readonly<Record<Engine, UserDirectory>>;
export type GroupDirectories = Readonly<Record<Engine, GroupDirectory>>;

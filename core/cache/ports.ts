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
  /** ElastiCache: the engine the group is for, which decides the users it may hold; MemoryDB ACLs have none. */
  readonly serverEngine?: ServerEngine;
  /** The caches (replication groups, serverless caches, clusters) the group is attached to. */
  readonly attachedTo?: readonly string[];
}

/**
 * ElastiCache's engine of a user or user group. A valkey user may join only a valkey group; a redis
 * group must hold a user named `default`, a valkey group need not.
 */
export type ServerEngine = 'redis' | 'valkey';

/** Tags as the functions read and write them: key → value. */
export type Tags = Readonly<Record<string, string>>;

/** A password user made at run time. */
export interface NewCacheUser {
  /** ElastiCache's login name; MemoryDB users log in with their id. */
  readonly userName: string;
  readonly accessString: string;
  readonly password: string;
  /** ElastiCache: the engine of the group the user is made for. MemoryDB takes none. */
  readonly serverEngine?: ServerEngine;
  readonly tags: Tags;
}

/** A group or ACL made at run time, empty but for what its engine requires. */
export interface NewCacheGroup {
  /** ElastiCache's engine for the group; MemoryDB takes none. */
  readonly serverEngine?: ServerEngine;
  /** Users to hold from the start: ElastiCache redis groups need one named `default`. */
  readonly members: readonly string[];
  readonly tags: Tags;
}

/** One user of a region's list. */
export interface ListedUser {
  readonly id: string;
  readonly status: UserStatus;
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
  /** Creates the user; `exists` when a user with its id is there already (it may be an earlier attempt's). */
  createUser(user: CacheUserRef, spec: NewCacheUser): Promise<'created' | 'exists'>;
  /** Deletes the user, which also takes it out of every group; `absent` when it is gone already. */
  deleteUser(user: CacheUserRef): Promise<'deleting' | 'absent'>;
  /** Every user of the engine in the region whose id starts with `prefix`, every page read. */
  listUsers(region: string, prefix: string): Promise<ListedUser[]>;
  /** The user's or group's tags, or `undefined` when it does not exist. */
  tagsOf(ref: CacheUserRef | CacheGroupRef): Promise<Tags | undefined>;
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
  /** Creates the group; `exists` when one with its id is there already. */
  createGroup(group: CacheGroupRef, spec: NewCacheGroup): Promise<'created' | 'exists'>;
  /** Deletes the group; `absent` when it is gone already. A group still attached to a cache is refused (GroupBusyError). */
  deleteGroup(group: CacheGroupRef): Promise<'deleting' | 'absent'>;
}

/** Everything the functions do with one engine; each engine has one adapter that does all of it. */
export type CacheDirectory = UserDirectory & GroupDirectory;

export type UserDirectories = Readonly<Record<Engine, UserDirectory>>;
export type GroupDirectories = Readonly<Record<Engine, GroupDirectory>>;

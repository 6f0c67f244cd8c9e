import type { Tags } from '../tags/store';
import type { Engine, ServerEngine } from '../users/types';
import type { Fault } from '../wire/errors';

export type GroupStatus = 'active' | 'modifying' | 'creating' | 'deleting';

/** The MemoryDB ACL that holds the built-in `default` user and cannot be changed. */
export const OPEN_ACCESS_ACL = 'open-access';

/** Error shapes of both services' group operations, with ElastiCache's awsQuery codes. */
export const GROUP_FAULTS: readonly Fault[] = [
  { shape: 'UserGroupNotFoundFault', queryCode: 'UserGroupNotFound', status: 404 },
  { shape: 'InvalidUserGroupStateFault', queryCode: 'InvalidUserGroupState', status: 400 },
  { shape: 'ACLNotFoundFault', queryCode: 'ACLNotFound', status: 404 },
  { shape: 'InvalidACLStateFault', queryCode: 'InvalidACLState', status: 400 },
  // Both SDKs name this one without the usual `Fault` suffix.
  { shape: 'DefaultUserRequired', queryCode: 'DefaultUserRequired', status: 400 },
  { shape: 'DuplicateUserNameFault', queryCode: 'DuplicateUserName', status: 400 },
  { shape: 'UserGroupAlreadyExistsFault', queryCode: 'UserGroupAlreadyExists', status: 400 },
  { shape: 'ACLAlreadyExistsFault', queryCode: 'ACLAlreadyExists', status: 400 },
];

export interface NewGroup {
  readonly engine: Engine;
  /** The ElastiCache UserGroupId or the MemoryDB ACL name. */
  readonly id: string;
  /**
   * User ids (MemoryDB: names) of existing users. An ElastiCache REDIS group without a member named `default`
   * also gets the user `default` (UserName `default`, no password, model only), created if need be.
   * @default - no members
   */
  readonly members?: readonly string[];
  /** ElastiCache only. @default 'redis' */
  readonly serverEngine?: ServerEngine;
  /** @default - no tags */
  readonly tags?: Tags;
}

/** A CreateUserGroup or CreateACL request; the id is already checked and lowercase. */
export interface GroupRequest {
  readonly engine: Engine;
  readonly id: string;
  readonly serverEngine: ServerEngine;
  readonly members: readonly string[];
  readonly tags: Tags;
}

export interface GroupChange {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

export interface GroupState {
  readonly engine: Engine;
  readonly id: string;
  readonly status: GroupStatus;
  /** The members in effect, sorted; a modification changes them when the group returns to `active`. */
  readonly members: readonly string[];
  /** The accepted modification that has not taken effect yet. */
  readonly pendingChanges?: GroupChange;
  /** ElastiCache's engine of the group; `redis` for MemoryDB ACLs, which have none. */
  readonly serverEngine: ServerEngine;
  /** ElastiCache replication groups or MemoryDB clusters the group is attached to, sorted. */
  readonly caches: readonly string[];
  /** ElastiCache Serverless caches the group is attached to, sorted. */
  readonly serverlessCaches: readonly string[];
}

/** The controls tests get for user groups and ACLs; modifications go through the service APIs. */
export interface GroupHarness {
  /**
   * Creates an `active` group. Its members become governed by groups: from now on they may log in to redis
   * only while they are members of at least one group of their engine.
   */
  create(group: NewGroup): Promise<GroupState>;
  get(engine: Engine, id: string): GroupState | undefined;
  /**
   * Pins the status until changed again, cancelling any pending return to `active`; setting `active` lets a
   * pending modification take effect at once.
   */
  setStatus(engine: Engine, id: string, status: GroupStatus): void;
  /** Keeps the group `modifying` for at least `ms`; a pending modification takes effect when it ends. */
  holdModifying(engine: Engine, id: string, ms: number): void;
  /**
   * Attaches the group to a cache, which then has no other group of the engine: an ElastiCache replication
   * group (or, with `serverless`, a Serverless cache) or a MemoryDB cluster. An attached group cannot be deleted.
   */
  attach(engine: Engine, id: string, cacheId: string, opts?: { readonly serverless?: boolean }): void;
  detach(engine: Engine, id: string, cacheId: string): void;
  tagsOf(engine: Engine, id: string): Tags | undefined;
}

/** Which groups of an engine a user belongs to, for DescribeUsers. */
export interface MembershipIndex {
  groupsOf(engine: Engine, userId: string): string[];
}

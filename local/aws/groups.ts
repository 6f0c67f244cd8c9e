import { type TaggedResource, taggable } from './tags';
import { ModifyingPeriod, Timers } from './timers';
import {
  DEFAULT_USER_NAME,
  type Engine,
  type ServerEngine,
  type Tags,
  type UserState,
  type UserStore,
} from './users';
import { type Fault, type Input, ServiceError } from './wire';

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

/** What differs between an ElastiCache user group and a MemoryDB ACL; the rules are the same. */
interface EngineGroups {
  readonly noun: string;
  readonly notFound: string;
  readonly invalidState: string;
  readonly alreadyExists: string;
  /** ElastiCache: every REDIS user group holds a user whose UserName is `default`; a VALKEY one need not. */
  readonly requiresDefaultUser: boolean;
  /** ElastiCache: a valkey user joins only a valkey group. */
  readonly hasServerEngines: boolean;
  readonly immutable: readonly string[];
  /** What DescribeUserGroups or DescribeACLs calls the caches a group is attached to. */
  readonly cacheNoun: string;
}

const ENGINE_GROUPS: Readonly<Record<Engine, EngineGroups>> = {
  elasticache: {
    noun: 'User group',
    notFound: 'UserGroupNotFoundFault',
    invalidState: 'InvalidUserGroupStateFault',
    alreadyExists: 'UserGroupAlreadyExistsFault',
    requiresDefaultUser: true,
    hasServerEngines: true,
    immutable: [],
    cacheNoun: 'replication groups',
  },
  memorydb: {
    noun: 'ACL',
    notFound: 'ACLNotFoundFault',
    invalidState: 'InvalidACLStateFault',
    alreadyExists: 'ACLAlreadyExistsFault',
    requiresDefaultUser: false,
    hasServerEngines: false,
    immutable: [OPEN_ACCESS_ACL],
    cacheNoun: 'clusters',
  },
};

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

interface GroupRecord {
  readonly engine: Engine;
  readonly id: string;
  status: GroupStatus;
  readonly period: ModifyingPeriod;
  members: Set<string>;
  pending: GroupChange | undefined;
  readonly serverEngine: ServerEngine;
  tags: Tags;
  /** Whether its members may log in because of it: not while the group is still `creating`. */
  effective: boolean;
  readonly caches: Set<string>;
  readonly serverlessCaches: Set<string>;
}

/** The group model both ElastiCache (user groups) and MemoryDB (ACLs) serve, over the shared user model. */
export class GroupStore implements GroupHarness, MembershipIndex {
  private readonly groups = new Map<string, GroupRecord>();
  private readonly timers = new Timers();

  constructor(
    private readonly users: UserStore,
    private groupDelayMs: number,
  ) {}

  async create(group: NewGroup): Promise<GroupState> {
    const { engine, id } = group;
    const serverEngine = engine === 'memorydb' ? 'redis' : (group.serverEngine ?? 'redis');
    if (this.groups.has(key(engine, id))) {
      throw new Error(`${engine} group ${id} already exists`);
    }
    const members = new Set(group.members ?? []);
    for (const member of members) {
      if (this.users.get(engine, member) === undefined) {
        throw new Error(`${engine} user ${member} does not exist; create it with users.create first`);
      }
    }
    if (requiresDefaultUser(engine, serverEngine) && !this.hasDefaultUser(engine, members)) {
      members.add(await this.defaultUser(engine));
    }
    const duplicate = this.duplicateUserName(engine, [...members]);
    if (duplicate !== undefined) {
      throw new Error(`${engine} group ${id} cannot hold two users named ${duplicate}`);
    }
    const misfit = this.engineMisfit(engine, id, serverEngine, [...members]);
    if (misfit !== undefined) {
      throw new Error(misfit);
    }
    const record = this.newRecord(engine, id, serverEngine, members, group.tags ?? {}, 'active');
    this.groups.set(key(engine, id), record);
    // Test set-up: redis has followed the membership by the time the group is returned.
    for (const member of members) {
      await this.users.followMembership(engine, member, true, true);
    }
    return view(record);
  }

  get(engine: Engine, id: string): GroupState | undefined {
    const record = this.groups.get(key(engine, id));
    return record === undefined ? undefined : view(record);
  }

  /**
   * CreateUserGroup or CreateACL: the group is `creating` for `groupDelayMs`, showing its members, which are
   * `modifying` as long; once it is `active` its members are governed by groups and may log in through it.
   */
  createByApi(request: GroupRequest): GroupState {
    const { engine, id, serverEngine } = request;
    const rules = ENGINE_GROUPS[engine];
    if (this.groups.has(key(engine, id))) {
      throw new ServiceError(rules.alreadyExists, `${rules.noun} ${id} already exists.`);
    }
    const members = [...new Set(request.members)];
    this.checkJoining(engine, members);
    if (requiresDefaultUser(engine, serverEngine) && !this.hasDefaultUser(engine, members)) {
      throw new ServiceError(
        'DefaultUserRequired',
        `${rules.noun} ${id} has engine redis and must hold a user named default.`,
      );
    }
    const duplicate = this.duplicateUserName(engine, members);
    if (duplicate !== undefined) {
      throw new ServiceError(
        'DuplicateUserNameFault',
        `${rules.noun} ${id} would hold two users named ${this.users.get(engine, duplicate)?.userName ?? duplicate}.`,
      );
    }
    const misfit = this.engineMisfit(engine, id, serverEngine, members);
    if (misfit !== undefined) {
      throw new ServiceError('InvalidParameterCombinationException', misfit);
    }
    const record = this.newRecord(engine, id, serverEngine, new Set(members), request.tags, 'creating');
    this.groups.set(key(engine, id), record);
    for (const user of members) {
      this.users.holdModifying(engine, user, this.groupDelayMs);
    }
    record.period.extend(this.groupDelayMs, () => this.settle(record));
    return view(record);
  }

  /**
   * DeleteUserGroup or DeleteACL: refused unless the group is `active` and attached to no cache; then
   * `deleting` for `groupDelayMs`, and gone. Its members then leave it, and redis follows as for a removal.
   */
  deleteByApi(engine: Engine, id: string): GroupState {
    const rules = ENGINE_GROUPS[engine];
    const record = this.require(engine, id);
    if (rules.immutable.includes(id)) {
      throw new ServiceError('InvalidParameterValueException', `${rules.noun} ${id} cannot be deleted.`);
    }
    if (record.status !== 'active') {
      throw new ServiceError(rules.invalidState, `${rules.noun} ${id} has status ${record.status}.`);
    }
    const attached = [
      ...(record.caches.size > 0 ? [`${rules.cacheNoun} ${[...record.caches].sort().join(', ')}`] : []),
      ...(record.serverlessCaches.size > 0
        ? [`serverless caches ${[...record.serverlessCaches].sort().join(', ')}`]
        : []),
    ];
    if (attached.length > 0) {
      throw new ServiceError(
        rules.invalidState,
        `${rules.noun} ${id} is attached to ${attached.join(' and ')}; detach it before deleting it.`,
      );
    }
    record.status = 'deleting';
    record.period.extend(this.groupDelayMs, () => this.remove(record));
    return view(record);
  }

  /**
   * DeleteUser: the user leaves every group of its engine at once, as on AWS; redis disables its login after
   * the propagation delay and deletes it when the user is gone (see `UserStore.startDelete`).
   */
  deleteUser(engine: Engine, id: string): UserState {
    const state = this.users.startDelete(engine, id, this.groupsOf(engine, id).length > 0);
    for (const record of this.groups.values()) {
      if (record.engine !== engine) {
        continue;
      }
      record.members.delete(id);
      if (record.pending !== undefined) {
        record.pending = {
          add: record.pending.add.filter((user) => user !== id),
          remove: record.pending.remove.filter((user) => user !== id),
        };
      }
    }
    void this.users.followMembership(engine, id, false);
    return this.users.get(engine, id) ?? state;
  }

  tagsOf(engine: Engine, id: string): Tags | undefined {
    return this.groups.get(key(engine, id))?.tags;
  }

  /** The group's tags, for the services' tag operations: the group must exist. */
  tagged(engine: Engine, id: string): TaggedResource {
    return taggable(this.require(engine, id));
  }

  attach(engine: Engine, id: string, cacheId: string, opts: { readonly serverless?: boolean } = {}): void {
    const record = this.requireForHarness(engine, id);
    const other = [...this.groups.values()].find(
      (candidate) =>
        candidate.engine === engine &&
        candidate !== record &&
        (candidate.caches.has(cacheId) || candidate.serverlessCaches.has(cacheId)),
    );
    if (other !== undefined) {
      throw new Error(`${engine} cache ${cacheId} already has group ${other.id}; a cache has at most one`);
    }
    (opts.serverless ? record.serverlessCaches : record.caches).add(cacheId);
  }

  detach(engine: Engine, id: string, cacheId: string): void {
    const record = this.requireForHarness(engine, id);
    if (!record.caches.delete(cacheId) && !record.serverlessCaches.delete(cacheId)) {
      throw new Error(`${engine} group ${id} is not attached to ${cacheId}`);
    }
  }

  /** All groups of the engine, or only `id`, which must exist. */
  describe(engine: Engine, id?: string): GroupState[] {
    if (id !== undefined) {
      return [view(this.require(engine, id))];
    }
    return [...this.groups.values()].filter((record) => record.engine === engine).map(view);
  }

  /**
   * Accepts a membership change the way both services do: the whole request fails or none of it happens;
   * the group is `modifying` until `groupDelayMs` has passed, and only then do the members change.
   */
  modify(engine: Engine, id: string, change: GroupChange): GroupState {
    const rules = ENGINE_GROUPS[engine];
    const record = this.require(engine, id);
    const add = [...new Set(change.add)];
    const remove = [...new Set(change.remove)];
    if (rules.immutable.includes(id)) {
      throw new ServiceError('InvalidParameterValueException', `${rules.noun} ${id} cannot be modified.`);
    }
    if (add.length === 0 && remove.length === 0) {
      throw new ServiceError(
        'InvalidParameterValueException',
        `No users to add or remove were given for ${rules.noun} ${id}.`,
      );
    }
    if (record.status !== 'active') {
      throw new ServiceError(rules.invalidState, `${rules.noun} ${id} has status ${record.status}.`);
    }
    this.check(record, add, remove);
    record.pending = { add, remove };
    for (const user of [...add, ...remove]) {
      this.users.holdModifying(engine, user, this.groupDelayMs);
    }
    this.markModifying(record, this.groupDelayMs);
    return view(record);
  }

  setStatus(engine: Engine, id: string, status: GroupStatus): void {
    const record = this.requireForHarness(engine, id);
    record.period.cancel();
    if (status === 'active') {
      this.settle(record);
    } else {
      record.status = status;
    }
  }

  holdModifying(engine: Engine, id: string, ms: number): void {
    this.markModifying(this.requireForHarness(engine, id), ms);
  }

  groupsOf(engine: Engine, userId: string): string[] {
    return [...this.groups.values()]
      .filter((record) => record.engine === engine && record.members.has(userId))
      .map((record) => record.id)
      .sort();
  }

  setDelay(groupDelayMs: number): void {
    this.groupDelayMs = groupDelayMs;
  }

  /** Cancels pending returns to `active`; membership changes already handed to the users finish there. */
  stop(): void {
    this.timers.clear();
  }

  private check(record: GroupRecord, add: readonly string[], remove: readonly string[]): void {
    const { engine, id } = record;
    const { noun } = ENGINE_GROUPS[engine];
    const unknown = [...add, ...remove].find((user) => this.users.get(engine, user) === undefined);
    if (unknown !== undefined) {
      throw new ServiceError('UserNotFoundFault', `User ${unknown} not found.`);
    }
    const both = add.find((user) => remove.includes(user));
    if (both !== undefined) {
      throw new ServiceError(
        'InvalidParameterValueException',
        `User ${both} cannot be both added to and removed from ${noun} ${id}.`,
      );
    }
    this.checkJoining(engine, add);
    const notMember = remove.find((user) => !record.members.has(user));
    if (notMember !== undefined) {
      throw new ServiceError(
        'InvalidParameterValueException',
        `User ${notMember} is not a member of ${noun} ${id}.`,
      );
    }
    const result = [...record.members].filter((user) => !remove.includes(user));
    const already = add.find((user) => result.includes(user));
    const duplicate = already === undefined ? this.duplicateUserName(engine, [...result, ...add]) : already;
    if (duplicate !== undefined) {
      throw new ServiceError(
        'DuplicateUserNameFault',
        `${noun} ${id} would hold two users named ${this.users.get(engine, duplicate)?.userName ?? duplicate}.`,
      );
    }
    const misfit = this.engineMisfit(engine, id, record.serverEngine, add);
    if (misfit !== undefined) {
      throw new ServiceError('InvalidParameterCombinationException', misfit);
    }
    // Swapping the default user for another user named `default` in one request is how AWS replaces it.
    if (
      requiresDefaultUser(engine, record.serverEngine) &&
      this.hasDefaultUser(engine, remove) &&
      !this.hasDefaultUser(engine, add)
    ) {
      throw new ServiceError('DefaultUserRequired', `${noun} ${id} must keep a user named default.`);
    }
  }

  /** Users about to join a group must exist and be neither `creating` nor `deleting`. */
  private checkJoining(engine: Engine, users: readonly string[]): void {
    for (const user of users) {
      const state = this.users.get(engine, user);
      if (state === undefined) {
        throw new ServiceError('UserNotFoundFault', `User ${user} not found.`);
      }
      if (state.status === 'creating' || state.status === 'deleting') {
        throw new ServiceError('InvalidUserStateFault', `User ${user} has status ${state.status}.`);
      }
    }
  }

  /**
   * Why `users` cannot join an ElastiCache group of `serverEngine`, if they cannot: a valkey user joins only a
   * VALKEY group, and a VALKEY group holds redis users only with a password or IAM authentication.
   */
  private engineMisfit(
    engine: Engine,
    id: string,
    serverEngine: ServerEngine,
    users: readonly string[],
  ): string | undefined {
    if (!ENGINE_GROUPS[engine].hasServerEngines) {
      return undefined;
    }
    for (const user of users) {
      const state = this.users.get(engine, user);
      if (state?.serverEngine === 'valkey' && serverEngine === 'redis') {
        return `User ${user} has engine valkey and cannot join user group ${id}, whose engine is redis; valkey users join only valkey user groups.`;
      }
      if (state?.serverEngine === 'redis' && serverEngine === 'valkey' && state.authType === 'no-password') {
        return `User ${user} has engine redis and no password, so it cannot join valkey user group ${id}; a valkey group holds redis users only with password or IAM authentication.`;
      }
    }
    return undefined;
  }

  private markModifying(record: GroupRecord, ms: number): void {
    record.status = 'modifying';
    record.period.extend(ms, () => this.settle(record));
  }

  // The group is back to `active`: the pending change takes effect, and redis follows the members it touched.
  private settle(record: GroupRecord): void {
    record.status = 'active';
    if (!record.effective) {
      // A new group has become usable: its members may log in through it now.
      record.effective = true;
      for (const user of record.members) {
        void this.users.followMembership(record.engine, user, true);
      }
    }
    const change = record.pending;
    record.pending = undefined;
    if (change === undefined) {
      return;
    }
    record.members = new Set([...record.members].filter((user) => !change.remove.includes(user)));
    for (const user of change.add) {
      record.members.add(user);
    }
    for (const user of [...change.add, ...change.remove]) {
      void this.users.followMembership(record.engine, user, this.isMember(record.engine, user));
    }
  }

  // A deleted group is gone: its members leave it, and redis follows the ones no other group holds.
  private remove(record: GroupRecord): void {
    this.groups.delete(key(record.engine, record.id));
    for (const user of record.members) {
      if (this.users.get(record.engine, user) !== undefined) {
        void this.users.followMembership(record.engine, user, this.isMember(record.engine, user));
      }
    }
  }

  /** Whether a group that lets its members log in holds the user. */
  private isMember(engine: Engine, userId: string): boolean {
    return [...this.groups.values()].some(
      (record) => record.engine === engine && record.effective && record.members.has(userId),
    );
  }

  private newRecord(
    engine: Engine,
    id: string,
    serverEngine: ServerEngine,
    members: Set<string>,
    tags: Tags,
    status: 'active' | 'creating',
  ): GroupRecord {
    return {
      engine,
      id,
      status,
      period: new ModifyingPeriod(this.timers),
      members,
      pending: undefined,
      serverEngine,
      tags: { ...tags },
      effective: status === 'active',
      caches: new Set(),
      serverlessCaches: new Set(),
    };
  }

  private hasDefaultUser(engine: Engine, users: Iterable<string>): boolean {
    return [...users].some((user) => this.users.get(engine, user)?.userName === DEFAULT_USER_NAME);
  }

  /** The id of one user, or of a second one with the same UserName, among `users`. */
  private duplicateUserName(engine: Engine, users: readonly string[]): string | undefined {
    const names = users.map((user) => this.users.get(engine, user)?.userName ?? user);
    return users.find((_user, index) => names.indexOf(names[index] ?? '') !== index);
  }

  // As on AWS: id `default`, UserName `default`, no password. Redis never sees it (see NewUser.userName).
  private async defaultUser(engine: Engine): Promise<string> {
    const existing = this.users.get(engine, DEFAULT_USER_NAME);
    if (existing === undefined) {
      await this.users.create({
        engine,
        id: DEFAULT_USER_NAME,
        authType: 'no-password',
        passwords: [],
        accessString: 'on ~* +@all',
      });
    } else if (existing.userName !== DEFAULT_USER_NAME) {
      throw new Error(
        `${engine} user default has UserName ${existing.userName}; name a default user instead`,
      );
    }
    return DEFAULT_USER_NAME;
  }

  private require(engine: Engine, id: string): GroupRecord {
    const record = this.groups.get(key(engine, id));
    if (record === undefined) {
      const { noun, notFound } = ENGINE_GROUPS[engine];
      throw new ServiceError(notFound, `${noun} ${id} not found.`);
    }
    return record;
  }

  private requireForHarness(engine: Engine, id: string): GroupRecord {
    const record = this.groups.get(key(engine, id));
    if (record === undefined) {
      throw new Error(`${engine} group ${id} does not exist`);
    }
    return record;
  }
}

/** The change a ModifyUserGroup or UpdateACL request asks for, under the service's parameter names. */
export function groupChangeFrom(input: Input, addParam: string, removeParam: string): GroupChange {
  return { add: input.strings(addParam) ?? [], remove: input.strings(removeParam) ?? [] };
}

function key(engine: Engine, id: string): string {
  return `${engine}:${id}`;
}

function requiresDefaultUser(engine: Engine, serverEngine: ServerEngine): boolean {
  return ENGINE_GROUPS[engine].requiresDefaultUser && serverEngine === 'redis';
}

function view(record: GroupRecord): GroupState {
  return {
    engine: record.engine,
    id: record.id,
    status: record.status,
    members: [...record.members].sort(),
    serverEngine: record.serverEngine,
    caches: [...record.caches].sort(),
    serverlessCaches: [...record.serverlessCaches].sort(),
    ...(record.pending && {
      pendingChanges: { add: [...record.pending.add].sort(), remove: [...record.pending.remove].sort() },
    }),
  };
}

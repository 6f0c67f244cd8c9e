import { ModifyingPeriod, Timers } from './timers';
import { DEFAULT_USER_NAME, type Engine, type UserStore } from './users';
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
];

/** What differs between an ElastiCache user group and a MemoryDB ACL; the rules are the same. */
interface EngineGroups {
  readonly noun: string;
  readonly notFound: string;
  readonly invalidState: string;
  /** ElastiCache: every user group holds a user whose UserName is `default`. */
  readonly requiresDefaultUser: boolean;
  readonly immutable: readonly string[];
}

const ENGINE_GROUPS: Readonly<Record<Engine, EngineGroups>> = {
  elasticache: {
    noun: 'User group',
    notFound: 'UserGroupNotFoundFault',
    invalidState: 'InvalidUserGroupStateFault',
    requiresDefaultUser: true,
    immutable: [],
  },
  memorydb: {
    noun: 'ACL',
    notFound: 'ACLNotFoundFault',
    invalidState: 'InvalidACLStateFault',
    requiresDefaultUser: false,
    immutable: [OPEN_ACCESS_ACL],
  },
};

export interface NewGroup {
  readonly engine: Engine;
  /** The ElastiCache UserGroupId or the MemoryDB ACL name. */
  readonly id: string;
  /**
   * User ids (MemoryDB: names) of existing users. An ElastiCache group without a member named `default`
   * also gets the user `default` (UserName `default`, no password, model only), created if need be.
   * @default - no members
   */
  readonly members?: readonly string[];
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
    if (this.groups.has(key(engine, id))) {
      throw new Error(`${engine} group ${id} already exists`);
    }
    const members = new Set(group.members ?? []);
    for (const member of members) {
      if (this.users.get(engine, member) === undefined) {
        throw new Error(`${engine} user ${member} does not exist; create it with users.create first`);
      }
    }
    if (ENGINE_GROUPS[engine].requiresDefaultUser && !this.hasDefaultUser(engine, members)) {
      members.add(await this.defaultUser(engine));
    }
    const duplicate = this.duplicateUserName(engine, [...members]);
    if (duplicate !== undefined) {
      throw new Error(`${engine} group ${id} cannot hold two users named ${duplicate}`);
    }
    const record: GroupRecord = {
      engine,
      id,
      status: 'active',
      period: new ModifyingPeriod(this.timers),
      members,
      pending: undefined,
    };
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
    // Swapping the default user for another user named `default` in one request is how AWS replaces it.
    if (this.hasDefaultUser(engine, remove) && !this.hasDefaultUser(engine, add)) {
      throw new ServiceError('DefaultUserRequired', `${noun} ${id} must keep a user named default.`);
    }
  }

  private markModifying(record: GroupRecord, ms: number): void {
    record.status = 'modifying';
    record.period.extend(ms, () => this.settle(record));
  }

  // The group is back to `active`: the pending change takes effect, and redis follows the members it touched.
  private settle(record: GroupRecord): void {
    record.status = 'active';
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
      const isMember = this.groupsOf(record.engine, user).length > 0;
      void this.users.followMembership(record.engine, user, isMember);
    }
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

function view(record: GroupRecord): GroupState {
  return {
    engine: record.engine,
    id: record.id,
    status: record.status,
    members: [...record.members].sort(),
    ...(record.pending && {
      pendingChanges: { add: [...record.pending.add].sort(), remove: [...record.pending.remove].sort() },
    }),
  };
}

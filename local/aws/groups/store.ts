import { type TaggedResource, type Tags, taggable } from '../tags/store';
import { Timers } from '../timers';
import type { UserStore } from '../users/store';
import type { Engine, UserState } from '../users/types';
import { ServiceError } from '../wire/errors';
import { defaultUser } from './built-ins';
import { type GroupRecord, groupView, newGroupRecord } from './record';
import {
  checkChange,
  checkDelete,
  checkNewGroup,
  duplicateUserName,
  ENGINE_GROUPS,
  engineMisfit,
  hasDefaultUser,
  requiresDefaultUser,
} from './rules';
import type {
  GroupChange,
  GroupHarness,
  GroupRequest,
  GroupState,
  GroupStatus,
  MembershipIndex,
  NewGroup,
} from './types';

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
    if (requiresDefaultUser(engine, serverEngine) && !hasDefaultUser(this.users, engine, members)) {
      members.add(await defaultUser(this.users, engine));
    }
    const duplicate = duplicateUserName(this.users, engine, [...members]);
    if (duplicate !== undefined) {
      throw new Error(`${engine} group ${id} cannot hold two users named ${duplicate}`);
    }
    const misfit = engineMisfit(this.users, { engine, id, serverEngine }, [...members]);
    if (misfit !== undefined) {
      throw new Error(misfit);
    }
    const record = newGroupRecord(
      this.timers,
      { engine, id, serverEngine, members, tags: group.tags ?? {} },
      'active',
    );
    this.groups.set(key(engine, id), record);
    // Test set-up: redis has followed the membership by the time the group is returned.
    for (const member of members) {
      await this.users.followMembership(engine, member, true, true);
    }
    return groupView(record);
  }

  get(engine: Engine, id: string): GroupState | undefined {
    const record = this.groups.get(key(engine, id));
    return record === undefined ? undefined : groupView(record);
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
    checkNewGroup(this.users, request, members);
    const record = newGroupRecord(
      this.timers,
      { engine, id, serverEngine, members: new Set(members), tags: request.tags },
      'creating',
    );
    this.groups.set(key(engine, id), record);
    for (const user of members) {
      this.users.holdModifying(engine, user, this.groupDelayMs);
    }
    record.period.extend(this.groupDelayMs, () => this.settle(record));
    return groupView(record);
  }

  /**
   * DeleteUserGroup or DeleteACL: refused unless the group is `active` and attached to no cache; then
   * `deleting` for `groupDelayMs`, and gone. Its members then leave it, and redis follows as for a removal.
   */
  deleteByApi(engine: Engine, id: string): GroupState {
    const record = this.require(engine, id);
    checkDelete(record);
    record.status = 'deleting';
    record.period.extend(this.groupDelayMs, () => this.remove(record));
    return groupView(record);
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
      return [groupView(this.require(engine, id))];
    }
    return [...this.groups.values()].filter((record) => record.engine === engine).map(groupView);
  }

  /**
   * Accepts a membership change the way both services do: the whole request fails or none of it happens;
   * the group is `modifying` until `groupDelayMs` has passed, and only then do the members change.
   */
  modify(engine: Engine, id: string, change: GroupChange): GroupState {
    const record = this.require(engine, id);
    const add = [...new Set(change.add)];
    const remove = [...new Set(change.remove)];
    checkChange(this.users, record, add, remove);
    record.pending = { add, remove };
    for (const user of [...add, ...remove]) {
      this.users.holdModifying(engine, user, this.groupDelayMs);
    }
    this.markModifying(record, this.groupDelayMs);
    return groupView(record);
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

function key(engine: Engine, id: string): string {
  return `${engine}:${id}`;
}

import type { GroupDirectory, GroupState, MembershipDiff, NewCacheGroup } from '#core/cache/ports';
import type { CacheGroupRef } from '#core/cache/refs';
import type { ChangePublisher, MembershipChange } from '#core/membership/ports';
import {
  GroupBusyError,
  MembershipRefusedError,
  UserNameClashError,
  UserNotFoundError,
} from '#core/runtime/errors';

export interface FakeGroup {
  status: string;
  members: string[];
}

/**
 * A group API with the rules that matter to the reconciler: a change while `modifying` is refused,
 * removing a non-member or adding an unknown user fails the whole request, and a change leaves the
 * group `modifying` for a number of reads.
 */
export class FakeGroups implements GroupDirectory {
  readonly groups = new Map<string, FakeGroup>();
  /** Users that do not exist: adding one fails the request with UserNotFoundError. */
  readonly unknownUsers = new Set<string>();
  /** Users whose UserName clashes with a member's: adding one fails the request with UserNameClashError. */
  readonly clashingUsers = new Set<string>();
  /** Errors the next describe calls throw, in order. */
  readonly describeErrors: Error[] = [];
  /** Errors the next modify calls throw, in order, before looking at the request. */
  readonly modifyErrors: Error[] = [];
  /** Statuses the next describe calls report, before the group's own. */
  readonly statusQueue: string[] = [];
  /** How many describe calls see `modifying` after a change is accepted. */
  modifyingReads = 1;
  readonly modifyCalls: { group: string; add: string[]; remove: string[] }[] = [];
  describeCalls = 0;
  /** Runs after each modify call, accepted or not: someone else changing the group meanwhile. */
  afterModify?: (group: FakeGroup, call: number) => void;
  /** Runs before each modify call: someone else changing the group between the read and the change. */
  beforeModify?: (group: FakeGroup, call: number) => void;
  private pendingModifyingReads = new Map<string, number>();

  add(ref: CacheGroupRef, members: string[], status = 'active'): FakeGroup {
    const group = { status, members: [...members] };
    this.groups.set(ref.arn, group);
    return group;
  }

  membersOf(ref: CacheGroupRef): string[] {
    return [...(this.groups.get(ref.arn)?.members ?? [])].sort();
  }

  /** One call for any number of groups, as the list call is. */
  async describeGroups(refs: readonly CacheGroupRef[]): Promise<ReadonlyMap<string, GroupState>> {
    this.describeCalls++;
    const error = this.describeErrors.shift();
    if (error) throw error;
    const states = new Map<string, GroupState>();
    for (const ref of refs) {
      const state = this.stateOf(ref);
      if (state) states.set(ref.arn, state);
    }
    return states;
  }

  private stateOf(ref: CacheGroupRef): GroupState | undefined {
    const group = this.groups.get(ref.arn);
    if (!group) return undefined;
    const queued = this.statusQueue.shift();
    const pending = this.pendingModifyingReads.get(ref.arn) ?? 0;
    if (pending > 0) this.pendingModifyingReads.set(ref.arn, pending - 1);
    return {
      status: queued ?? (pending > 0 ? 'modifying' : group.status),
      members: [...group.members],
    };
  }

  async modifyGroup(ref: CacheGroupRef, diff: MembershipDiff): Promise<void> {
    this.modifyCalls.push({ group: ref.arn, add: [...diff.add], remove: [...diff.remove] });
    const group = this.groups.get(ref.arn);
    if (group) this.beforeModify?.(group, this.modifyCalls.length);
    try {
      this.apply(ref, group, diff);
    } finally {
      if (group) this.afterModify?.(group, this.modifyCalls.length);
    }
  }

  async createGroup(ref: CacheGroupRef, spec: NewCacheGroup): Promise<'created' | 'exists'> {
    if (this.groups.has(ref.arn)) return 'exists';
    this.add(ref, [...spec.members]);
    return 'created';
  }

  async deleteGroup(ref: CacheGroupRef): Promise<'deleting' | 'absent'> {
    return this.groups.delete(ref.arn) ? 'deleting' : 'absent';
  }

  private apply(ref: CacheGroupRef, group: FakeGroup | undefined, diff: MembershipDiff): void {
    const error = this.modifyErrors.shift();
    if (error) throw error;
    if (!group) throw new Error(`no fake group ${ref.arn}`);
    if (group.status !== 'active' || (this.pendingModifyingReads.get(ref.arn) ?? 0) > 0) {
      throw new GroupBusyError(`group ${ref.arn} is modifying`);
    }
    const unknown = diff.add.filter((user) => this.unknownUsers.has(user));
    if (unknown.length > 0) throw new UserNotFoundError(`a user to add to group ${ref.arn} does not exist`);
    // Both services refuse to add a member again, as a second user of the same UserName.
    if (diff.add.some((user) => this.clashingUsers.has(user) || group.members.includes(user))) {
      throw new UserNameClashError(`group ${ref.arn} would hold two users with one UserName`);
    }
    const notMembers = diff.remove.filter((user) => !group.members.includes(user));
    if (notMembers.length > 0) throw new MembershipRefusedError(`not members: ${notMembers.join(', ')}`);
    group.members = [...group.members.filter((user) => !diff.remove.includes(user)), ...diff.add];
    this.pendingModifyingReads.set(ref.arn, this.modifyingReads);
  }
}

/** Records every published change; can be told to fail. */
export class FakePublisher implements ChangePublisher {
  readonly published: MembershipChange[] = [];
  calls = 0;
  failWith?: Error;

  async publish(changes: readonly MembershipChange[]): Promise<void> {
    this.calls++;
    if (this.failWith) throw this.failWith;
    this.published.push(...changes);
  }
}

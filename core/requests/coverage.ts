import type { MembershipDiff } from '#core/cache/ports';
import type { CacheGroupRef } from '#core/cache/refs';
import type { Coverage, DesiredMembership } from '#core/membership/desired';
import type { MembershipState } from '#core/membership/reconciler';
import type { AccessStore } from './store';

/** The grant store as the reconciler sees it: what it covers, and what each change teaches it. */
export class StoredCoverage implements MembershipState {
  /** The snapshot of the current round: before/after calls of a round decide on it. */
  private latest?: Coverage;

  constructor(private readonly store: AccessStore) {}

  async coverage(): Promise<Coverage> {
    const [requested, suspensions, recorded] = await Promise.all([
      this.store.activeGrants(),
      this.store.activeSuspensions(),
      this.store.managedUsers(),
    ]);
    const owed = new Map<string, Set<string>>();
    for (const suspension of suspensions) {
      if (suspension.status !== 'reinstated') continue;
      for (const groupArn of suspension.owed)
        owed.set(groupArn, new Set([...(owed.get(groupArn) ?? []), suspension.user]));
    }
    this.latest = {
      requested,
      suspended: new Set(suspensions.filter((s) => s.status === 'suspended').map((s) => s.user)),
      owed,
      recorded,
    };
    return this.latest;
  }

  async beforeChange(group: CacheGroupRef, diff: MembershipDiff, desired: DesiredMembership): Promise<void> {
    // A user given back after a suspension was never the stack's to manage, and stays unmanaged.
    const added = diff.add.filter((user) => desired.grantedBy.get(user)?.some((by) => by !== 'reinstated'));
    await this.store.addManaged(group.arn, this.unrecorded(group, [...desired.named, ...added]));
  }

  async afterVerified(
    group: CacheGroupRef,
    members: readonly string[],
    desired: DesiredMembership,
  ): Promise<void> {
    const coverage = this.latest;
    if (!coverage) return;
    await this.store.addManaged(group.arn, this.unrecorded(group, [...desired.named]));
    // Out of the group and covered by nothing: the stack has no claim on the user any more.
    const inGroup = new Set(members);
    const requested = new Set(coverage.requested.filter((r) => r.groupArn === group.arn).map((r) => r.user));
    const forgotten = [...(coverage.recorded.get(group.arn) ?? [])].filter(
      (user) => !inGroup.has(user) && !desired.named.has(user) && !requested.has(user),
    );
    await this.store.removeManaged(group.arn, forgotten);
    for (const user of coverage.owed.get(group.arn) ?? []) {
      if (inGroup.has(user)) await this.store.settleRestore(user, group.arn);
    }
  }

  private unrecorded(group: CacheGroupRef, users: readonly string[]): string[] {
    const recorded = this.latest?.recorded.get(group.arn) ?? new Set<string>();
    return [...new Set(users)].filter((user) => !recorded.has(user)).sort();
  }
}

import { type CacheGroupRef, memberUserArn, parseUserArn } from '../arn';
import { type Deadline, retryUntil } from '../deadline';
import {
  ApiThrottledError,
  GroupBusyError,
  GroupNotFoundError,
  MembershipDriftError,
  UserNotFoundError,
} from '../errors';
import type { UserDirectories } from '../rotation/ports';
import {
  type DesiredMembership,
  desiredMembership,
  diffMembership,
  isEmptyDiff,
  type MembershipDiff,
} from './desired';
import type { Grant } from './plan';
import type { ChangePublisher, GroupDirectories, GroupState, MembershipChange } from './ports';

export interface ReconcileRequest {
  readonly group: CacheGroupRef;
  /** Every grant of the plan; those for other groups are ignored. */
  readonly grants: readonly Grant[];
  /** The earliest instant to evaluate the plan at (the scheduled time); each attempt uses max(now, this). */
  readonly atMs: number;
  /** What asked for this run (a window boundary, the periodic reconcile, an operator). */
  readonly trigger: string;
  readonly deadline: Deadline;
}

export interface ReconcileResult {
  /** The change applied, or undefined when the group already matched the plan. */
  readonly change?: MembershipChange;
  readonly members: readonly string[];
}

export interface MembershipReconcilerDeps {
  readonly groups: GroupDirectories;
  /** Used only to name the users a refused change referred to. */
  readonly users: UserDirectories;
  readonly publisher: ChangePublisher;
  /** Receives the audit record of each applied change and other decisions worth a log line. */
  readonly onEvent?: (message: string, data?: Record<string, unknown>) => void;
}

const isTransient = (error: unknown) => error instanceof GroupBusyError || error instanceof ApiThrottledError;

/**
 * Makes one group match the plan at one instant with at most one modify call: read live state,
 * diff, modify, wait for `active`, verify. State faults and throttling re-read and retry.
 */
export class MembershipReconciler {
  constructor(private readonly deps: MembershipReconcilerDeps) {}

  async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
    const { group, deadline } = request;
    const directory = this.deps.groups[group.engine];
    const outcome = await retryUntil(
      `group ${group.arn} to accept the membership change`,
      deadline,
      async () => {
        const state = await this.activeState(group, deadline);
        // The plan is evaluated afresh on every attempt: after minutes of waiting, a window may
        // have closed, and acting on the old answer would give back access that just ended.
        const atMs = Math.max(deadline.clock.now(), request.atMs);
        const plan = desiredMembership(request.grants, group.arn, atMs);
        const diff = diffMembership(state.members, plan);
        if (isEmptyDiff(diff)) return { applied: undefined, members: state.members };
        try {
          await directory.modify(group, diff);
        } catch (error) {
          if (error instanceof UserNotFoundError) throw await this.unknownUsers(group, diff, plan, error);
          throw error;
        }
        return { applied: { diff, plan, atMs }, members: state.members };
      },
      { isRetryable: isTransient },
    );
    if (!outcome.applied) return { members: outcome.members };

    // Audited and published as soon as the service accepted it, so a failed check below cannot lose the record.
    const { diff, plan, atMs } = outcome.applied;
    const change = this.describeChange(request, diff, plan, atMs);
    this.deps.onEvent?.('membership changed', { ...change });
    await this.deps.publisher.publish(change);

    const after = await this.activeState(group, deadline);
    const drift = diffMembership(after.members, plan);
    if (!isEmptyDiff(drift)) {
      throw new MembershipDriftError(
        `group ${group.arn} still differs from the plan after the change (would add ${list(drift.add)}, remove ${list(drift.remove)}); something else changed it meanwhile, the next reconcile retries`,
      );
    }
    return { change, members: after.members };
  }

  private async activeState(group: CacheGroupRef, deadline: Deadline): Promise<GroupState> {
    return retryUntil(
      `group ${group.arn} to become active`,
      deadline,
      async () => {
        const state = await this.deps.groups[group.engine].describe(group);
        if (!state) throw new GroupNotFoundError(`group ${group.arn} does not exist`);
        if (state.status === 'deleting') throw new GroupNotFoundError(`group ${group.arn} is being deleted`);
        return state.status === 'active' ? state : undefined;
      },
      { isRetryable: (error) => error instanceof ApiThrottledError },
    );
  }

  private async unknownUsers(
    group: CacheGroupRef,
    diff: MembershipDiff,
    plan: DesiredMembership,
    cause: UserNotFoundError,
  ): Promise<UserNotFoundError> {
    const directory = this.deps.users[group.engine];
    const found = await Promise.all(
      diff.add.map((user) => directory.describe(parseUserArn(memberUserArn(group, user)))),
    );
    const missing = diff.add.filter((_, index) => found[index] === undefined);
    const named = (missing.length > 0 ? missing : diff.add).map(
      (user) => `'${user}' (grant ${list(plan.desired.get(user) ?? [])})`,
    );
    return new UserNotFoundError(
      `user ${named.join(', ')} does not exist in ${group.engine} ${group.region} account ${group.account}; group ${group.arn} was left unchanged`,
      { cause },
    );
  }

  private describeChange(
    request: ReconcileRequest,
    diff: MembershipDiff,
    plan: DesiredMembership,
    atMs: number,
  ): MembershipChange {
    const grants = new Set<string>();
    for (const user of diff.add) for (const grant of plan.desired.get(user) ?? []) grants.add(grant);
    for (const grant of request.grants) {
      if (grant.groupArn === request.group.arn && grant.users.some((user) => diff.remove.includes(user))) {
        grants.add(grant.name);
      }
    }
    return {
      groupArn: request.group.arn,
      added: diff.add,
      removed: diff.remove,
      grants: [...grants].sort(),
      evaluatedAt: new Date(atMs).toISOString(),
      trigger: request.trigger,
    };
  }
}

const list = (items: readonly string[]) => (items.length > 0 ? items.join(', ') : 'none');

import type { GroupDirectories, GroupState, MembershipDiff, UserDirectories } from '../cache/ports';
import { type CacheGroupRef, memberOf } from '../cache/refs';
import type { Deadline } from '../deadline';
import {
  ApiThrottledError,
  GroupBusyError,
  GroupNotFoundError,
  MembershipDriftError,
  type MembershipRefusedError,
  UserNameClashError,
  UserNotFoundError,
} from '../errors';
import type { Note } from '../handler';
import { retryUntil } from '../retry';
import { type DesiredMembership, desiredMembership, diffMembership, isEmptyDiff } from './desired';
import type { Grant } from './grant';
import type { ChangePublisher, MembershipChange } from './ports';

export interface ReconcileRequest {
  readonly group: CacheGroupRef;
  /** Every grant the function has; those for other groups are ignored. */
  readonly grants: readonly Grant[];
  /**
   * The earliest instant to evaluate the grants at: the time a schedule was meant for, so a run that
   * starts a moment early (clock skew) still sees the window it was made for. Each attempt uses
   * max(now, this).
   * @default - now
   */
  readonly notBeforeMs?: number;
  /** What asked for this run (a window boundary, the periodic reconcile, an operator). */
  readonly trigger: string;
  readonly deadline: Deadline;
}

export interface ReconcileResult {
  /** The change applied, or undefined when the group already matched the grants. */
  readonly change?: MembershipChange;
  readonly members: readonly string[];
  /** The instant the grants were last evaluated at, ISO 8601. */
  readonly evaluatedAt: string;
}

export interface MembershipReconcilerDeps {
  readonly groups: GroupDirectories;
  /** Used only to name the users a refused change referred to. */
  readonly users: UserDirectories;
  readonly publisher: ChangePublisher;
  /** Receives the audit record of each applied change and other decisions worth a log line. */
  readonly note?: Note;
}

const isTransient = (error: unknown) => error instanceof GroupBusyError || error instanceof ApiThrottledError;
/** Faults caused by users being added: the removals in the same call can still be made on their own. */
const refusesAdditions = (error: unknown): error is UserNotFoundError | UserNameClashError =>
  error instanceof UserNotFoundError || error instanceof UserNameClashError;

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
        const atMs = Math.max(deadline.clock.now(), request.notBeforeMs ?? 0);
        const desired = desiredMembership(request.grants, group, atMs);
        const diff = diffMembership(state.members, desired);
        if (isEmptyDiff(diff)) return { applied: undefined, members: state.members, atMs };
        try {
          await directory.modifyGroup(group, diff);
          return { applied: { diff, desired }, members: state.members, atMs };
        } catch (error) {
          if (!refusesAdditions(error) || diff.remove.length === 0) {
            throw refusesAdditions(error) ? await this.refusal(group, diff, desired, error, false) : error;
          }
          // Access that has ended must not wait until someone fixes the config: the removals go alone.
          const removals = { add: [], remove: diff.remove };
          await directory.modifyGroup(group, removals);
          const refused = {
            error: await this.refusal(group, diff, desired, error, true),
            additions: diff.add,
          };
          return { applied: { diff: removals, desired, refused }, members: state.members, atMs };
        }
      },
      { isRetryable: isTransient },
    );
    const evaluatedAt = new Date(outcome.atMs).toISOString();
    if (!outcome.applied) return { members: outcome.members, evaluatedAt };

    // Audited and published as soon as the service accepted it, so a failed check below cannot lose the record.
    const { diff, desired, refused } = outcome.applied;
    const change = this.describeChange(request, diff, desired, evaluatedAt);
    this.deps.note?.('membership changed', { ...change });
    await this.deps.publisher.publish(change);

    const after = await this.activeState(group, deadline);
    const drift = diffMembership(after.members, desired);
    // After a refusal the refused additions are still missing, as they must be; nothing else may be.
    const missing = drift.add.filter((user) => !refused?.additions.includes(user));
    if (missing.length > 0 || drift.remove.length > 0) {
      throw new MembershipDriftError(
        `group ${group.arn} still differs from the plan after the change (would add ${list(missing)}, remove ${list(drift.remove)}); something else changed it meanwhile, the next reconcile retries`,
      );
    }
    if (refused) throw refused.error;
    return { change, members: after.members, evaluatedAt };
  }

  private async activeState(group: CacheGroupRef, deadline: Deadline): Promise<GroupState> {
    return retryUntil(
      `group ${group.arn} to become active`,
      deadline,
      async () => {
        const state = await this.deps.groups[group.engine].describeGroup(group);
        if (!state) throw new GroupNotFoundError(`group ${group.arn} does not exist`);
        if (state.status === 'deleting') throw new GroupNotFoundError(`group ${group.arn} is being deleted`);
        return state.status === 'active' ? state : undefined;
      },
      { isRetryable: (error) => error instanceof ApiThrottledError },
    );
  }

  /** Why the service refused the additions, naming each user with the grants that want it, and what was done instead. */
  private async refusal(
    group: CacheGroupRef,
    diff: MembershipDiff,
    desired: DesiredMembership,
    cause: UserNotFoundError | UserNameClashError,
    removalsApplied: boolean,
  ): Promise<MembershipRefusedError | UserNotFoundError> {
    const named = (users: readonly string[]) =>
      users.map((user) => `'${user}' (grant ${list(desired.grantedBy.get(user) ?? [])})`).join(', ');
    const outcome = removalsApplied
      ? `the removals from group ${group.arn} (${list(diff.remove)}) were applied on their own, the additions (${list(diff.add)}) were not`
      : `group ${group.arn} was left unchanged`;
    if (cause instanceof UserNameClashError) {
      return new UserNameClashError(`${cause.message}; users to add: ${named(diff.add)}; ${outcome}`, {
        cause,
      });
    }
    const directory = this.deps.users[group.engine];
    const found = await Promise.all(diff.add.map((user) => directory.describeUser(memberOf(group, user))));
    const missing = diff.add.filter((_, index) => found[index] === undefined);
    return new UserNotFoundError(
      `user ${named(missing.length > 0 ? missing : diff.add)} does not exist in ${group.engine} ${group.region} account ${group.account}; ${outcome}`,
      { cause },
    );
  }

  private describeChange(
    request: ReconcileRequest,
    diff: MembershipDiff,
    desired: DesiredMembership,
    evaluatedAt: string,
  ): MembershipChange {
    const grants = new Set<string>();
    for (const user of diff.add) for (const grant of desired.grantedBy.get(user) ?? []) grants.add(grant);
    for (const grant of request.grants) {
      if (grant.group.arn === request.group.arn && grant.users.some((user) => diff.remove.includes(user))) {
        grants.add(grant.name);
      }
    }
    return {
      groupArn: request.group.arn,
      added: diff.add,
      removed: diff.remove,
      grants: [...grants].sort(),
      evaluatedAt,
      trigger: request.trigger,
    };
  }
}

const list = (items: readonly string[]) => (items.length > 0 ? items.join(', ') : 'none');

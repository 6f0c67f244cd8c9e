import type { GroupDirectories, GroupState, MembershipDiff, UserDirectories } from '#core/cache/ports';
import type { CacheGroupRef } from '#core/cache/refs';
import type { Deadline } from '#core/runtime/deadline';
import type { DecisionLog } from '#core/runtime/decision-log';
import {
  ApiThrottledError,
  CacheAccessError,
  DeadlineExceededError,
  GroupBusyError,
  GroupNotFoundError,
  UserNameClashError,
} from '#core/runtime/errors';
import { type Backoff, retryWithin } from '#core/runtime/retry';
import { type Applied, describeChange, refusalError, refusesAdditions, verifyChange } from './change';
import {
  type Coverage,
  type DesiredMembership,
  desiredMembership,
  diffMembership,
  isEmptyDiff,
  NOTHING_REQUESTED,
} from './desired';
import type { Grant } from './grant';
import { inBatches } from './in-batches';
import type { ChangePublisher, MembershipChange } from './ports';

export interface ReconcileRequest {
  /** The groups to make match the grants; each is read, changed at most once and verified. */
  readonly groups: readonly CacheGroupRef[];
  /** Every grant the function has; those for other groups are ignored. */
  readonly grants: readonly Grant[];
  /**
   * The earliest instant to evaluate the grants at: the time a schedule was meant for, so a run that
   * starts a moment early (clock skew) still sees the window it was made for. Each round uses
   * max(now, this).
   * @default - now
   */
  readonly notBeforeMs?: number;
  /** What asked for this run (a window boundary, the periodic reconcile, an operator). */
  readonly trigger: string;
  readonly deadline: Deadline;
  /** Groups that join at each later round: work that arrived meanwhile. @default - none */
  readonly joining?: () => Promise<readonly CacheGroupRef[]>;
}

/** How one group ended up. */
export type GroupOutcome =
  | {
      readonly group: CacheGroupRef;
      readonly status: 'unchanged' | 'changed';
      /** The change applied, when there was one. */
      readonly change?: MembershipChange;
      readonly members: readonly string[];
      /** The instant the grants were last evaluated at for this group, ISO 8601. */
      readonly evaluatedAt: string;
    }
  | {
      readonly group: CacheGroupRef;
      readonly status: 'failed';
      readonly error: Error;
      readonly change?: MembershipChange;
    };

/** What the grant store adds to the config's grants, and what it must learn from each change. */
export interface MembershipState {
  /** Read once per round, so every round decides on fresh records. */
  coverage(): Promise<Coverage>;
  /** Before a change is sent: the users it adds are recorded as managed, so no crash can leave them unmanaged. */
  beforeChange(group: CacheGroupRef, diff: MembershipDiff, desired: DesiredMembership): Promise<void>;
  /** Once the group holds what it should: forget managed users nothing covers any more, settle what was owed. */
  afterVerified(group: CacheGroupRef, members: readonly string[], desired: DesiredMembership): Promise<void>;
}

export interface MembershipReconcilerDeps {
  readonly groups: GroupDirectories;
  /** Used only to name the users a refused change referred to. */
  readonly users: UserDirectories;
  readonly publisher: ChangePublisher;
  /**
   * Requested grants, suspensions and the managed set.
   * @default - the config's grants alone
   */
  readonly state?: MembershipState;
  /** Receives the audit record of each applied change and other decisions worth a log line. */
  readonly logDecision?: DecisionLog;
  /**
   * How many groups' changes are in flight at once; the pacer in the adapters keeps the calls
   * under the API rate, this keeps one slow group from holding up the rest.
   * @default 10
   */
  readonly concurrency?: number;
  /** @default DEFAULT_BACKOFF */
  readonly backoff?: Backoff;
}

/** A group still being worked on: not yet changed, or changed and waiting to be verified. */
interface Work {
  readonly group: CacheGroupRef;
  applied?: Applied;
  /** Why the group still waits: for the message when time runs out. */
  waitingFor?: string;
  lastError?: unknown;
}

const isTransient = (error: unknown) => error instanceof GroupBusyError || error instanceof ApiThrottledError;

/**
 * Makes groups match the grants, in rounds: one batched read of every group still being worked on,
 * then for each active group either one modify call or, after its change, a check of its members.
 * Groups that are busy (modifying, throttled) wait for the next round; one group's failure never
 * stops the others. At most one accepted modify call per group per run.
 */
export class MembershipReconciler {
  constructor(private readonly deps: MembershipReconcilerDeps) {}

  async reconcile(request: ReconcileRequest): Promise<GroupOutcome[]> {
    const work = new Map(request.groups.map((group): [string, Work] => [group.arn, { group }]));
    const outcomes: GroupOutcome[] = [];
    // No round at all for no groups: a round reads the grant store.
    if (work.size === 0) return outcomes;
    const done = new Set<string>();
    const finish = (item: Work, outcome: GroupOutcome) => {
      work.delete(item.group.arn);
      done.add(item.group.arn);
      outcomes.push(outcome);
    };
    let rounds = 0;
    const round = async () => {
      const joined = rounds++ > 0 ? ((await request.joining?.()) ?? []) : [];
      for (const group of joined)
        if (!work.has(group.arn) && !done.has(group.arn)) work.set(group.arn, { group });
      const items = [...work.values()];
      await this.round(request, items, finish).catch((error: unknown) => {
        // A throttled read leaves every group waiting for the next round.
        if (!(error instanceof ApiThrottledError)) throw error;
        for (const item of items) item.lastError = error;
      });
      return work.size === 0 ? outcomes : undefined;
    };
    // Every group still waiting took part in every round, so the rounds run are its tries.
    const outOfTime = (tries: number) => {
      for (const item of work.values()) {
        finish(item, { group: item.group, status: 'failed', error: gaveUpWaiting(item, tries) });
      }
      return outcomes;
    };
    return retryWithin(request.deadline, round, outOfTime, { backoff: this.deps.backoff });
  }

  /** One read of every group still being worked on, then one step for each. */
  private async round(
    request: ReconcileRequest,
    items: readonly Work[],
    finish: (item: Work, outcome: GroupOutcome) => void,
  ): Promise<void> {
    const states = await this.readStates(items.map((item) => item.group));
    // Evaluated afresh every round: after minutes of waiting a window may have closed, and acting on
    // the old answer would give back access that just ended.
    const atMs = Math.max(request.deadline.clock.now(), request.notBeforeMs ?? 0);
    const coverage = this.deps.state ? await this.deps.state.coverage() : NOTHING_REQUESTED;
    await inBatches(items, this.deps.concurrency ?? 10, async (item) => {
      try {
        const outcome = await this.step(request, item, states.get(item.group.arn), atMs, coverage);
        if (outcome) finish(item, outcome);
      } catch (error) {
        if (isTransient(error)) {
          item.waitingFor = 'accept the membership change';
          item.lastError = error;
          return;
        }
        finish(item, {
          group: item.group,
          status: 'failed',
          error: asError(error),
          change: item.applied?.change,
        });
      }
    });
    await this.publishApplied(items, finish);
  }

  private async readStates(groups: readonly CacheGroupRef[]): Promise<Map<string, GroupState>> {
    const states = new Map<string, GroupState>();
    for (const engine of new Set(groups.map((group) => group.engine))) {
      const found = await this.deps.groups[engine].describeGroups(
        groups.filter((group) => group.engine === engine),
      );
      for (const [arn, state] of found) states.set(arn, state);
    }
    return states;
  }

  /** The group's outcome when it is done, or undefined while it waits for the next round. */
  private async step(
    request: ReconcileRequest,
    item: Work,
    state: GroupState | undefined,
    atMs: number,
    coverage: Coverage,
  ): Promise<GroupOutcome | undefined> {
    const { group } = item;
    if (!state) throw new GroupNotFoundError(`group ${group.arn} does not exist`);
    if (state.status === 'deleting') throw new GroupNotFoundError(`group ${group.arn} is being deleted`);
    if (state.status !== 'active') {
      item.waitingFor = item.applied ? 'become active after its change' : 'become active';
      return undefined;
    }
    if (item.applied) {
      const change = verifyChange(group, item.applied, state);
      await this.deps.state?.afterVerified(group, state.members, item.applied.desired);
      return { group, status: 'changed', change, members: state.members, evaluatedAt: change.evaluatedAt };
    }

    const evaluatedAt = new Date(atMs).toISOString();
    const desired = desiredMembership(request.grants, group, atMs, coverage);
    const diff = diffMembership(state.members, desired);
    if (isEmptyDiff(diff)) {
      await this.deps.state?.afterVerified(group, state.members, desired);
      return { group, status: 'unchanged', members: state.members, evaluatedAt };
    }
    const directory = this.deps.groups[group.engine];
    await this.deps.state?.beforeChange(group, diff, desired);
    try {
      await directory.modifyGroup(group, diff);
      item.applied = this.applied(request, group, diff, desired, evaluatedAt);
    } catch (error) {
      if (error instanceof UserNameClashError && (await this.changedSince(group, state))) {
        // Another writer (a second instance granting the same user) changed the group after it was
        // read: the clash may be with our own addition, so the next round reads it again.
        item.waitingFor = 'be read again after a concurrent change';
        item.lastError = error;
        return undefined;
      }
      if (!refusesAdditions(error) || diff.remove.length === 0) {
        throw refusesAdditions(error)
          ? await refusalError(this.deps.users, group, diff, desired, error, false)
          : error;
      }
      // Access that has ended must not wait until someone fixes the config: the removals go alone.
      const removals = { add: [], remove: diff.remove };
      await directory.modifyGroup(group, removals);
      const refused = {
        error: await refusalError(this.deps.users, group, diff, desired, error, true),
        additions: diff.add,
      };
      item.applied = { ...this.applied(request, group, removals, desired, evaluatedAt), refused };
    }
    return undefined;
  }

  private async changedSince(group: CacheGroupRef, read: GroupState): Promise<boolean> {
    const now = (await this.deps.groups[group.engine].describeGroups([group])).get(group.arn);
    const members = (state: GroupState | undefined) => JSON.stringify([...(state?.members ?? [])].sort());
    return members(now) !== members(read);
  }

  /** Audited as soon as the service accepted it, so a failed check later cannot lose the record. */
  private applied(
    request: ReconcileRequest,
    group: CacheGroupRef,
    diff: MembershipDiff,
    desired: DesiredMembership,
    evaluatedAt: string,
  ): Applied {
    const change = describeChange(request, group, diff, desired, evaluatedAt);
    this.deps.logDecision?.('membership changed', { ...change });
    return { change, desired, published: false };
  }

  /** Every change accepted this round, published in as few calls as EventBridge allows. */
  private async publishApplied(items: readonly Work[], finish: (item: Work, outcome: GroupOutcome) => void) {
    const unpublished = items.filter((item) => item.applied && !item.applied.published);
    if (unpublished.length === 0) return;
    try {
      await this.deps.publisher.publish(unpublished.map((item) => (item.applied as Applied).change));
      for (const item of unpublished) (item.applied as Applied).published = true;
    } catch (error) {
      for (const item of unpublished) {
        finish(item, {
          group: item.group,
          status: 'failed',
          error: asError(error),
          change: item.applied?.change,
        });
      }
    }
  }
}

function gaveUpWaiting({ group, waitingFor, lastError }: Work, tries: number): DeadlineExceededError {
  const why = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
  return new DeadlineExceededError(
    `gave up waiting for group ${group.arn} to ${waitingFor ?? 'accept the membership change'} after ${tries} tries${why}`,
    { cause: lastError },
  );
}

const asError = (error: unknown): Error =>
  error instanceof Error ? error : new CacheAccessError(String(error));

import type { CacheGroupRef } from '#core/cache/refs';
import type { GroupOutcome, ReconcileRequest } from '#core/membership/reconciler';
import type { AccessServiceDeps } from './access-deps';
import { type AccessRun, cleanupRun } from './access-run';
import type { Announcer } from './announcer';
import type { EphemeralLifecycle } from './ephemeral-lifecycle';

export interface ReconcileOptions {
  readonly trigger: string;
  /** The earliest instant to evaluate the grants at: the time a schedule meant the run for. */
  readonly notBeforeMs?: number;
  /**
   * `throw`: a group that could not be made to match fails the run before anything is announced, so
   * Lambda retries it and the failure queue catches what never succeeds (commands). `return`: every
   * outcome goes back, for the caller to report each group (scheduled runs).
   */
  readonly groupFailures: 'throw' | 'return';
  /** Groups that join the reconcile at its later rounds. @default - none */
  readonly joining?: ReconcileRequest['joining'];
}

export interface SettleOptions extends ReconcileOptions {
  /** More cleanup, after ended grants are retired, in the same share of the time. */
  readonly alsoCleanUp?: (cleanup: AccessRun) => Promise<unknown[]>;
}

/** How every run that changes grants ends: retire, reconcile, announce, then raise what cleanup left. */
export class Settler {
  constructor(
    private readonly deps: Pick<AccessServiceDeps, 'reconciler' | 'grants'>,
    private readonly lifecycle: EphemeralLifecycle,
    private readonly announcer: Announcer,
  ) {}

  /**
   * Deletes the users of ended ephemeral grants within the cleanup's share of the time, makes the groups
   * match, announces what the reconcile settled, and only then raises the first cleanup failure: a user
   * that cannot be deleted holds up no one else's revocation.
   */
  async settle(
    groups: readonly CacheGroupRef[],
    run: AccessRun,
    options: SettleOptions,
  ): Promise<GroupOutcome[]> {
    if (run.settleLater) return this.later(groups, run.settleLater);
    const cleanup = cleanupRun(run);
    const leftovers = [
      ...(await this.lifecycle.retireEnded(cleanup)),
      ...((await options.alsoCleanUp?.(cleanup)) ?? []),
    ];
    const outcomes = await this.reconcile(groups, run, options);
    await this.announcer.announceReconciled(outcomes);
    if (leftovers.length > 0) throw leftovers[0];
    return outcomes;
  }

  /** Makes the groups match the grants, requested and scheduled. */
  async reconcile(
    groups: readonly CacheGroupRef[],
    run: AccessRun,
    { trigger, notBeforeMs, groupFailures, joining }: ReconcileOptions,
  ): Promise<GroupOutcome[]> {
    if (run.settleLater) return this.later(groups, run.settleLater);
    const outcomes = await this.deps.reconciler.reconcile({
      groups,
      grants: this.deps.grants,
      notBeforeMs,
      trigger,
      deadline: run.deadline,
      joining,
    });
    const failed = outcomes.find((outcome) => outcome.status === 'failed');
    if (groupFailures === 'throw' && failed?.status === 'failed') throw failed.error;
    return outcomes;
  }

  /** Left to the batch, which settles every group its events touched once: no outcomes yet. */
  private later(
    groups: readonly CacheGroupRef[],
    settleLater: NonNullable<AccessRun['settleLater']>,
  ): GroupOutcome[] {
    settleLater(groups);
    return [];
  }
}

import { type CacheGroupRef, parseGroupArn } from '#core/cache/refs';
import type { GroupOutcome } from '#core/membership/reconciler';
import type { AccessServiceDeps } from './access-deps';
import type { AccessRun } from './access-run';
import type { Approvals } from './approvals';
import type { EphemeralLifecycle } from './ephemeral-lifecycle';
import type { PendingRequest } from './records';
import type { Settler } from './settle';

export interface ScheduledRunOptions {
  /** What asked for the run: a window boundary, an expiry, the periodic reconcile. */
  readonly trigger: string;
  /** The time the schedule meant the run for: a run that starts a moment early still ends what is due. */
  readonly notBeforeMs?: number;
  /**
   * Whether to look for what a crash left behind (ephemeral users of ended requests, slots no request
   * holds): on runs over every group.
   * @default false
   */
  readonly sweepOrphans?: boolean;
}

/**
 * A schedule's run: ends grants whose time is up (their own expiry schedule or a lost one), finishes
 * or undoes what ephemeral grants left half done, makes the groups match, then announces. A group of
 * a grant still active is reconciled too, even one the config no longer names: its user must still
 * leave. A user that cannot be made or deleted fails the run only after every group is reconciled.
 */
export class ScheduledRuns {
  constructor(
    private readonly deps: Pick<AccessServiceDeps, 'store' | 'now'>,
    private readonly parts: {
      readonly lifecycle: EphemeralLifecycle;
      readonly settler: Settler;
      readonly approvals: Approvals;
      readonly grantApproved: (request: PendingRequest, run: AccessRun) => Promise<unknown>;
    },
  ) {}

  async handle(
    groups: readonly CacheGroupRef[],
    run: AccessRun,
    { trigger, notBeforeMs, sweepOrphans = false }: ScheduledRunOptions,
  ): Promise<GroupOutcome[]> {
    const atMs = Math.max(this.deps.now(), notBeforeMs ?? 0);
    // Requests waiting for approval expire here, through their own schedule or the periodic run.
    await this.parts.approvals.expireDue(atMs);
    for (const request of await this.parts.approvals.approvedUngranted()) {
      await this.parts.grantApproved(request, run);
    }
    const active = await this.deps.store.activeGrants();
    for (const grant of active) {
      if (grant.status === 'open' && Date.parse(grant.expiresAt) <= atMs) {
        await this.deps.store.endGrant(grant.requestId, { status: 'expired', endedAt: grant.expiresAt });
      }
    }
    const named = new Set(groups.map((group) => group.arn));
    const orphaned = [...new Set(active.map((grant) => grant.groupArn))].filter((arn) => !named.has(arn));
    const { lifecycle, settler } = this.parts;
    return settler.settle([...groups, ...orphaned.map(parseGroupArn)], run, {
      trigger,
      notBeforeMs,
      groupFailures: 'return',
      alsoCleanUp: async (cleanup) => [
        ...(await lifecycle.provisionPending(cleanup)),
        ...(sweepOrphans ? await lifecycle.sweep(cleanup) : []),
      ],
    });
  }
}

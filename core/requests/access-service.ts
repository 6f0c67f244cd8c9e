import { type CacheGroupRef, parseGroupArn } from '#core/cache/refs';
import type { GroupOutcome } from '#core/membership/reconciler';
import { AccessCommands, type AccessOutcome } from './access-commands';
import type { AccessServiceDeps } from './access-deps';
import type { AccessRun } from './access-run';
import { Announcer } from './announcer';
import { type ApprovalConflict, Approvals } from './approvals';
import { EphemeralLifecycle } from './ephemeral-lifecycle';
import type { AccessCommand, Refusal } from './events-in';
import type { Approval, PendingRequest } from './records';
import { durationProblem, expiryMs, RequestDecision } from './request-decision';
import type { RequestRule } from './rules';
import { type ScheduledRunOptions, ScheduledRuns } from './scheduled-run';
import { Settler } from './settle';

export type { AccessOutcome } from './access-commands';

/** A batch settles what other batches record meanwhile this many times at most, then leaves them the rest. */
const MAX_SETTLE_PASSES = 3;

const distinct = (groups: readonly CacheGroupRef[]) => [
  ...new Map(groups.map((group) => [group.arn, group])).values(),
];

/**
 * Requested access on top of the scheduled windows: the store records what was asked and decided,
 * and the reconciler, the only code that changes a group, applies it. The membership function's two
 * ways in: an access event, and a schedule's run.
 */
export class AccessService {
  private readonly commands: AccessCommands;
  private readonly scheduled: ScheduledRuns;
  private readonly approvals: Approvals;
  private readonly decision: RequestDecision;
  private readonly settler: Settler;

  constructor(private readonly deps: AccessServiceDeps) {
    this.decision = new RequestDecision(deps);
    const announcer = new Announcer(deps);
    const lifecycle = new EphemeralLifecycle(deps, announcer);
    const settler = new Settler(deps, lifecycle, announcer);
    this.settler = settler;
    this.approvals = new Approvals(deps);
    this.commands = new AccessCommands(deps, { announcer, lifecycle, settler, approvals: this.approvals });
    this.scheduled = new ScheduledRuns(deps, {
      lifecycle,
      settler,
      approvals: this.approvals,
      grantApproved: (request, run) => this.commands.grantApproved(request, run),
    });
  }

  /**
   * Counts an approval of a pending request; the approval that completes it grants it. A conflict says
   * why nothing changed: no such request, or one already decided.
   */
  async approve(
    requestId: string,
    approval: Approval,
    run: AccessRun,
  ): Promise<{ readonly request: PendingRequest; readonly outcome?: AccessOutcome } | ApprovalConflict> {
    const result = await this.approvals.approve(requestId, approval);
    if ('kind' in result) return result;
    if (!result.completed) return { request: result.request };
    return { request: result.request, outcome: await this.commands.grantApproved(result.request, run) };
  }

  /**
   * Grants an approved request whose grant is not recorded, for one of its approvers retrying: the
   * invocation that approved it stopped before (the periodic run does the same). Undefined when there
   * is nothing to finish, or `by` did not approve it (another approval is completing it right now).
   */
  async finishApproved(requestId: string, by: string, run: AccessRun): Promise<AccessOutcome | undefined> {
    const request = await this.deps.store.pendingRequest(requestId);
    if (request?.status !== 'approved' || !request.approvals.some((approval) => approval.by === by)) {
      return undefined;
    }
    if (await this.deps.store.grant(requestId)) return undefined;
    return this.commands.grantApproved(request, run);
  }

  deny(requestId: string, by: string, reason: string): Promise<PendingRequest | ApprovalConflict> {
    return this.approvals.deny(requestId, by, reason);
  }

  /**
   * The rule a request comes under, or why it fits none: a group no rule names, a user or reader the
   * rule does not list, access longer than it allows or not in the future. Reads nothing.
   */
  ruleFor(command: Extract<AccessCommand, { kind: 'request' }>): RequestRule | string {
    const rule = this.decision.rule(command);
    if (typeof rule === 'string') return rule;
    const who = this.decision.requester(command, rule);
    if (typeof who === 'string') return who;
    const now = this.deps.now();
    const expiresAtMs = expiryMs(command, now);
    return durationProblem(command, rule, now, expiresAtMs) ?? rule;
  }

  handle(command: AccessCommand, run: AccessRun): Promise<AccessOutcome> {
    return this.commands.handle(command, run);
  }

  refuse(refusal: Refusal): Promise<AccessOutcome> {
    return this.commands.refuse(refusal);
  }

  /**
   * Settles the groups a batch of access events touched, once each, after every event was recorded with
   * `settleLater`, and those of grants recorded and not yet in effect: retire, reconcile, announce.
   * Every group's outcome comes back; failed ones included.
   */
  async settleBatch(
    groups: readonly CacheGroupRef[],
    run: AccessRun,
    trigger: string,
  ): Promise<GroupOutcome[]> {
    const settled = new Map<string, GroupOutcome>();
    let next = distinct([...groups, ...(await this.groupsAwaitingGrants())]);
    // Grants another batch records while this one works are settled here too, joining the reconcile
    // at its next round, or a pass after it: their groups change once for both batches, and the other
    // finds them done.
    const joining = () => this.groupsAwaitingGrants();
    for (let pass = 0; next.length > 0 && pass < MAX_SETTLE_PASSES; pass++) {
      const options = { trigger, groupFailures: 'return', joining } as const;
      for (const outcome of await this.settler.settle(next, run, options)) {
        settled.set(outcome.group.arn, outcome);
      }
      next = (await this.groupsAwaitingGrants()).filter((group) => !settled.has(group.arn));
    }
    return [...settled.values()];
  }

  /** Groups with a grant recorded and not yet in effect; not ephemeral ones, whose user may still be on its way. */
  private async groupsAwaitingGrants(): Promise<CacheGroupRef[]> {
    const grants = await this.deps.store.activeGrants();
    return distinct(
      grants
        .filter((grant) => grant.status === 'open' && !grant.grantedPublished && !grant.ephemeral)
        .map((grant) => parseGroupArn(grant.groupArn)),
    );
  }

  runScheduled(
    groups: readonly CacheGroupRef[],
    run: AccessRun,
    options: ScheduledRunOptions,
  ): Promise<GroupOutcome[]> {
    return this.scheduled.handle(groups, run, options);
  }
}

import type { AccessServiceDeps } from './access-deps';
import type { AccessRun } from './access-run';
import type { AccessCommand } from './events-in';
import { approvalEvents } from './events-out';
import type { Approval, PendingRequest } from './records';
import { fingerprintOf, requesterOf } from './request-decision';
import type { RequestRule } from './rules';

type RequestCommand = Extract<AccessCommand, { kind: 'request' }>;

/** How many times an approval is tried again over a request another approval changed meanwhile. */
const MAX_ATTEMPTS = 5;

/** Why an approval or denial changed nothing: the request is not there, or has moved on. */
export type ApprovalConflict = { readonly kind: 'unknown' | 'decided'; readonly reason: string };

/**
 * Requests under rules that need approval: recorded pending, approved by distinct approvers, denied
 * by any, expired when their time is up. Every change is a conditional write over the state it was
 * decided on, and every event is published after the write that decides it, once (the record keeps
 * which went out).
 */
export class Approvals {
  constructor(
    private readonly deps: Pick<AccessServiceDeps, 'store' | 'expiries' | 'publish' | 'now' | 'logDecision'>,
  ) {}

  /** Records the request pending, or finds it recorded by an earlier delivery; a string says why not. */
  async open(command: RequestCommand, rule: RequestRule, run: AccessRun): Promise<PendingRequest | string> {
    const now = this.deps.now();
    const fingerprint = fingerprintOf(command);
    const candidate: PendingRequest = {
      requestId: command.requestId,
      rule: rule.name,
      groupArn: rule.group.arn,
      ...(command.user !== undefined && { user: command.user }),
      ...(command.ephemeral && { reader: command.ephemeral.reader }),
      ...(command.duration !== undefined && { duration: command.duration }),
      ...(command.until !== undefined && { until: command.until }),
      reason: command.reason,
      requestedBy: requesterOf(command),
      verified: command.verified === true,
      fingerprint,
      requestedAt: new Date(now).toISOString(),
      pendingUntil: new Date(now + rule.pendingForMs).toISOString(),
      needed: rule.approvals,
      approvals: [],
      status: 'pending',
      version: 0,
      announced: [],
    };
    const recorded = await this.deps.store.recordRequest(candidate);
    const request = recorded.created ? candidate : recorded.existing;
    if (request.fingerprint !== fingerprint) {
      return `requestId ${command.requestId} is already used by a different request (made by ${request.requestedBy} at ${request.requestedAt}); choose a new requestId`;
    }
    if (request.status === 'pending') await this.deps.expiries?.schedulePending(request, run.target);
    this.deps.logDecision?.('request pending approval', {
      requestId: request.requestId,
      rule: rule.name,
      requestedBy: request.requestedBy,
      approvalsNeeded: request.needed,
    });
    await this.announce(request);
    return request;
  }

  /**
   * Counts `approval` unless its approver approved already; approves the request once the rule's
   * number of distinct approvals is reached. Concurrent approvals each count once and complete once.
   */
  async approve(
    requestId: string,
    approval: Approval,
  ): Promise<{ readonly request: PendingRequest; readonly completed: boolean } | ApprovalConflict> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.current(requestId);
      if ('kind' in current) return current;
      if (current.approvals.some((earlier) => earlier.by === approval.by)) {
        return {
          kind: 'decided',
          reason: `request ${requestId} is already approved by ${approval.by}; it needs ${current.needed - current.approvals.length} more from other approvers`,
        };
      }
      const completes = current.approvals.length + 1 >= current.needed;
      if (await this.deps.store.addApproval(requestId, approval, current.version, completes)) {
        const request = (await this.deps.store.pendingRequest(requestId)) ?? current;
        this.deps.logDecision?.('request approved', { requestId, approvedBy: approval.by, completes });
        if (completes) await this.deps.expiries?.cancelPending(requestId);
        await this.announce(request);
        return { request, completed: completes };
      }
    }
    return {
      kind: 'decided',
      reason: `request ${requestId} kept changing under concurrent approvals; ask again`,
    };
  }

  /** Ends the request as denied by `by`. */
  async deny(requestId: string, by: string, reason: string): Promise<PendingRequest | ApprovalConflict> {
    const current = await this.current(requestId);
    if ('kind' in current) return current;
    const at = new Date(this.deps.now()).toISOString();
    if (!(await this.deps.store.closeRequest(requestId, { status: 'denied', at, by, reason }))) {
      const moved = await this.current(requestId);
      return 'kind' in moved ? moved : { kind: 'decided', reason: `request ${requestId} changed; ask again` };
    }
    this.deps.logDecision?.('request denied', { requestId, deniedBy: by });
    await this.deps.expiries?.cancelPending(requestId);
    const request = (await this.deps.store.pendingRequest(requestId)) ?? current;
    await this.announce(request);
    return request;
  }

  /** Approved requests whose grant was not recorded yet: the attempt that approved them stopped short. */
  async approvedUngranted(): Promise<PendingRequest[]> {
    return (await this.deps.store.activeRequests()).filter((request) => request.status === 'approved');
  }

  /** Expires every pending request whose time is up, and publishes what earlier attempts left out. */
  async expireDue(atMs: number): Promise<void> {
    for (const request of await this.deps.store.activeRequests()) {
      const lapsed = request.status === 'pending' && Date.parse(request.pendingUntil) <= atMs;
      if (lapsed) await this.expire(request);
      await this.announce((lapsed && (await this.deps.store.pendingRequest(request.requestId))) || request);
    }
  }

  /** The request while still pending, expiring it first if its time is up; otherwise why not. */
  private async current(requestId: string): Promise<PendingRequest | ApprovalConflict> {
    const request = await this.deps.store.pendingRequest(requestId);
    if (!request) return { kind: 'unknown', reason: `no request ${requestId} is waiting for approval` };
    if (request.status === 'pending' && Date.parse(request.pendingUntil) <= this.deps.now()) {
      await this.expire(request);
      await this.announce((await this.deps.store.pendingRequest(requestId)) ?? request);
      return {
        kind: 'decided',
        reason: `request ${requestId} expired at ${request.pendingUntil} unapproved`,
      };
    }
    if (request.status !== 'pending') {
      const by = request.decidedBy === undefined ? '' : ` by ${request.decidedBy}`;
      return {
        kind: 'decided',
        reason: `request ${requestId} is already ${request.status} (at ${request.decidedAt ?? request.pendingUntil}${by})`,
      };
    }
    return request;
  }

  private async expire(request: PendingRequest): Promise<void> {
    if (
      await this.deps.store.closeRequest(request.requestId, { status: 'expired', at: request.pendingUntil })
    ) {
      this.deps.logDecision?.('request expired unapproved', { requestId: request.requestId });
    }
  }

  /** Publishes the request's events not yet published, then notes them. */
  private async announce(request: PendingRequest): Promise<void> {
    const due = approvalEvents(request);
    // An approved request stays active until its grant is recorded (`AccessCommands.grantApproved`).
    const finished = request.status === 'denied' || request.status === 'expired';
    if (due.length === 0 && !finished) return;
    if (due.length > 0) await this.deps.publish(due.map(({ event }) => event));
    await this.deps.store.markAnnounced(
      request.requestId,
      due.map(({ key }) => key),
      finished,
    );
  }
}

/** The request a pending record was made from, with its approvals: what is granted once approved. */
export function commandOf(request: PendingRequest): RequestCommand {
  const { requestId, groupArn, user, reader, duration, until, reason, verified, approvals } = request;
  return {
    kind: 'request',
    requestId,
    groupArn,
    ...(reader === undefined ? { user } : { ephemeral: { reader } }),
    ...(duration !== undefined && { duration }),
    ...(until !== undefined && { until }),
    reason,
    // The record keeps the requester as granted; the command carries it as it arrived.
    requestedBy: verified ? request.requestedBy : request.requestedBy.replace(/^unverified:/, ''),
    verified,
    approvals,
  };
}

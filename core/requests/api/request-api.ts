import { randomUUID } from 'node:crypto';
import type { DecisionLog } from '#core/runtime/decision-log';
import { ACCESS_OUTCOMES, type AccessOutcomeKind } from '#core/runtime/metric-names';
import { clipped } from '#core/runtime/quoted';
import type { AccessRun } from '../access-run';
import type { AccessOutcome, AccessService } from '../access-service';
import { readable } from '../events-in';
import type { PendingRequest } from '../records';
import type { Requests } from '../rules';
import type { AccessStore } from '../store';
import { type ApiRefusal, answer, refusal, type UrlAnswer } from './answers';
import {
  approveProblem,
  denyProblem,
  maySee,
  operatorProblem,
  requestProblem,
  revokeProblem,
} from './authorise';
import { BODIES, parseBody } from './bodies';
import { type Route, routeOf } from './routes';
import { MAX_BODY_BYTES, readUrlEvent, type UrlRequest } from './url-event';

export interface RequestApiDeps {
  readonly access: AccessService;
  /** Read only: what is pending and granted, for the checks and the lists. */
  readonly store: AccessStore;
  readonly requests: Requests;
  readonly now: () => number;
  readonly logDecision?: DecisionLog;
  /** Counts what a call ended as, as the bus path counts its events: a refusal, a grant, a pending request. */
  readonly countOutcome?: (kind: AccessOutcomeKind) => void;
}

type Result = { readonly body: Readonly<Record<string, unknown>>; readonly requestId?: string } | ApiRefusal;

/**
 * The signed request API behind the function URL: each call is parsed and checked (400), authorised
 * for its verified caller under the rule (403), found (404) and still open (409) before the command
 * runs, and the command records its decision before anything changes. Every answer is an audit line;
 * every refusal is also a `Cache Access Request Refused` event, and every decision its own event.
 */
export class RequestApi {
  constructor(private readonly deps: RequestApiDeps) {}

  async handle(event: unknown, run: AccessRun): Promise<UrlAnswer> {
    const call = readUrlEvent(event);
    if (!call) return answer(400, { message: 'not a function URL call with an IAM-verified caller' });
    const route = routeOf(call);
    const result = 'status' in route ? route : await this.dispatch(call, route, run);
    const status = 'status' in result ? result.status : 200;
    this.deps.logDecision?.('request api answered', {
      method: call.method,
      path: clipped(call.path),
      caller: call.caller,
      status,
      ...('status' in result ? { refusal: result.message } : { answer: result.body.status }),
      ...(!('status' in result) && result.requestId !== undefined && { requestId: result.requestId }),
    });
    if (!('status' in result)) {
      const kind = ACCESS_OUTCOMES.find((outcome) => outcome === result.body.status);
      if (kind) this.deps.countOutcome?.(kind);
      return answer(200, result.body);
    }
    this.deps.countOutcome?.('refused');
    await this.deps.access.refuse({
      ...('requestId' in route && { requestId: route.requestId }),
      refusal: `${status}: ${result.message}`,
      detailType: `API ${call.method} ${clipped(call.path)}`,
      request: { caller: call.caller, ...('text' in call.body ? readable(safeJson(call.body.text)) : {}) },
    });
    return answer(status, { message: result.message });
  }

  private dispatch(call: UrlRequest, route: Route, run: AccessRun): Promise<Result> {
    if ('tooLong' in call.body) {
      const message = `the body has ${call.body.tooLong} bytes; the request API reads at most ${MAX_BODY_BYTES}`;
      return Promise.resolve(refusal(400, message));
    }
    const { text } = call.body;
    switch (route.name) {
      case 'request':
        return this.request(call.caller, text, run);
      case 'list':
        return this.list(call);
      case 'approve':
      case 'deny':
        return this.decide(route.name, route.requestId, call.caller, text, run);
      case 'revoke':
        return this.revoke(route.requestId, call.caller, text, run);
      case 'suspend':
      case 'reinstate':
        return this.operate(route.name, route.user, call.caller, text, run);
    }
  }

  private async request(caller: string, text: string, run: AccessRun): Promise<Result> {
    const body = parseBody(text, BODIES.request, caller);
    if ('problem' in body) return refusal(400, body.problem);
    const requestId = body.value.requestId ?? `api-${randomUUID()}`;
    const command = {
      ...body.value,
      kind: 'request',
      requestId,
      requestedBy: caller,
      verified: true,
    } as const;
    const rule = this.deps.access.ruleFor(command);
    if (typeof rule === 'string') return refusal(400, rule);
    const forbidden = requestProblem(rule, caller);
    if (forbidden) return refusal(403, forbidden);
    return { requestId, body: await this.outcome(requestId, await this.deps.access.handle(command, run)) };
  }

  private async decide(
    kind: 'approve' | 'deny',
    requestId: string,
    caller: string,
    text: string,
    run: AccessRun,
  ): Promise<Result> {
    const body = parseBody(text, kind === 'approve' ? BODIES.approve : BODIES.decide, caller);
    if ('problem' in body) return refusal(400, body.problem);
    const pending = await this.deps.store.pendingRequest(requestId);
    if (!pending) {
      if (await this.deps.store.grant(requestId)) {
        return refusal(409, `request ${requestId} was granted when made: its rule needs no approval`);
      }
      return refusal(404, `no request ${requestId} is waiting for approval`);
    }
    const rule = this.deps.requests.rules.find((candidate) => candidate.name === pending.rule);
    if (!rule)
      return refusal(
        409,
        `rule ${pending.rule} is no longer configured; request ${requestId} can only expire`,
      );
    const forbidden = kind === 'approve' ? approveProblem(rule, pending, caller) : denyProblem(rule, caller);
    if (forbidden) return refusal(403, forbidden);
    const { reason } = body.value;
    if (kind === 'deny') {
      const denied = await this.deps.access.deny(requestId, caller, reason ?? '');
      if ('kind' in denied) return refusal(denied.kind === 'unknown' ? 404 : 409, denied.reason);
      return { requestId, body: { requestId, status: 'denied' } };
    }
    const at = new Date(this.deps.now()).toISOString();
    const approved = await this.deps.access.approve(
      requestId,
      { by: caller, at, ...(reason !== undefined && { reason }) },
      run,
    );
    if ('kind' in approved) {
      // A retry after the approving invocation failed before its grant: finish it rather than answer 409.
      const finished = await this.deps.access.finishApproved(requestId, caller, run);
      if (finished) return { requestId, body: await this.outcome(requestId, finished) };
      return refusal(approved.kind === 'unknown' ? 404 : 409, approved.reason);
    }
    const answered = approved.outcome
      ? await this.outcome(requestId, approved.outcome)
      : pendingAnswer(approved.request);
    return { requestId, body: answered };
  }

  private async revoke(requestId: string, caller: string, text: string, run: AccessRun): Promise<Result> {
    const body = parseBody(text, BODIES.decide, caller);
    if ('problem' in body) return refusal(400, body.problem);
    const grant = await this.deps.store.grant(requestId);
    if (!grant) return this.withdraw(requestId, caller, body.value.reason);
    const forbidden = revokeProblem(grant, caller, this.deps.requests.operators);
    if (forbidden) return refusal(403, forbidden);
    const outcome = await this.deps.access.handle(
      { kind: 'revoke', requestId, revokedBy: caller, reason: body.value.reason, verified: true },
      run,
    );
    if (outcome.kind === 'refused') return refusal(409, outcome.refusal.refusal);
    return { requestId, body: { requestId, status: 'revoked' } };
  }

  /** A revocation of a request still pending: its requester or an operator withdraws it, as a denial. */
  private async withdraw(requestId: string, caller: string, reason: string): Promise<Result> {
    const pending = await this.deps.store.pendingRequest(requestId);
    if (!pending) return refusal(404, `no request ${requestId} was granted`);
    if (pending.status !== 'pending') {
      return refusal(409, `request ${requestId} is ${pending.status}, not granted: nothing to revoke`);
    }
    const forbidden = revokeProblem(pending, caller, this.deps.requests.operators);
    if (forbidden) return refusal(403, forbidden);
    const denied = await this.deps.access.deny(requestId, caller, reason);
    if ('kind' in denied) return refusal(denied.kind === 'unknown' ? 404 : 409, denied.reason);
    return { requestId, body: { requestId, status: 'denied' } };
  }

  private async operate(
    kind: 'suspend' | 'reinstate',
    user: string,
    caller: string,
    text: string,
    run: AccessRun,
  ): Promise<Result> {
    const body = parseBody(text, BODIES.decide, caller);
    if ('problem' in body) return refusal(400, body.problem);
    const forbidden = operatorProblem(this.deps.requests.operators, caller, `${kind} users`);
    if (forbidden) return refusal(403, forbidden);
    const { reason } = body.value;
    const outcome = await this.deps.access.handle(
      kind === 'suspend'
        ? { kind, user, suspendedBy: caller, reason, verified: true }
        : { kind, user, reinstatedBy: caller, reason, verified: true },
      run,
    );
    if (outcome.kind === 'refused') return refusal(409, outcome.refusal.refusal);
    return { body: { user, status: kind === 'suspend' ? 'suspended' : 'reinstated' } };
  }

  /** What the caller may see: its own, what it may approve, and, for an operator, everything. */
  private async list(call: UrlRequest): Promise<Result> {
    const status = call.query.get('status') ?? 'pending';
    if (status !== 'pending' && status !== 'open') {
      return refusal(
        400,
        `status ${JSON.stringify(clipped(status))} is not one the API lists; expected pending or open`,
      );
    }
    const { rules, operators } = this.deps.requests;
    const ruleOf = (name: string) => rules.find((rule) => rule.name === name);
    const visible = (record: { requestedBy: string }, rule: string | undefined) =>
      maySee(record, rule === undefined ? undefined : ruleOf(rule), call.caller, operators);
    if (status === 'pending') {
      const pending = (await this.deps.store.activeRequests()).filter(
        (request) => request.status === 'pending' && visible(request, request.rule),
      );
      return { body: { status, requests: pending.map(pendingAnswer) } };
    }
    const open = (await this.deps.store.activeGrants()).filter(
      (grant) =>
        grant.status === 'open' &&
        visible(grant, rules.find((rule) => rule.group.arn === grant.groupArn)?.name),
    );
    return {
      body: {
        status,
        requests: open.map(
          ({ requestId, groupArn, user, requestedBy, grantedAt, expiresAt, reason, approvals }) => ({
            requestId,
            groupArn,
            user,
            requestedBy,
            grantedAt,
            expiresAt,
            reason,
            approvedBy: (approvals ?? []).map((approval) => approval.by),
          }),
        ),
      },
    };
  }

  /** A request's answer once the command ran: pending, granted (until when) or refused (why). */
  private async outcome(requestId: string, outcome: AccessOutcome): Promise<Record<string, unknown>> {
    if (outcome.kind === 'pending') return pendingAnswer(outcome.request);
    if (outcome.kind === 'refused') return { requestId, status: 'refused', refusal: outcome.refusal.refusal };
    const grant = await this.deps.store.grant(requestId);
    return { requestId, status: 'granted', ...(grant && { user: grant.user, expiresAt: grant.expiresAt }) };
  }
}

function pendingAnswer(request: PendingRequest): Record<string, unknown> {
  const { requestId, rule, groupArn, user, reader, requestedBy, requestedAt, pendingUntil, reason } = request;
  return {
    requestId,
    status: 'pending',
    rule,
    groupArn,
    ...(user !== undefined && { user }),
    ...(reader !== undefined && { reader }),
    requestedBy,
    requestedAt,
    pendingUntil,
    reason,
    approvedBy: request.approvals.map((approval) => approval.by),
    approvalsNeeded: request.needed - request.approvals.length,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

import type { BusEvent } from '#core/membership/bus-event';
import type { Refusal } from './events-in';
import type { PendingRequest, RequestedGrant } from './records';

const ACCESS_GRANTED = 'Cache Access Granted';
export const APPROVAL_EVENTS = {
  pending: 'Cache Access Pending',
  approved: 'Cache Access Approved',
  denied: 'Cache Access Denied',
  expired: 'Cache Access Request Expired',
} as const;
const ACCESS_REFUSED = 'Cache Access Request Refused';
const ACCESS_ENDED = 'Cache Access Ended';

/**
 * The user is in the group, and until when; for an ephemeral user, the secret its reader fetches the
 * credentials from. Never a password.
 */
export function granted(grant: RequestedGrant): BusEvent {
  const { requestId, groupArn, user, grantedAt, expiresAt, requestedBy, reason, ephemeral } = grant;
  return {
    detailType: ACCESS_GRANTED,
    detail: {
      requestId,
      groupArn,
      user,
      grantedAt,
      expiresAt,
      requestedBy,
      approvedBy: (grant.approvals ?? []).map((approval) => approval.by),
      reason,
      ...(ephemeral && { ephemeral: true, secretArn: ephemeral.secretArn, reader: ephemeral.reader }),
    },
    resources: [groupArn],
    time: new Date(grantedAt),
  };
}

/** The grant is over: expired, revoked or its user suspended. */
export function ended(grant: RequestedGrant): BusEvent {
  const { requestId, groupArn, user, status, endedAt = grant.expiresAt } = grant;
  return {
    detailType: ACCESS_ENDED,
    detail: { requestId, groupArn, user, endedAt, cause: status },
    resources: [groupArn],
    time: new Date(endedAt),
  };
}

/** The event was not acted on; nothing changed. */
export function refused(refusal: Refusal, at: Date): BusEvent {
  return { detailType: ACCESS_REFUSED, detail: refusal, resources: [], time: at };
}

/** What every event about a request waiting for approval says of it: never a password, never a secret. */
function requestDetail(request: PendingRequest) {
  const { requestId, rule, groupArn, user, reader, duration, until, reason, requestedBy, requestedAt } =
    request;
  return {
    requestId,
    rule,
    groupArn,
    ...(user !== undefined && { user }),
    ...(reader !== undefined && { ephemeral: true, reader }),
    ...(duration !== undefined && { duration }),
    ...(until !== undefined && { until }),
    reason,
    requestedBy,
    requestedAt,
    pendingUntil: request.pendingUntil,
    approvals: request.approvals.map((approval) => approval.by),
    approvalsNeeded: Math.max(0, request.needed - request.approvals.length),
  };
}

/**
 * The events a request waiting for approval owes, each under a key the record remembers once it is
 * published: `pending` when made, `approved:<n>` per approval, then `denied` or `expired`.
 */
export function approvalEvents(
  request: PendingRequest,
): { readonly key: string; readonly event: BusEvent }[] {
  const detail = requestDetail(request);
  const event = (detailType: string, time: string, extra: Record<string, unknown> = {}): BusEvent => ({
    detailType,
    detail: { ...detail, ...extra },
    resources: [request.groupArn],
    time: new Date(time),
  });
  const due = [{ key: 'pending', event: event(APPROVAL_EVENTS.pending, request.requestedAt) }];
  request.approvals.forEach((approval, index) => {
    due.push({
      key: `approved:${index}`,
      event: event(APPROVAL_EVENTS.approved, approval.at, {
        approvedBy: approval.by,
        approvalsNeeded: Math.max(0, request.needed - index - 1),
        ...(approval.reason !== undefined && { approvalReason: approval.reason }),
      }),
    });
  });
  if (request.status === 'denied' || request.status === 'expired') {
    const closed = request.status === 'denied' ? APPROVAL_EVENTS.denied : APPROVAL_EVENTS.expired;
    due.push({
      key: request.status,
      event: event(closed, request.decidedAt ?? request.pendingUntil, {
        ...(request.decidedBy !== undefined && { deniedBy: request.decidedBy }),
        ...(request.decisionReason !== undefined && { decisionReason: request.decisionReason }),
      }),
    });
  }
  return due.filter(({ key }) => !request.announced.includes(key));
}

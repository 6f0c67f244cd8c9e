import type { BusEvent } from '../membership/eventbridge-publisher';
import type { Refusal } from './events-in';
import type { RequestedGrant } from './records';

const ACCESS_GRANTED = 'Cache Access Granted';
const ACCESS_REFUSED = 'Cache Access Request Refused';
const ACCESS_ENDED = 'Cache Access Ended';

/** The user is in the group, and until when. Never a password: requests carry none. */
export function granted(grant: RequestedGrant): BusEvent {
  const { requestId, groupArn, user, grantedAt, expiresAt, requestedBy, reason } = grant;
  return {
    detailType: ACCESS_GRANTED,
    detail: { requestId, groupArn, user, grantedAt, expiresAt, requestedBy, reason },
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

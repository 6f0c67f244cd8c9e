import type { BusEvent } from '#core/membership/bus-event';
import type { Refusal } from './events-in';
import type { RequestedGrant } from './records';

const ACCESS_GRANTED = 'Cache Access Granted';
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

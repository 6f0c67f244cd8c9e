import type { GroupOutcome } from '#core/membership/reconciler';
import type { AccessServiceDeps } from './access-deps';
import type { Refusal } from './events-in';
import { ended, granted, refused } from './events-out';
import type { RequestedGrant } from './records';

/**
 * How long a run holds the right to announce a grant it claimed: long enough to publish, short enough
 * that a run which stopped after claiming holds nobody's announcement up for long.
 */
const ANNOUNCE_CLAIM_MS = 60_000;

/** What the service tells the bus about requested access, and when. */
export class Announcer {
  constructor(private readonly deps: Pick<AccessServiceDeps, 'store' | 'publish' | 'now' | 'logDecision'>) {}

  /** `Cache Access Request Refused`: an answer, not a failure, so nothing retries or alarms. */
  async announceRefusal(refusal: Refusal): Promise<void> {
    this.deps.logDecision?.('access event refused', {
      refusal: refusal.refusal,
      requestId: refusal.requestId,
    });
    await this.deps.publish([refused(refusal, new Date(this.deps.now()))]);
  }

  /**
   * `Cache Access Granted` once the user is in, `Cache Access Ended` once a grant is over: for every
   * grant whose group was reconciled, announced at most once each (the store remembers), so a retry
   * publishes exactly what an earlier attempt could not. Runs settling the same group at once (a
   * request beside a batch) each claim an announcement before making it, so only one makes it.
   */
  async announceReconciled(outcomes: readonly GroupOutcome[]): Promise<void> {
    const settled = new Set(outcomes.filter((o) => o.status !== 'failed').map((o) => o.group.arn));
    const grants = (await this.deps.store.activeGrants()).filter((grant) => settled.has(grant.groupArn));
    // An ephemeral grant is announced once its credentials are there, and ended once its user is gone.
    const toGrant = grants.filter(
      (grant) =>
        grant.status === 'open' && !grant.grantedPublished && (!grant.ephemeral || grant.ephemeral.secretArn),
    );
    const toEnd = grants.filter(
      (grant) =>
        grant.status !== 'open' && !grant.endPublished && (!grant.ephemeral || grant.ephemeral.retired),
    );
    const [claimedGrants, claimedEnds] = await Promise.all([
      this.claimed(toGrant, 'granted'),
      this.claimed(toEnd, 'ended'),
    ]);
    const events = [...claimedGrants.map(granted), ...claimedEnds.map(ended)];
    if (events.length === 0) return;
    await this.deps.publish(events);
    await Promise.all([
      ...claimedGrants.map((grant) => this.deps.store.markPublished(grant.requestId, 'granted')),
      ...claimedEnds.map((grant) => this.deps.store.markPublished(grant.requestId, 'ended')),
    ]);
  }

  /** The grants whose announcement this run may make: claimed here, not announced or held by another. */
  private async claimed(grants: readonly RequestedGrant[], which: 'granted' | 'ended') {
    const nowMs = this.deps.now();
    const claim = { nowMs, untilMs: nowMs + ANNOUNCE_CLAIM_MS };
    const taken = await Promise.all(
      grants.map((grant) => this.deps.store.claimAnnouncement(grant.requestId, which, claim)),
    );
    return grants.filter((_, index) => taken[index]);
  }
}

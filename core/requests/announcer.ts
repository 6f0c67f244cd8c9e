import type { GroupOutcome } from '#core/membership/reconciler';
import type { AccessServiceDeps } from './access-deps';
import type { Refusal } from './events-in';
import { ended, granted, refused } from './events-out';

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
   * publishes exactly what an earlier attempt could not.
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
    const events = [...toGrant.map(granted), ...toEnd.map(ended)];
    if (events.length === 0) return;
    await this.deps.publish(events);
    for (const grant of toGrant) await this.deps.store.markPublished(grant.requestId, 'granted');
    for (const grant of toEnd) await this.deps.store.markPublished(grant.requestId, 'ended');
  }
}

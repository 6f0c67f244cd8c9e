import type { Clock } from './deadline';

/**
 * Paced a little under the rate given: sent at exactly the service's rate, a call that arrives a few
 * milliseconds early finds the service's bucket empty, and its retry starts a cascade.
 */
const SAFETY = 0.95;

/**
 * A token bucket every call to one control plane passes through: the calls go out at the rate the
 * account can sustain instead of finding the limit through throttling errors.
 */
export class Pacer {
  private tokens: number;
  private refilledAt: number;
  /** Calls queue in order; each waits for the one before it to get its token. */
  private queue: Promise<void> = Promise.resolve();

  private readonly perSecond: number;

  constructor(
    private readonly clock: Clock,
    ratePerSecond: number,
    private readonly burst: number = Math.max(1, ratePerSecond),
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`a pacer needs a positive rate; got ${ratePerSecond}`);
    this.perSecond = ratePerSecond * SAFETY;
    this.tokens = this.burst;
    this.refilledAt = clock.now();
  }

  /** Resolves when the caller may send one call. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn;
    return turn;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1_000) * this.perSecond);
      this.refilledAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.perSecond) * 1_000));
    }
  }
}

import { randomUUID } from 'node:crypto';
import type { Clock } from '#core/runtime/deadline';

/** Who holds the request lane and until when: one record, written only conditionally. */
export interface LaneRecords {
  /** Holds the lane for `holder` until `untilMs` if it is free, lapsed, or held by `holder` already. */
  take(holder: string, lease: { readonly nowMs: number; readonly untilMs: number }): Promise<boolean>;
  /** Frees the lane if `holder` still holds it. */
  release(holder: string): Promise<void>;
}

/** The lane while this invocation holds it; renewed until released, so a crash frees it within a lease. */
export interface LaneHold {
  release(): Promise<void>;
}

/** A hold lapses this long after its last renewal: the longest a crashed holder keeps others waiting. */
const LEASE_MS = 10_000;
const RENEW_EVERY_MS = LEASE_MS / 3;
const WAIT_STEP_MS = 100;

/**
 * One invocation at a time changes groups for access events, so the control-plane calls of all of them
 * together stay at the rate one pacer keeps. An event that finds the lane free is handled at once (the
 * fast path); one that finds it held is a burst, and goes to the queue, whose batches wait their turn.
 * The lane is about rate, not correctness: every step is idempotent, so two holders at once (a lapsed
 * lease) only cost throttled retries.
 */
export class RequestLane {
  constructor(
    private readonly records: LaneRecords,
    private readonly clock: Clock,
  ) {}

  /** The lane if nobody holds it, else undefined at once. */
  async tryTake(): Promise<LaneHold | undefined> {
    const holder = randomUUID();
    return (await this.lease(holder)) ? this.hold(holder) : undefined;
  }

  /**
   * Waits for the lane up to `waitMs`; past that, works without it (a holder that takes longer is
   * itself slow, and waiting longer would only delay this batch too).
   */
  async take(waitMs: number): Promise<LaneHold | undefined> {
    const holder = randomUUID();
    const giveUpAt = this.clock.now() + waitMs;
    while (!(await this.lease(holder))) {
      if (this.clock.now() >= giveUpAt) return undefined;
      await this.clock.sleep(WAIT_STEP_MS);
    }
    return this.hold(holder);
  }

  private lease(holder: string): Promise<boolean> {
    const nowMs = this.clock.now();
    return this.records.take(holder, { nowMs, untilMs: nowMs + LEASE_MS });
  }

  private hold(holder: string): LaneHold {
    let renewing = Promise.resolve();
    const timer = setInterval(() => {
      // A failed renewal only shortens the hold; the work goes on either way.
      renewing = this.lease(holder).then(
        () => undefined,
        () => undefined,
      );
    }, RENEW_EVERY_MS);
    timer.unref();
    return {
      release: async () => {
        clearInterval(timer);
        await renewing;
        await this.records.release(holder);
      },
    };
  }
}

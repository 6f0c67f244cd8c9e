import { describe, expect, it } from 'vitest';
import { type LaneRecords, RequestLane } from '#core/requests/request-lane';
import { FakeClock } from '../../support/fakes';

/** The lane record as the table keeps it: a holder and a lease that lapses. */
class LeasedLane implements LaneRecords {
  holder: string | undefined;
  until = 0;
  async take(holder: string, { nowMs, untilMs }: { nowMs: number; untilMs: number }) {
    if (this.holder !== undefined && this.holder !== holder && this.until >= nowMs) return false;
    this.holder = holder;
    this.until = untilMs;
    return true;
  }
  async release(holder: string) {
    if (this.holder === holder) this.until = 0;
  }
}

describe('RequestLane', () => {
  it('gives the lane to the first taker and answers the next at once that it is held', async () => {
    const clock = new FakeClock();
    const lane = new RequestLane(new LeasedLane(), clock);

    const first = await lane.tryTake();
    const second = await lane.tryTake();

    expect(first).toBeDefined();
    expect(second).toBeUndefined();
    await first?.release();
    expect(await lane.tryTake()).toBeDefined();
  });

  it('makes a batch wait for the holder to finish, and work anyway once it has waited long enough', async () => {
    const clock = new FakeClock();
    const records = new LeasedLane();
    const lane = new RequestLane(records, clock);
    const holder = await lane.tryTake();
    const started = clock.now();

    const waited = await lane.take(3_000);

    expect(waited).toBeUndefined();
    expect(clock.now() - started).toBeGreaterThanOrEqual(3_000);
    await holder?.release();
    const taken = await lane.take(3_000);
    expect(taken).toBeDefined();
    await taken?.release();
  });

  it('lets a crashed holder keep the lane only until its lease lapses', async () => {
    const clock = new FakeClock();
    const lane = new RequestLane(new LeasedLane(), clock);
    await lane.tryTake(); // never released: the invocation died

    const taken = await lane.take(60_000);

    expect(taken).toBeDefined();
    await taken?.release();
  });
});

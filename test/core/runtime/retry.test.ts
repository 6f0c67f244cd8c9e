import { describe, expect, it } from 'vitest';
import { Deadline } from '#core/runtime/deadline';
import { DeadlineExceededError } from '#core/runtime/errors';
import { jitteredUpward, retryUntil, retryWithin } from '#core/runtime/retry';
import { FakeClock } from '../../support/fakes';

describe('retryUntil', () => {
  it('returns the first defined result', async () => {
    const clock = new FakeClock();
    const results = [undefined, undefined, 'ok'];

    await expect(retryUntil('x', clock.deadline(), async () => results.shift())).resolves.toBe('ok');
  });

  it('retries errors it is told are retryable and rethrows the others at once', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const attempt = async () => {
      calls++;
      if (calls < 3) throw new RangeError('busy');
      throw new TypeError('broken');
    };

    await expect(
      retryUntil('x', clock.deadline(), attempt, { isRetryable: (e) => e instanceof RangeError }),
    ).rejects.toThrow(TypeError);
    expect(calls).toBe(3);
  });

  it('stops before the deadline and names what it waited for and the last error', async () => {
    const clock = new FakeClock();
    const deadline = Deadline.after(clock, 60_000, 10_000);

    const error = await retryUntil(
      'the user to become active',
      deadline,
      async () => {
        throw new RangeError('still modifying');
      },
      { isRetryable: () => true },
    ).catch((e: Error) => e);

    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as Error).message).toMatch(
      /gave up waiting for the user to become active after \d+ tries; last error: still modifying/,
    );
    expect(clock.now() - 1_700_000_000_000).toBeLessThanOrEqual(50_000);
  });

  it('backs off exponentially up to the cap', async () => {
    const clock = new FakeClock();
    const pauses: number[] = [];
    const sleep = clock.sleep;
    clock.sleep = async (ms) => {
      pauses.push(ms);
      await sleep(ms);
    };

    await retryUntil('x', clock.deadline(), async () => (pauses.length < 8 ? undefined : true), {
      backoff: { initialMs: 100, maxMs: 1_000, factor: 2 },
    });

    expect(pauses[0]).toBeGreaterThanOrEqual(50);
    expect(pauses[0]).toBeLessThanOrEqual(100);
    expect(pauses[3]).toBeGreaterThanOrEqual(400);
    expect(Math.max(...pauses)).toBeLessThanOrEqual(1_000);
  });

  it('sleeps the pauses the given jitter makes of the delays', async () => {
    const clock = new FakeClock();
    const pauses: number[] = [];
    const sleep = clock.sleep;
    clock.sleep = async (ms) => {
      pauses.push(ms);
      await sleep(ms);
    };

    await retryUntil('x', clock.deadline(), async () => (pauses.length < 3 ? undefined : true), {
      backoff: { initialMs: 100, maxMs: 1_000, factor: 2 },
      jitter: (delay) => delay + 1,
    });

    expect(pauses).toEqual([101, 201, 401]);
  });
});

describe('retryWithin', () => {
  it('returns what outOfTime makes of the tries and the last error instead of throwing', async () => {
    // Arrange
    const clock = new FakeClock();
    const deadline = Deadline.after(clock, 60_000, 10_000);
    const busy = new RangeError('still modifying');

    // Act
    const result = await retryWithin(
      deadline,
      async () => {
        throw busy;
      },
      (tries, lastError) => ({ tries, lastError }),
      { isRetryable: () => true },
    );

    // Assert
    expect(result.tries).toBeGreaterThan(1);
    expect(result.lastError).toBe(busy);
    expect(clock.now() - 1_700_000_000_000).toBeLessThanOrEqual(50_000);
  });
});

describe('jitteredUpward', () => {
  it('never pauses less than the delay and at most 5 % more', () => {
    const pauses = Array.from({ length: 1_000 }, () => jitteredUpward(10_000));

    expect(Math.min(...pauses)).toBeGreaterThanOrEqual(10_000);
    expect(Math.max(...pauses)).toBeLessThanOrEqual(10_500);
  });
});

describe('Deadline.share', () => {
  it('ends after its fraction of the time left, and never after the deadline it came from', () => {
    // Arrange
    const clock = new FakeClock();
    const deadline = Deadline.after(clock, 60_000, 10_000);

    // Act
    const half = deadline.share(0.5);

    // Assert
    expect(half.remainingMs()).toBe(25_000);
    expect(deadline.share(2).remainingMs()).toBe(50_000);
  });
});

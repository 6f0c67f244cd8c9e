import { setTimeout as sleep } from 'node:timers/promises';

/** A failure the demo explains in one sentence: printed without a stack trace. */
export class DemoError extends Error {
  override readonly name = 'DemoError';
}

/** Rejects with a message naming `what` when `promise` takes longer than `ms`; the demo must not hang. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  const timer = new AbortController();
  const timeout = sleep(ms, undefined, { signal: timer.signal }).then(() => {
    throw new DemoError(`${what} did not finish within ${(ms / 1000).toFixed(0)} s`);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    timer.abort();
    timeout.catch(() => {});
  }
}

/**
 * Polls `check` until it returns `expected`. Password and membership changes reach redis a moment after the
 * API call returns, as they do on AWS, so a single check right after the call could see the old state.
 */
export async function settlesTo(
  check: () => Promise<boolean>,
  expected: boolean,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value === expected || Date.now() >= deadline) return value;
    await sleep(100);
  }
}

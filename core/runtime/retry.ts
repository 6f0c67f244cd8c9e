import type { Deadline } from './deadline';
import { DeadlineExceededError } from './errors';

export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

/** Starts fast because most waits are short, and caps low enough to notice a change within seconds. */
export const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 5_000, factor: 2 };

export interface RetryOptions {
  readonly isRetryable?: (error: unknown) => boolean;
  readonly backoff?: Backoff;
  /** Turns each backoff delay into the pause actually slept. @default jittered */
  readonly jitter?: (delayMs: number) => number;
}

/**
 * Runs `attempt` until it returns a value, sleeping with jittered exponential backoff between tries.
 * `attempt` returns `undefined` (or throws an error `isRetryable` accepts) to ask for another try.
 * Throws DeadlineExceededError naming `what` when the deadline would pass first.
 */
export async function retryUntil<T>(
  what: string,
  deadline: Deadline,
  attempt: () => Promise<T | undefined>,
  options: RetryOptions = {},
): Promise<T> {
  return retryWithin(
    deadline,
    attempt,
    (tries, lastError) => {
      const why = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new DeadlineExceededError(`gave up waiting for ${what} after ${tries} tries${why}`, {
        cause: lastError,
      });
    },
    options,
  );
}

/**
 * retryUntil for callers that report running out of time themselves, such as one outcome per item
 * of a batch: when the deadline would pass first it returns what `outOfTime` makes of the tries so
 * far and the last retryable error (undefined when the last try asked for another).
 */
export async function retryWithin<T>(
  deadline: Deadline,
  attempt: () => Promise<T | undefined>,
  outOfTime: (tries: number, lastError: unknown) => T,
  options: RetryOptions = {},
): Promise<T> {
  const { isRetryable = () => false, backoff = DEFAULT_BACKOFF, jitter = jittered } = options;
  let delay = backoff.initialMs;
  let tries = 0;
  let lastError: unknown;
  for (;;) {
    tries++;
    try {
      const result = await attempt();
      if (result !== undefined) return result;
      lastError = undefined;
    } catch (error) {
      if (!isRetryable(error)) throw error;
      lastError = error;
    }
    const pause = jitter(delay);
    if (pause >= deadline.remainingMs()) return outOfTime(tries, lastError);
    await deadline.clock.sleep(pause);
    delay = Math.min(backoff.maxMs, delay * backoff.factor);
  }
}

/** Equal jitter: never less than half the delay, so a retry storm cannot form. */
function jittered(delayMs: number): number {
  return delayMs / 2 + Math.random() * (delayMs / 2);
}

/**
 * Upward-only jitter, at most 5 % over the delay: for polls whose spacing is what bounds the number
 * of calls, where a pause shorter than the delay would cost an extra call.
 */
export function jitteredUpward(delayMs: number): number {
  return delayMs + Math.random() * (delayMs / 20);
}

import type { ServiceName } from './wire/protocols';

/** The control planes AWS rate-limits per account, which the rotation and membership functions call. */
const CONTROL_PLANES: readonly ServiceName[] = ['elasticache', 'memorydb', 'eventbridge'];

export interface ThrottleOptions {
  /** The sustained rate each throttled service accepts; every service has its own bucket, as on AWS. */
  readonly requestsPerSecond: number;
  /**
   * How many requests a full bucket lets through at once.
   * @default - requestsPerSecond, at least 1
   */
  readonly burst?: number;
  /** @default - ElastiCache, MemoryDB and EventBridge; add 'secretsmanager' to throttle it too */
  readonly services?: readonly ServiceName[];
}

/** Token buckets over the throttled services; an empty bucket turns a request into a throttling error. */
export class Throttle {
  private readonly buckets = new Map<ServiceName, TokenBucket>();
  private options: ThrottleOptions | undefined;
  private refused = 0;

  constructor(options?: ThrottleOptions) {
    this.set(options);
  }

  /** Requests answered with a throttling error so far. */
  get throttledCount(): number {
    return this.refused;
  }

  /** Replaces the limits and refills every bucket; `undefined` lifts them. */
  set(options: ThrottleOptions | undefined): void {
    if (options !== undefined && !(options.requestsPerSecond > 0)) {
      throw new Error(`requestsPerSecond must be a positive number; got ${options.requestsPerSecond}`);
    }
    if (options?.burst !== undefined && !(options.burst >= 1)) {
      throw new Error(`burst must be at least 1; got ${options.burst}`);
    }
    this.options = options;
    this.buckets.clear();
  }

  /** Takes a token for one request; false when there is none left and the request must be refused. */
  admit(service: ServiceName): boolean {
    const options = this.options;
    if (options === undefined || !(options.services ?? CONTROL_PLANES).includes(service)) {
      return true;
    }
    let bucket = this.buckets.get(service);
    if (bucket === undefined) {
      bucket = new TokenBucket(
        options.requestsPerSecond,
        options.burst ?? Math.max(1, options.requestsPerSecond),
      );
      this.buckets.set(service, bucket);
    }
    if (bucket.take()) {
      return true;
    }
    this.refused += 1;
    return false;
  }
}

class TokenBucket {
  private tokens: number;
  private refilledAt = performance.now();

  constructor(
    private readonly perSecond: number,
    private readonly capacity: number,
  ) {
    this.tokens = capacity;
  }

  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) / 1_000) * this.perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) {
      return false;
    }
    this.tokens -= 1;
    return true;
  }
}

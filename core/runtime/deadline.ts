export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Time left in this invocation, minus a reserve so the function can still log and answer. */
export class Deadline {
  private constructor(
    readonly clock: Clock,
    private readonly endsAt: number,
  ) {}

  static after(clock: Clock, remainingMs: number, reserveMs: number): Deadline {
    return new Deadline(clock, clock.now() + Math.max(0, remainingMs - reserveMs));
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - this.clock.now());
  }

  /** A deadline for one part of the work: `share` of the time left, so the parts after it keep the rest. */
  share(fraction: number): Deadline {
    return new Deadline(this.clock, this.clock.now() + this.remainingMs() * Math.min(1, fraction));
  }
}

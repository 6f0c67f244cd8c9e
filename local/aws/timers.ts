/** The timers one store has pending, so stopping the harness can cancel them all. */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();

  after(ms: number, action: () => void): NodeJS.Timeout {
    const timer = setTimeout(
      () => {
        this.pending.delete(timer);
        action();
      },
      Math.max(0, ms),
    );
    this.pending.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout | undefined): void {
    if (timer !== undefined) {
      clearTimeout(timer);
      this.pending.delete(timer);
    }
  }

  clear(): void {
    for (const timer of this.pending) {
      clearTimeout(timer);
    }
    this.pending.clear();
  }
}

/**
 * The `modifying` period of a user or a group. Overlapping modifications and holds keep it going until the
 * last of them ends; then `onEnd` runs once.
 */
export class ModifyingPeriod {
  private until = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly timers: Timers) {}

  extend(ms: number, onEnd: () => void): void {
    this.until = Math.max(this.until, Date.now() + ms);
    this.timers.cancel(this.timer);
    this.timer = this.timers.after(this.until - Date.now(), () => {
      this.timer = undefined;
      this.until = 0;
      onEnd();
    });
  }

  /** Drops the pending end, for a status pinned by the test. */
  cancel(): void {
    this.timers.cancel(this.timer);
    this.timer = undefined;
    this.until = 0;
  }
}

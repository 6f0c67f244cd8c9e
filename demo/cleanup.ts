import { DemoError, within } from './waits';

/** A host that was killed from outside (Ctrl-C reaches the whole process group) never answers stop(). */
const HOST_STOP_MS = 2_000;
/** redis-server gets SIGKILL after 5 s of ignoring SIGTERM; leave room for that. */
const STOP_MS = 10_000;
/** The longest start-up we wait for after an interrupt (redis-server's readiness timeout is 10 s). */
const START_MS = 12_000;

export interface UndoOptions {
  /** A function host: stopping it is instant unless it is already gone, so give up sooner. */
  readonly host?: boolean;
  /** What to report once undone. @default `stopped <label>` */
  readonly done?: string;
}

/** Resolves to `false` when there was nothing left to undo, so the report does not claim it. */
type UndoAction = () => Promise<unknown>;

interface Undo {
  readonly label: string;
  readonly done: string;
  readonly run: UndoAction;
  readonly timeoutMs: number;
}

type Outcome = { readonly done: string } | { readonly problem: string } | undefined;

export interface CleanupReport {
  readonly done: readonly string[];
  readonly problems: readonly string[];
}

/**
 * What the demo has started, undone newest first, exactly once, whatever happened before: success,
 * failure or a signal. Resources still starting when it runs are stopped as soon as they are up.
 */
export class Cleanup {
  private readonly undos: Undo[] = [];
  private readonly starting = new Set<Promise<unknown>>();
  private readonly late: Promise<Outcome>[] = [];
  private running: Promise<CleanupReport> | undefined;
  private draining = false;

  /** Registers what undoes a resource that exists now. */
  add(label: string, run: UndoAction, options: UndoOptions = {}): void {
    const undo = {
      label,
      run,
      done: options.done ?? `stopped ${label}`,
      timeoutMs: options.host ? HOST_STOP_MS : STOP_MS,
    };
    if (this.draining) {
      // Came up after the undo pass began: stop it straight away rather than leave it behind.
      this.late.push(attempt(undo));
      return;
    }
    this.undos.push(undo);
  }

  /** Starts a resource and registers its stop, even if cleanup begins while it is still starting. */
  async start<T>(
    label: string,
    begin: () => Promise<T>,
    stop: (resource: T) => Promise<unknown>,
    options: { host?: boolean; describe?: (resource: T) => { label: string; done?: string } } = {},
  ): Promise<T> {
    // Checked before anything starts: a resource begun after the undo pass could be missed by it.
    if (this.running !== undefined) throw new DemoError(`not starting ${label}: the demo is stopping`);
    const registered = begin().then((resource) => {
      const described = options.describe?.(resource) ?? { label };
      this.add(described.label, () => stop(resource), { host: options.host, done: described.done });
      return resource;
    });
    const settled = registered.catch(() => undefined);
    this.starting.add(settled);
    void settled.finally(() => this.starting.delete(settled));
    return registered;
  }

  /** Undoes everything and reports what it undid and what it could not. */
  run(): Promise<CleanupReport> {
    this.running ??= this.runAll();
    return this.running;
  }

  private async runAll(): Promise<CleanupReport> {
    await within(START_MS, 'waiting for services still starting', Promise.all(this.starting)).catch(() => {});
    this.draining = true;
    const outcomes: Outcome[] = [];
    for (const undo of this.undos.toReversed()) {
      outcomes.push(await attempt(undo));
    }
    outcomes.push(...(await Promise.all(this.late)));
    return {
      done: outcomes.flatMap((o) => (o && 'done' in o ? [o.done] : [])),
      problems: outcomes.flatMap((o) => (o && 'problem' in o ? [o.problem] : [])),
    };
  }
}

async function attempt(undo: Undo): Promise<Outcome> {
  try {
    const result = await within(undo.timeoutMs, `stopping ${undo.label}`, undo.run());
    return result === false ? undefined : { done: undo.done };
  } catch (error) {
    return { problem: `${undo.label}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

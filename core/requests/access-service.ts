import type { CacheGroupRef } from '#core/cache/refs';
import type { GroupOutcome } from '#core/membership/reconciler';
import { AccessCommands, type AccessOutcome } from './access-commands';
import type { AccessServiceDeps } from './access-deps';
import type { AccessRun } from './access-run';
import { Announcer } from './announcer';
import { EphemeralLifecycle } from './ephemeral-lifecycle';
import type { AccessCommand, Refusal } from './events-in';
import { type ScheduledRunOptions, ScheduledRuns } from './scheduled-run';
import { Settler } from './settle';

export type { AccessOutcome } from './access-commands';

/**
 * Requested access on top of the scheduled windows: the store records what was asked and decided,
 * and the reconciler, the only code that changes a group, applies it. The membership function's two
 * ways in: an access event, and a schedule's run.
 */
export class AccessService {
  private readonly commands: AccessCommands;
  private readonly scheduled: ScheduledRuns;

  constructor(deps: AccessServiceDeps) {
    const announcer = new Announcer(deps);
    const lifecycle = new EphemeralLifecycle(deps, announcer);
    const settler = new Settler(deps, lifecycle, announcer);
    this.commands = new AccessCommands(deps, { announcer, lifecycle, settler });
    this.scheduled = new ScheduledRuns(deps, { lifecycle, settler });
  }

  handle(command: AccessCommand, run: AccessRun): Promise<AccessOutcome> {
    return this.commands.handle(command, run);
  }

  refuse(refusal: Refusal): Promise<AccessOutcome> {
    return this.commands.refuse(refusal);
  }

  runScheduled(
    groups: readonly CacheGroupRef[],
    run: AccessRun,
    options: ScheduledRunOptions,
  ): Promise<GroupOutcome[]> {
    return this.scheduled.handle(groups, run, options);
  }
}

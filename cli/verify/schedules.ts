import { paginateListSchedules, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { failedRead, type Row } from './rows';

const CHECK = 'schedule';

/**
 * One row per schedule the stack declares: it must exist in one of the stack's schedule groups and be
 * ENABLED (a disabled one never fires, and nothing else says so). Schedules the membership function
 * makes at run time (expiries) are its own business and are not listed here.
 */
export async function scheduleRows(
  client: SchedulerClient,
  groupNames: readonly string[],
  scheduleNames: readonly string[],
): Promise<Row[]> {
  if (scheduleNames.length === 0) {
    return [{ check: CHECK, subject: '-', status: 'skip', detail: 'the stack declares no schedule' }];
  }
  const found = new Map<string, { readonly group: string; readonly state: string }>();
  const rows: Row[] = [];
  for (const group of groupNames) {
    try {
      for await (const page of paginateListSchedules({ client }, { GroupName: group })) {
        for (const { Name, State } of page.Schedules ?? []) {
          if (Name) found.set(Name, { group, state: State ?? 'unknown' });
        }
      }
    } catch (error) {
      rows.push(failedRead('schedule group', group, error));
    }
  }
  const where = groupNames.join(', ') || 'none';
  for (const name of scheduleNames) {
    const schedule = found.get(name);
    rows.push(
      schedule === undefined
        ? {
            check: CHECK,
            subject: name,
            status: 'fail',
            detail: `missing from the stack's groups (${where})`,
          }
        : {
            check: CHECK,
            subject: `${schedule.group}/${name}`,
            status: schedule.state === 'ENABLED' ? 'ok' : 'fail',
            detail: schedule.state === 'ENABLED' ? 'enabled' : `state ${schedule.state}: it never fires`,
          },
    );
  }
  return rows;
}

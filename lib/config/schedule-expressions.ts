/**
 * The rate() and cron() forms Secrets Manager and EventBridge Scheduler accept, checked at synth
 * so that a schedule the service would refuse never reaches a deploy.
 */

const UNIT_MINUTES = { minute: 1, hour: 60, day: 1440 } as const;

/** `rate(N unit)` in minutes; the unit is singular exactly when N is 1, as AWS requires. */
export function rateMinutes(expression: string): number | undefined {
  const match = /^rate\((\d+) (minute|hour|day)(s?)\)$/.exec(expression);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const plural = match[3] === 's';
  if (amount < 1 || plural === (amount === 1)) return undefined;
  return amount * UNIT_MINUTES[match[2] as keyof typeof UNIT_MINUTES];
}

/** The six fields of `cron(min hour day-of-month month day-of-week year)`, when exactly one day field is `?`. */
function cronFields(expression: string): string[] | undefined {
  const fields = /^cron\((.+)\)$/.exec(expression)?.[1]?.trim().split(/\s+/);
  if (fields?.length !== 6) return undefined;
  const [, , dayOfMonth, , dayOfWeek] = fields;
  return (dayOfMonth === '?') !== (dayOfWeek === '?') ? fields : undefined;
}

export function isSchedulerExpression(expression: string): boolean {
  return rateMinutes(expression) !== undefined || cronFields(expression) !== undefined;
}

const FOUR_HOURS = 4 * 60;

/** Secrets Manager: rate() in hours or days, from every 4 hours to every 1000 days; cron minute 0, hours 4 apart. */
export function isRotationSchedule(expression: string): boolean {
  const minutes = rateMinutes(expression);
  if (minutes !== undefined) {
    return !expression.includes('minute') && minutes >= FOUR_HOURS && minutes <= 1000 * UNIT_MINUTES.day;
  }
  const fields = cronFields(expression);
  return fields?.[0] === '0' && hoursAtLeastFourApart(fields[1] ?? '');
}

/** A cron hour field whose firings are at least four hours apart, including across midnight. */
function hoursAtLeastFourApart(field: string): boolean {
  const step = /^(\*|\d+)\/(\d+)$/.exec(field);
  if (step) return Number(step[2]) >= 4;
  if (!/^\d+(,\d+)*$/.test(field)) return false;
  const hours = [...new Set(field.split(',').map(Number))].sort((a, b) => a - b);
  if (hours.some((hour) => hour > 23)) return false;
  return hours.every((hour, i) => {
    const next = hours[i + 1] ?? (hours[0] ?? 0) + 24;
    return hours.length === 1 || next - hour >= 4;
  });
}

import { DateTime } from 'luxon';

/** The stretch of time a timeline shows: whole calendar days in the zone it is drawn in. */
export interface TimeRange {
  readonly fromMs: number;
  readonly toMs: number;
  /** The IANA zone every time on the page is shown in. */
  readonly zone: string;
  /** Each calendar day of the range as it falls in `zone`: 23 or 25 hours long on a DST change. */
  readonly days: readonly { readonly fromMs: number; readonly toMs: number }[];
}

/**
 * `days` calendar days in `zone`, the first the one `nowMs` falls on. Days are counted on the zone's
 * calendar by Luxon, so a day the clocks change on is as long as it really is.
 */
export function calendarDays(nowMs: number, days: number, zone: string): TimeRange {
  const first = DateTime.fromMillis(nowMs, { zone }).startOf('day');
  const bounds = Array.from({ length: days + 1 }, (_, index) => first.plus({ days: index }).toMillis());
  return {
    fromMs: bounds[0] ?? nowMs,
    toMs: bounds[days] ?? nowMs,
    zone,
    days: bounds.slice(0, -1).map((fromMs, index) => ({ fromMs, toMs: bounds[index + 1] ?? fromMs })),
  };
}

/** A time as the page prints it, in the range's zone with its offset: `Mon 7 Dec 09:00 +01:00`. */
export function wallTime(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('ccc d LLL HH:mm ZZ');
}

/** The day as a column heading: `Mon 7 Dec`. */
export function dayHeading(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('ccc d LLL');
}

import { Duration } from 'luxon';

/** The longest access anyone can request: 30 days. */
const MAX_REQUEST_MS = 30 * 86_400_000;

/**
 * An ISO 8601 duration in milliseconds, or why it is not one this project accepts. Years and months
 * are refused: their length depends on the calendar, and an expiry must be exact.
 */
export function durationMs(iso: string): number | string {
  if (!/^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(iso)) {
    return 'expected an ISO 8601 duration in weeks, days, hours, minutes or seconds, such as PT8H or P2D';
  }
  const ms = Duration.fromISO(iso).toMillis();
  if (!(ms > 0)) return 'expected a duration greater than zero';
  if (ms > MAX_REQUEST_MS) return 'expected at most P30D';
  return ms;
}

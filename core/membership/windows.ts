import { DateTime, IANAZone } from 'luxon';
import { type AccessWindow, DAYS, isRecurring, type RecurringWindow } from './grant';

/** One stretch of time a window is open: from `opens` (inclusive) to `closes` (exclusive), epoch ms. */
export interface Opening {
  readonly opens: number;
  readonly closes: number;
}

/**
 * Every opening of `window` that overlaps [fromMs, toMs). Local times are resolved by Luxon in the
 * window's own zone: a start inside a spring-forward gap moves to the first valid minute after it,
 * and an ambiguous fall-back time resolves to the later (standard time) instant.
 */
export function openingsBetween(window: AccessWindow, fromMs: number, toMs: number): Opening[] {
  if (!isRecurring(window)) {
    const opening = {
      opens: DateTime.fromISO(window.start).toMillis(),
      closes: DateTime.fromISO(window.end).toMillis(),
    };
    return opening.opens < toMs && opening.closes > fromMs ? [opening] : [];
  }
  const openings: Opening[] = [];
  // Start a calendar day early: an overnight window that opened yesterday may still be open. (Not
  // 24 hours early: after a 25-hour fall-back day that is still the same day.)
  let day = DateTime.fromMillis(fromMs, { zone: window.timeZone }).startOf('day').minus({ days: 1 });
  const last = DateTime.fromMillis(toMs, { zone: window.timeZone }).startOf('day');
  while (day <= last) {
    if (window.days.includes(DAYS[day.weekday - 1] ?? 'MON')) {
      const opening = openingOn(window, day);
      if (opening.opens < toMs && opening.closes > fromMs) openings.push(opening);
    }
    day = day.plus({ days: 1 });
  }
  return openings;
}

export function isOpenAt(window: AccessWindow, atMs: number): boolean {
  return openingsBetween(window, atMs, atMs + 1).some((o) => o.opens <= atMs && atMs < o.closes);
}

function openingOn(window: RecurringWindow, day: DateTime): Opening {
  const overnight = window.to < window.from;
  return {
    opens: localInstant(day, window.from, window.timeZone),
    closes: localInstant(overnight ? day.plus({ days: 1 }) : day, window.to, window.timeZone),
  };
}

const HALF_DAY_MS = 43_200_000;

/**
 * The instant a local wall time happens on a date, decided from the zone's rules alone. (Luxon's
 * fromObject picks between the two offsets of a fall-back hour by the offset in force today, so
 * its answer would change with the season the code runs in.) An ambiguous time resolves to the
 * later instant; a time inside a spring-forward gap to the first minute after the gap.
 */
function localInstant(date: DateTime, time: string, timeZone: string): number {
  const [hour = 0, minute = 0] = time.split(':').map(Number);
  const zone = IANAZone.create(timeZone);
  const wallAsUtc = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  // The offsets in force half a day either side cover every transition a wall time can fall into.
  const offsets = [zone.offset(wallAsUtc - HALF_DAY_MS), zone.offset(wallAsUtc + HALF_DAY_MS)];
  const candidates = offsets
    .map((offsetMinutes) => wallAsUtc - offsetMinutes * 60_000)
    .filter((instant) => zone.offset(instant) * 60_000 === wallAsUtc - instant);
  if (candidates.length > 0) return Math.max(...candidates);
  // In a gap: the clocks jumped at the one instant between the two readings where the offset changes.
  const [before = 0, after = 0] = offsets;
  let low = wallAsUtc - before * 60_000 - HALF_DAY_MS / 12;
  let high = wallAsUtc - after * 60_000 + HALF_DAY_MS / 12;
  while (high - low > 60_000) {
    const middle = low + Math.floor((high - low) / 120_000) * 60_000;
    if (zone.offset(middle) === before) low = middle;
    else high = middle;
  }
  return high;
}

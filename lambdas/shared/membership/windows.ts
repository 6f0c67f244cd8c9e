import { DateTime } from 'luxon';
import { type AccessWindow, DAYS, isRecurring, type RecurringWindow } from './plan';

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
  const at = (date: DateTime, time: string) => {
    const [hour, minute] = time.split(':').map(Number);
    const resolved = DateTime.fromObject(
      { year: date.year, month: date.month, day: date.day, hour, minute },
      { zone: window.timeZone },
    );
    if (resolved.hour === hour && resolved.minute === minute) return resolved;
    // A time inside a spring-forward gap: Luxon moves it on by the whole gap (02:30 → 03:30); step
    // back to the first minute after the jump, where the offset still is the later one (03:00).
    let first = resolved;
    while (first.minus({ minutes: 1 }).offset === resolved.offset) first = first.minus({ minutes: 1 });
    return first;
  };
  const overnight = window.to < window.from;
  return {
    opens: at(day, window.from).toMillis(),
    closes: at(overnight ? day.plus({ days: 1 }) : day, window.to).toMillis(),
  };
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Day, OneTimeWindow, RecurringWindow } from '#core/membership/grant';
import { isOpenAt, type Opening, openingsBetween } from '#core/membership/windows';

const HOUR = 3_600_000;
const ALL_DAYS: Day[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
const WEEKDAYS: Day[] = ['MON', 'TUE', 'WED', 'THU', 'FRI'];

const recurring = (days: Day[], from: string, to: string, timeZone: string): RecurringWindow => ({
  days,
  from,
  to,
  timeZone,
});

/** Epoch ms of an ISO 8601 instant with an offset. */
const ms = (iso: string) => {
  const value = Date.parse(iso);
  if (Number.isNaN(value)) throw new Error(`bad instant in test: ${iso}`);
  return value;
};

const iso = (opening: Opening) => ({
  opens: new Date(opening.opens).toISOString(),
  closes: new Date(opening.closes).toISOString(),
});

/** The only opening of `window` that overlaps [from, to). */
function onlyOpening(window: RecurringWindow | OneTimeWindow, from: string, to: string): Opening {
  const openings = openingsBetween(window, ms(from), ms(to));
  expect(openings, `openings between ${from} and ${to}`).toHaveLength(1);
  return openings[0] as Opening;
}

describe('isOpenAt with a recurring window', () => {
  const businessHours = recurring(WEEKDAYS, '09:00', '17:00', 'Europe/Berlin');

  it.each([
    ['Monday 09:00 Berlin', '2026-06-01T09:00:00+02:00', true],
    ['Friday 16:59 Berlin', '2026-06-05T16:59:59.999+02:00', true],
    ['Monday 08:59 Berlin', '2026-06-01T08:59:59.999+02:00', false],
    ['Monday 17:00 Berlin', '2026-06-01T17:00:00+02:00', false],
    ['Saturday 12:00 Berlin, a day not listed', '2026-06-06T12:00:00+02:00', false],
    ['Sunday 12:00 Berlin, a day not listed', '2026-06-07T12:00:00+02:00', false],
  ])('says the weekday 09:00-17:00 Berlin window is open at %s: %s', (_, at, open) => {
    // Act
    const result = isOpenAt(businessHours, ms(at));

    // Assert
    expect(result).toBe(open);
  });

  it('opens at the opening minute and closes at the closing minute exactly, to the millisecond', () => {
    // Arrange
    const opens = ms('2026-06-03T09:00:00+02:00');
    const closes = ms('2026-06-03T17:00:00+02:00');

    // Act
    const around = [opens - 1, opens, closes - 1, closes].map((at) => isOpenAt(businessHours, at));

    // Assert
    expect(around).toEqual([false, true, true, false]);
  });

  it("reads from and to in the window's own time zone, not in UTC", () => {
    // Arrange
    const newYork = recurring(WEEKDAYS, '09:00', '17:00', 'America/New_York');

    // Act
    const at = (instant: string) => [isOpenAt(newYork, ms(instant)), isOpenAt(businessHours, ms(instant))];

    // Assert
    // 12:00Z is 08:00 in New York (EDT, UTC-4) and 14:00 in Berlin (CEST, UTC+2).
    expect(at('2026-06-03T12:00:00Z')).toEqual([false, true]);
    // 16:00Z is 12:00 in New York and 18:00 in Berlin.
    expect(at('2026-06-03T16:00:00Z')).toEqual([true, false]);
  });

  it("takes the day of week in the window's own time zone", () => {
    // Arrange
    const tokyoMonday = recurring(['MON'], '06:00', '10:00', 'Asia/Tokyo');

    // Act
    // Sunday 22:00 UTC is Monday 07:00 in Tokyo.
    const open = isOpenAt(tokyoMonday, ms('2026-06-07T22:00:00Z'));

    // Assert
    expect(open).toBe(true);
  });
});

describe('isOpenAt with an overnight window', () => {
  const fridayNight = recurring(['FRI'], '22:00', '05:30', 'Europe/Berlin');

  it.each([
    ['Friday 22:00, its opening', '2026-06-05T22:00:00+02:00', true],
    ['Friday 23:59', '2026-06-05T23:59:00+02:00', true],
    ['Saturday 00:00, past midnight', '2026-06-06T00:00:00+02:00', true],
    ['Saturday 05:29', '2026-06-06T05:29:59.999+02:00', true],
    ['Saturday 05:30, its closing', '2026-06-06T05:30:00+02:00', false],
    ['Friday 21:59', '2026-06-05T21:59:59.999+02:00', false],
    ['Friday 03:00, the morning of the listed day', '2026-06-05T03:00:00+02:00', false],
    ['Saturday 23:00, a night not listed', '2026-06-06T23:00:00+02:00', false],
  ])('says the Friday 22:00-05:30 window is open at %s: %s', (_, at, open) => {
    // Act
    const result = isOpenAt(fridayNight, ms(at));

    // Assert
    expect(result).toBe(open);
  });

  it('runs a Sunday night window into Monday morning of the next week', () => {
    // Arrange
    const sundayNight = recurring(['SUN'], '23:00', '02:00', 'Europe/Berlin');

    // Act
    const mondayOne = isOpenAt(sundayNight, ms('2026-06-08T01:00:00+02:00'));
    const sundayOne = isOpenAt(sundayNight, ms('2026-06-07T01:00:00+02:00'));

    // Assert
    expect(mondayOne).toBe(true);
    expect(sundayOne).toBe(false);
  });

  it('treats a window ending at 00:00 as running to midnight of the next day', () => {
    // Arrange
    const lateEvening = recurring(['MON'], '20:00', '00:00', 'Europe/Berlin');

    // Act
    const opening = onlyOpening(lateEvening, '2026-06-01T00:00:00+02:00', '2026-06-02T12:00:00+02:00');

    // Assert
    expect(iso(opening)).toEqual({ opens: '2026-06-01T18:00:00.000Z', closes: '2026-06-01T22:00:00.000Z' });
  });
});

describe('isOpenAt with a one-time window', () => {
  const contract: OneTimeWindow = { start: '2026-12-01T09:00:00+01:00', end: '2026-12-15T18:00:00+01:00' };

  it.each([
    ['its start', '2026-12-01T08:00:00Z', true],
    ['a millisecond before its start', '2026-12-01T07:59:59.999Z', false],
    ['a weekend in the middle', '2026-12-06T03:00:00Z', true],
    ['a millisecond before its end', '2026-12-15T16:59:59.999Z', true],
    ['its end', '2026-12-15T17:00:00Z', false],
    ['the next year', '2027-01-01T00:00:00Z', false],
  ])('says the window is open at %s: %s', (_, at, open) => {
    // Act
    const result = isOpenAt(contract, ms(at));

    // Assert
    expect(result).toBe(open);
  });

  it('honours the offset written in start and end', () => {
    // Arrange
    const utcMorning: OneTimeWindow = { start: '2026-12-01T09:00:00Z', end: '2026-12-01T10:00:00Z' };
    const newYorkMorning: OneTimeWindow = {
      start: '2026-12-01T09:00:00-05:00',
      end: '2026-12-01T10:00:00-05:00',
    };

    // Act
    const at = ms('2026-12-01T14:30:00Z');

    // Assert
    expect(isOpenAt(utcMorning, at)).toBe(false);
    expect(isOpenAt(newYorkMorning, at)).toBe(true);
  });
});

describe('windows across the 2026 daylight saving transitions', () => {
  it.each([
    ['Europe/Berlin spring forward', 'Europe/Berlin', '2026-03-28', '2026-03-29', 1],
    ['Europe/Berlin fall back', 'Europe/Berlin', '2026-10-24', '2026-10-25', -1],
    ['America/New_York spring forward', 'America/New_York', '2026-03-07', '2026-03-08', 1],
    ['America/New_York fall back', 'America/New_York', '2026-10-31', '2026-11-01', -1],
  ])(
    'opens a 09:00-17:00 window at 09:00 local on the %s day, an hour off the day before in UTC',
    (_, zone, dayBefore, transitionDay, hoursEarlier) => {
      // Arrange
      const window = recurring(ALL_DAYS, '09:00', '17:00', zone);
      const dayOf = (date: string) => onlyOpening(window, `${date}T00:00:00Z`, `${date}T23:59:59Z`);

      // Act
      const before = dayOf(dayBefore);
      const transition = dayOf(transitionDay);

      // Assert
      expect(transition.opens - (before.opens + 24 * HOUR)).toBe(-hoursEarlier * HOUR);
      expect(transition.closes - transition.opens).toBe(8 * HOUR);
      expect(isOpenAt(window, transition.opens)).toBe(true);
      expect(isOpenAt(window, transition.opens - 1)).toBe(false);
    },
  );

  it.each([
    ['Europe/Berlin', '2026-03-28', '2026-03-29', '08:00', '07:00'],
    ['Europe/Berlin', '2026-10-24', '2026-10-25', '07:00', '08:00'],
    ['America/New_York', '2026-03-07', '2026-03-08', '14:00', '13:00'],
    ['America/New_York', '2026-10-31', '2026-11-01', '13:00', '14:00'],
  ])('opens 09:00 %s at %s %sZ and at %s %sZ', (zone, dayBefore, transitionDay, utcBefore, utcOn) => {
    // Arrange
    const window = recurring(ALL_DAYS, '09:00', '17:00', zone);

    // Act
    const opens = [dayBefore, transitionDay].map(
      (date) => iso(onlyOpening(window, `${date}T00:00:00Z`, `${date}T23:59:59Z`)).opens,
    );

    // Assert
    expect(opens).toEqual([`${dayBefore}T${utcBefore}:00.000Z`, `${transitionDay}T${utcOn}:00.000Z`]);
  });

  it.each([
    ['Europe/Berlin', '2026-03-29', '2026-03-29T01:00:00.000Z'],
    ['America/New_York', '2026-03-08', '2026-03-08T07:00:00.000Z'],
  ])(
    'opens a window starting at 02:30 %s on %s, inside the spring-forward gap, at the first valid minute 03:00',
    (zone, date, firstValidMinute) => {
      // Arrange
      const window = recurring(['SUN'], '02:30', '06:00', zone);

      // Act
      const opening = onlyOpening(window, `${date}T00:00:00Z`, `${date}T23:59:59Z`);

      // Assert
      expect(iso(opening).opens).toBe(firstValidMinute);
      expect(isOpenAt(window, ms(firstValidMinute))).toBe(true);
      expect(isOpenAt(window, ms(firstValidMinute) - 1)).toBe(false);
    },
  );

  it('closes a window ending at 02:30 Berlin inside the spring-forward gap at the first valid minute 03:00', () => {
    // Arrange
    const window = recurring(['SUN'], '01:00', '02:30', 'Europe/Berlin');

    // Act
    const opening = onlyOpening(window, '2026-03-29T00:00:00+01:00', '2026-03-29T12:00:00+02:00');

    // Assert
    expect(iso(opening)).toEqual({ opens: '2026-03-29T00:00:00.000Z', closes: '2026-03-29T01:00:00.000Z' });
  });

  it.each([
    ['Europe/Berlin', '2026-10-25', '02:30', '2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z'],
    ['America/New_York', '2026-11-01', '01:30', '2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z'],
  ])(
    'opens a window at the ambiguous fall-back time in %s on %s at the later, standard-time %s',
    (zone, date, from, earlier, later) => {
      // Arrange
      const window = recurring(['SUN'], from, '08:00', zone);

      // Act
      const opening = onlyOpening(window, `${date}T00:00:00Z`, `${date}T23:59:59Z`);

      // Assert
      expect(opening.opens).toBe(ms(later));
      expect(isOpenAt(window, ms(earlier))).toBe(false);
      expect(isOpenAt(window, ms(later))).toBe(true);
    },
  );

  describe('whatever season the code runs in', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it.each(['2027-07-01T12:00:00Z', '2027-01-15T12:00:00Z'])(
      'resolves the ambiguous Berlin 02:30 on 25 October 2026 to the later instant when today is %s',
      (today) => {
        // Arrange: Luxon on its own picks the offset in force today
        vi.useFakeTimers({ now: new Date(today) });
        const window = recurring(['SUN'], '02:30', '08:00', 'Europe/Berlin');

        // Act
        const opening = onlyOpening(window, '2026-10-25T00:00:00Z', '2026-10-25T23:59:59Z');

        // Assert
        expect(opening.opens).toBe(ms('2026-10-25T01:30:00Z'));
      },
    );
  });

  it.each([
    ['Europe/Berlin', '22:00', '06:00', '2026-03-28', 7],
    ['Europe/Berlin', '22:00', '06:00', '2026-10-24', 9],
    ['America/New_York', '22:00', '05:30', '2026-03-07', 6.5],
    ['America/New_York', '22:00', '05:30', '2026-10-31', 8.5],
    ['America/New_York', '22:00', '05:30', '2026-06-06', 7.5],
  ])(
    'gives an overnight %s %s-%s window opening on %s a length of %s real hours',
    (zone, from, to, date, hours) => {
      // Arrange
      const window = recurring(['SAT'], from, to, zone);
      const noon = ms(`${date}T12:00:00Z`);

      // Act
      const openings = openingsBetween(window, noon, noon + 24 * HOUR);

      // Assert
      expect(openings).toHaveLength(1);
      const [opening] = openings as [Opening];
      expect(opening.closes - opening.opens).toBe(hours * HOUR);
    },
  );

  it('keeps a nearly day-long overnight window open late on the 25-hour fall-back day', () => {
    // Arrange
    // Opens Saturday 24 October 23:59 CEST, closes Sunday 25 October 23:30 CET: 24.5 real hours.
    const window = recurring(['SAT'], '23:59', '23:30', 'Europe/Berlin');
    const sundayLate = ms('2026-10-25T23:15:00+01:00');

    // Act
    const open = isOpenAt(window, sundayLate);

    // Assert
    expect(open).toBe(true);
  });
});

describe('openingsBetween', () => {
  it('lists the five openings of a weekday window over a week, in order', () => {
    // Arrange
    const window = recurring(WEEKDAYS, '09:00', '18:00', 'Europe/Berlin');

    // Act
    const openings = openingsBetween(
      window,
      ms('2026-06-01T00:00:00+02:00'),
      ms('2026-06-08T00:00:00+02:00'),
    );

    // Assert
    expect(openings.map(iso)).toEqual(
      ['01', '02', '03', '04', '05'].map((day) => ({
        opens: `2026-06-${day}T07:00:00.000Z`,
        closes: `2026-06-${day}T16:00:00.000Z`,
      })),
    );
  });

  it('includes the overnight opening that began before the range and is still open at its start', () => {
    // Arrange
    const window = recurring(['MON', 'FRI'], '22:00', '05:30', 'America/New_York');

    // Act
    // Saturday 6 June 00:00 to Saturday 13 June 00:00, New York time (EDT, UTC-4).
    const openings = openingsBetween(
      window,
      ms('2026-06-06T00:00:00-04:00'),
      ms('2026-06-13T00:00:00-04:00'),
    );

    // Assert
    expect(openings.map(iso)).toEqual([
      { opens: '2026-06-06T02:00:00.000Z', closes: '2026-06-06T09:30:00.000Z' },
      { opens: '2026-06-09T02:00:00.000Z', closes: '2026-06-09T09:30:00.000Z' },
      { opens: '2026-06-13T02:00:00.000Z', closes: '2026-06-13T09:30:00.000Z' },
    ]);
  });

  it('leaves out an opening that closes exactly at the start of the range or opens exactly at its end', () => {
    // Arrange
    const window = recurring(ALL_DAYS, '09:00', '17:00', 'Etc/UTC');

    // Act
    const openings = openingsBetween(window, ms('2026-06-01T17:00:00Z'), ms('2026-06-02T09:00:00Z'));

    // Assert
    expect(openings).toEqual([]);
  });

  it('lists a one-time window only over a range it overlaps', () => {
    // Arrange
    const window: OneTimeWindow = { start: '2026-12-01T09:00:00+01:00', end: '2026-12-15T18:00:00+01:00' };

    // Act
    const overlapping = openingsBetween(window, ms('2026-12-14T00:00:00Z'), ms('2026-12-21T00:00:00Z'));
    const after = openingsBetween(window, ms('2026-12-15T17:00:00Z'), ms('2026-12-22T00:00:00Z'));

    // Assert
    expect(overlapping.map(iso)).toEqual([
      { opens: '2026-12-01T08:00:00.000Z', closes: '2026-12-15T17:00:00.000Z' },
    ]);
    expect(after).toEqual([]);
  });
});

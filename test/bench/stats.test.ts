import { describe, expect, it } from 'vitest';
import { median, row, table } from '../../bench/stats';

describe('bench statistics', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('prints the ratio against the baseline, and a dash when the baseline is zero', () => {
    const printed = table([row('s', 'time', 's', 1, 4), row('s', 'throttled', 'responses', 12, 0)]);

    expect(printed).toMatch(/\| time +\| s +\| 1 +\| 4 +\| 0\.25x \|/);
    expect(printed).toMatch(/\| throttled +\| responses \| 12 +\| 0 +\| — +\|/);
  });

  it('prints the note, where the physical limit of a row is given', () => {
    const printed = table([row('requests', 'event to login', 's', 2.04, 7.02, 'physical limit 2 s')]);

    expect(printed).toMatch(/\| 0\.29x \| physical limit 2 s \|/);
  });
});

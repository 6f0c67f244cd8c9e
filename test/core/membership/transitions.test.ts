import { describe, expect, it } from 'vitest';
import { parseGroupArn } from '#core/cache/refs';
import { transitionsBetween } from '#core/membership/transitions';
import { grantsOf } from '../../../local/functions/membership';

const GROUP = parseGroupArn('arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug');
const at = (iso: string) => Date.parse(iso);
const grants = grantsOf([
  {
    name: 'office',
    groupArn: GROUP.arn,
    users: ['alice', 'dave'],
    windows: [{ days: ['MON', 'TUE'], from: '09:00', to: '18:00', timeZone: 'Europe/Berlin' }],
  },
  {
    name: 'late',
    groupArn: GROUP.arn,
    users: ['dave'],
    windows: [{ days: ['MON'], from: '17:00', to: '20:00', timeZone: 'Europe/Berlin' }],
  },
  {
    name: 'elsewhere',
    groupArn: 'arn:aws:memorydb:eu-west-1:123456789012:acl/other',
    users: ['bob'],
    windows: [{ start: '2026-12-07T10:00:00Z', end: '2026-12-07T11:00:00Z' }],
  },
]);

describe('transitionsBetween', () => {
  it('lists each change in order, merging users that change at the same moment', () => {
    // Act: Monday 7 December 2026, from 08:00 Berlin until Tuesday night
    const transitions = transitionsBetween(
      grants,
      GROUP,
      at('2026-12-07T07:00:00Z'),
      at('2026-12-08T22:00:00Z'),
    );

    // Assert
    expect(
      transitions.map((t) => ({ at: new Date(t.atMs).toISOString(), add: t.add, remove: t.remove })),
    ).toEqual([
      { at: '2026-12-07T08:00:00.000Z', add: ['alice', 'dave'], remove: [] },
      { at: '2026-12-07T17:00:00.000Z', add: [], remove: ['alice'] },
      { at: '2026-12-07T19:00:00.000Z', add: [], remove: ['dave'] },
      { at: '2026-12-08T08:00:00.000Z', add: ['alice', 'dave'], remove: [] },
      { at: '2026-12-08T17:00:00.000Z', add: [], remove: ['alice', 'dave'] },
    ]);
  });

  it('skips an edge where an overlapping grant keeps the user in', () => {
    // Act: office closes 18:00 Berlin but late (17:00-20:00) still holds dave
    const transitions = transitionsBetween(
      grants,
      GROUP,
      at('2026-12-07T16:30:00Z'),
      at('2026-12-07T17:30:00Z'),
    );

    // Assert
    expect(transitions).toEqual([{ atMs: at('2026-12-07T17:00:00Z'), add: [], remove: ['alice'] }]);
  });

  it('includes an edge at the end of the range and excludes one at its start', () => {
    const transitions = transitionsBetween(
      grants,
      GROUP,
      at('2026-12-07T08:00:00Z'),
      at('2026-12-07T17:00:00Z'),
    );

    expect(transitions.map((t) => t.atMs)).toEqual([at('2026-12-07T17:00:00Z')]);
  });
});

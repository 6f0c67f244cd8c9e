import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '#shared/errors';
import { parseGrants } from '#shared/membership/grants';

const GRANT = {
  name: 'oncall',
  groupArn: 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug',
  users: ['alice'],
  windows: [
    { days: ['MON'], from: '09:00', to: '17:00', timeZone: 'Europe/Berlin' },
    { start: '2026-12-01T09:00:00+01:00', end: '2026-12-15T18:00:00+01:00' },
  ],
};

describe('parseGrants', () => {
  it('reads back the grants the stack serialized', () => {
    // Arrange
    const json = JSON.stringify([GRANT]);

    // Act
    const grants = parseGrants(json, 'MEMBERSHIP_GRANTS');

    // Assert
    expect(grants).toEqual([GRANT]);
  });

  it('accepts an empty list', () => {
    // Act
    const grants = parseGrants('[]', 'MEMBERSHIP_GRANTS');

    // Assert
    expect(grants).toEqual([]);
  });

  it('names the source when the value is not JSON', () => {
    // Act
    const parse = () => parseGrants('[{', 'MEMBERSHIP_GRANTS');

    // Assert
    expect(parse).toThrow(ConfigurationError);
    expect(parse).toThrow('MEMBERSHIP_GRANTS is not valid JSON');
  });

  it.each([
    ['an object instead of a list', { grants: [GRANT] }, 'expected array'],
    [
      'a grant with the default user',
      [{ ...GRANT, users: ['default'] }],
      "the 'default' user is never managed",
    ],
    ['a grant without windows', [{ ...GRANT, windows: [] }], 'expected at least one window'],
    [
      'a window in an unknown time zone',
      [{ ...GRANT, windows: [{ days: ['MON'], from: '09:00', to: '17:00', timeZone: 'Mars/Olympus' }] }],
      'expected an IANA time zone',
    ],
  ])('refuses %s, naming the source and the problem', (_, value, problem) => {
    // Act
    const parse = () => parseGrants(JSON.stringify(value), 'MEMBERSHIP_GRANTS');

    // Assert
    expect(parse).toThrow(ConfigurationError);
    expect(parse).toThrow('MEMBERSHIP_GRANTS is not a list of grants');
    expect(parse).toThrow(problem);
  });
});

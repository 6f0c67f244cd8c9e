import { describe, expect, it } from 'vitest';
import { parseGroupArn } from '#shared/cache/refs';
import { DeployedConfigError } from '#shared/errors';
import type { Grant, GrantSpec } from '#shared/membership/grant';
import { grantsFileContent, readGrantsFile } from '#shared/membership/grants-file';

const GRANT: GrantSpec = {
  name: 'oncall',
  groupArn: 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug',
  users: ['alice'],
  windows: [
    { days: ['MON'], from: '09:00', to: '17:00', timeZone: 'Europe/Berlin' },
    { start: '2026-12-01T09:00:00+01:00', end: '2026-12-15T18:00:00+01:00' },
  ],
};

describe('the grants file', () => {
  it('reads back the grants the stack wrote, with the group ARN parsed', () => {
    // Arrange
    const { groupArn, ...rest } = GRANT;
    const grant: Grant = { ...rest, group: parseGroupArn(groupArn) };

    // Act
    const grants = readGrantsFile(grantsFileContent([grant]), 'MEMBERSHIP_GRANTS');

    // Assert
    expect(grants).toEqual([grant]);
  });

  it('writes the grants as the config spells them', () => {
    // Act
    const written = grantsFileContent(readGrantsFile(JSON.stringify([GRANT]), 'MEMBERSHIP_GRANTS'));

    // Assert
    expect(JSON.parse(written)).toEqual([GRANT]);
  });

  it('accepts an empty list', () => {
    // Act
    const grants = readGrantsFile('[]', 'MEMBERSHIP_GRANTS');

    // Assert
    expect(grants).toEqual([]);
  });

  it('names the source when the value is not JSON', () => {
    // Act
    const parse = () => readGrantsFile('[{', 'MEMBERSHIP_GRANTS');

    // Assert
    expect(parse).toThrow(DeployedConfigError);
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
    const parse = () => readGrantsFile(JSON.stringify(value), 'MEMBERSHIP_GRANTS');

    // Assert
    expect(parse).toThrow(DeployedConfigError);
    expect(parse).toThrow('MEMBERSHIP_GRANTS is not a list of grants');
    expect(parse).toThrow(problem);
  });
});

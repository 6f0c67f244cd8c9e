import { describe, expect, it } from 'vitest';
import { parseGroupArn } from '#core/cache/refs';
import type { Grant, GrantSpec } from '#core/membership/grant';
import { membershipConfigFileContent, readMembershipConfigFile } from '#core/requests/config-file';
import { requestsSpecSchema, resolveRequests } from '#core/requests/rules';
import { DeployedConfigError } from '#core/runtime/errors';

const GRANT: GrantSpec = {
  name: 'oncall',
  groupArn: 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug',
  users: ['alice'],
  windows: [
    { days: ['MON'], from: '09:00', to: '17:00', timeZone: 'Europe/Berlin' },
    { start: '2026-12-01T09:00:00+01:00', end: '2026-12-15T18:00:00+01:00' },
  ],
};

describe('the membership config file', () => {
  it('reads back the grants the stack wrote, with the group ARN parsed', () => {
    // Arrange
    const { groupArn, ...rest } = GRANT;
    const grant: Grant = { ...rest, group: parseGroupArn(groupArn) };

    // Act
    const { grants } = readMembershipConfigFile(
      membershipConfigFileContent({ grants: [grant] }),
      'MEMBERSHIP_CONFIG',
    );

    // Assert
    expect(grants).toEqual([grant]);
  });

  it('writes the grants as the config spells them', () => {
    // Act
    const written = membershipConfigFileContent(
      readMembershipConfigFile(JSON.stringify({ grants: [GRANT] }), 'MEMBERSHIP_CONFIG'),
    );

    // Assert
    expect(JSON.parse(written)).toEqual({ grants: [GRANT] });
  });

  it('accepts an empty list', () => {
    // Act
    const grants = readMembershipConfigFile('{"grants":[]}', 'MEMBERSHIP_CONFIG').grants;

    // Assert
    expect(grants).toEqual([]);
  });

  it('names the source when the value is not JSON', () => {
    // Act
    const parse = () => readMembershipConfigFile('[{', 'MEMBERSHIP_CONFIG');

    // Assert
    expect(parse).toThrow(DeployedConfigError);
    expect(parse).toThrow('MEMBERSHIP_CONFIG is not valid JSON');
  });

  it.each([
    ['a list instead of an object', [GRANT], 'expected object'],
    [
      'a grant with the default user',
      { grants: [{ ...GRANT, users: ['default'] }] },
      "the 'default' user is never managed",
    ],
    ['a grant without windows', { grants: [{ ...GRANT, windows: [] }] }, 'expected at least one window'],
    [
      'a window in an unknown time zone',
      {
        grants: [
          { ...GRANT, windows: [{ days: ['MON'], from: '09:00', to: '17:00', timeZone: 'Mars/Olympus' }] },
        ],
      },
      'expected an IANA time zone',
    ],
  ])('refuses %s, naming the source and the problem', (_, value, problem) => {
    // Act
    const parse = () => readMembershipConfigFile(JSON.stringify(value), 'MEMBERSHIP_CONFIG');

    // Assert
    expect(parse).toThrow(DeployedConfigError);
    expect(parse).toThrow('MEMBERSHIP_CONFIG is not the membership configuration');
    expect(parse).toThrow(problem);
  });

  it("carries the request rules with each rule's maximum settled", () => {
    // Arrange
    const requests = resolveRequests(
      requestsSpecSchema.parse({
        maxDuration: 'PT8H',
        rules: [{ name: 'oncall', groupArn: GRANT.groupArn, users: ['alice'] }],
      }),
    );

    // Act
    const read = readMembershipConfigFile(
      membershipConfigFileContent({ grants: [], requests }),
      'MEMBERSHIP_CONFIG',
    );

    // Assert
    expect(read.requests).toEqual(requests);
    expect(read.requests?.rules[0]?.maxDurationMs).toBe(8 * 3_600_000);
  });
});

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lib/config/load';
import { configErrorOf, problemAt } from '../../support/config';

const GROUP = 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug';
const ACL = 'arn:aws:memorydb:eu-west-1:123456789012:acl/prod-acl';
const RULE = { name: 'oncall-prod', groupArn: GROUP, users: ['alice', 'dave'], maxDuration: 'PT4H' };
const withRequests = (requests: Record<string, unknown>) => ({
  membership: { requests: { rules: [RULE], ...requests } },
});

describe('membership.requests config', () => {
  it('accepts requests without grants, with the defaults for the bus and the maximum', () => {
    // Act
    const { membership } = parseConfig(withRequests({}), 'test');

    // Assert
    expect(membership?.grants).toEqual([]);
    expect(membership?.requests).toMatchObject({
      eventBusName: 'cache-access',
      maxDuration: 'PT8H',
      rules: [
        {
          name: 'oncall-prod',
          group: { arn: GROUP, id: 'prod-ug' },
          maxDuration: 'PT4H',
          maxDurationMs: 4 * 3_600_000,
        },
      ],
    });
  });

  it("gives a rule without its own maximum the requests' maximum", () => {
    // Act
    const { membership } = parseConfig(
      withRequests({ maxDuration: 'P2D', rules: [{ name: 'acl', groupArn: ACL, users: ['bob'] }] }),
      'test',
    );

    // Assert
    expect(membership?.requests?.rules[0]).toMatchObject({
      maxDuration: 'P2D',
      maxDurationMs: 2 * 86_400_000,
    });
  });

  it.each([
    [
      'a maximum over 30 days',
      { maxDuration: 'P31D' },
      '$.membership.requests.maxDuration',
      'expected at most P30D',
    ],
    [
      'a maximum in months',
      { maxDuration: 'P1M' },
      '$.membership.requests.maxDuration',
      'expected an ISO 8601 duration in weeks, days, hours',
    ],
    [
      'a zero maximum',
      { maxDuration: 'PT0S' },
      '$.membership.requests.maxDuration',
      'expected a duration greater than zero',
    ],
    [
      'the default bus',
      { eventBusName: 'default' },
      '$.membership.requests.eventBusName',
      'expected a bus of its own',
    ],
    ['no rules', { rules: [] }, '$.membership.requests.rules', 'expected at least one rule'],
    [
      'a rule that raises the maximum',
      { maxDuration: 'PT2H' },
      '$.membership.requests.rules[0].maxDuration',
      'expected at most requests.maxDuration (PT2H); a rule may only lower it',
    ],
    [
      'two rules with one name',
      { rules: [RULE, { ...RULE, groupArn: ACL }] },
      '$.membership.requests.rules[1].name',
      'already used by rules[0]',
    ],
    [
      'a rule user with capitals',
      { rules: [{ ...RULE, users: ['Alice'] }] },
      '$.membership.requests.rules[0].users[0]',
      'expected a user id as the service stores it',
    ],
    [
      "MemoryDB's open-access ACL",
      { rules: [{ ...RULE, groupArn: 'arn:aws:memorydb:eu-west-1:123456789012:acl/open-access' }] },
      '$.membership.requests.rules[0].groupArn',
      "MemoryDB's open-access ACL cannot be changed",
    ],
  ])('refuses %s at its path', (_, requests, path, message) => {
    // Act
    const error = configErrorOf(withRequests(requests));

    // Assert
    expect(problemAt(error, path)).toContain(message);
  });

  it('counts the 100-user quota over grants and rules together', () => {
    // Arrange
    const users = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    const window = { days: ['MON'], from: '09:00', to: '17:00', timeZone: 'UTC' };

    // Act
    const error = configErrorOf({
      membership: {
        grants: [{ name: 'day', groupArn: GROUP, users: users('day', 60), windows: [window] }],
        requests: { rules: [{ name: 'oncall', groupArn: GROUP, users: users('oncall', 41) }] },
      },
    });

    // Assert
    expect(problemAt(error, '$.membership.requests.rules[0].users')).toContain(
      `group ${GROUP} would hold 101 distinct users across grants[0], requests.rules[0]`,
    );
  });

  it('refuses a rule in another account than the rotation targets', () => {
    // Act
    const error = configErrorOf({
      rotation: { targets: [{ userArn: 'arn:aws:elasticache:eu-west-1:123456789012:user:app' }] },
      membership: {
        requests: { rules: [{ ...RULE, groupArn: GROUP.replace('123456789012', '210987654321') }] },
      },
    });

    // Assert
    expect(problemAt(error, '$.membership.requests.rules[0].groupArn')).toContain(
      'expected account 123456789012',
    );
  });
});

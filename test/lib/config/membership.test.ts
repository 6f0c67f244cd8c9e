import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lib/config/load';
import type { MembershipConfig } from '../../../lib/config/membership';
import { configErrorOf, problemAt } from '../../support/config';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const GROUP = `arn:aws:elasticache:${REGION}:${ACCOUNT}:usergroup:prod-ug`;
const ACL = `arn:aws:memorydb:${REGION}:${ACCOUNT}:acl/prod-acl`;
const WRITER_USER = `arn:aws:elasticache:${REGION}:${ACCOUNT}:user:app-writer`;
const RECURRING = { days: ['MON', 'FRI'], from: '09:00', to: '17:00', timeZone: 'Europe/Berlin' };
const ONE_TIME = { start: '2026-12-01T09:00:00+01:00', end: '2026-12-15T18:00:00+01:00' };
const GRANT = { name: 'oncall', groupArn: GROUP, users: ['alice'], windows: [RECURRING] };
const WINDOW_PATH = '$.membership.grants[0].windows[0]';

/** A membership-only config with one grant, changed by `grant`. */
const withGrant = (grant: Record<string, unknown> = {}, membership: Record<string, unknown> = {}) => ({
  membership: { grants: [{ ...GRANT, ...grant }], ...membership },
});
const withWindow = (window: Record<string, unknown>) => withGrant({ windows: [window] });

function membershipOf(input: unknown): MembershipConfig {
  const { membership } = parseConfig(input, 'test config');
  expect(membership, 'the membership section').toBeDefined();
  return membership as MembershipConfig;
}

describe('membership config', () => {
  it('accepts the example in cdk.json with its recurring, overnight and one-time grants', () => {
    // Arrange
    const cdkJson = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8'));

    // Act
    const membership = membershipOf(cdkJson.context.cacheAccess);

    // Assert
    expect(membership.reconcileEvery).toBe('rate(15 minutes)');
    expect(membership.grants.map(({ name, group, users }) => ({ name, groupArn: group.arn, users }))).toEqual(
      [
        { name: 'oncall-business-hours', groupArn: GROUP, users: ['alice', 'dave'] },
        { name: 'night-batch', groupArn: GROUP, users: ['batch-loader'] },
        { name: 'contractor', groupArn: ACL, users: ['bob'] },
      ],
    );
    expect(membership.grants[1]?.windows).toEqual([
      { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], from: '22:00', to: '05:30', timeZone: 'America/New_York' },
    ]);
    expect(membership.grants[2]?.windows).toEqual([ONE_TIME]);
  });

  it('reconciles every 15 minutes when reconcileEvery is left out', () => {
    // Act
    const membership = membershipOf(withGrant());

    // Assert
    expect(membership.reconcileEvery).toBe('rate(15 minutes)');
  });

  it('accepts a config with a membership section and no rotation section', () => {
    // Act
    const config = parseConfig(withGrant(), 'test config');

    // Assert
    expect(config.rotation).toBeUndefined();
    expect(config.membership?.grants).toHaveLength(1);
  });

  it.each(['rate(1 minute)', 'rate(5 minutes)', 'rate(2 hours)', 'rate(1 day)', 'cron(0/10 * * * ? *)'])(
    'accepts reconcileEvery %s',
    (reconcileEvery) => {
      // Act
      const membership = membershipOf(withGrant({}, { reconcileEvery }));

      // Assert
      expect(membership.reconcileEvery).toBe(reconcileEvery);
    },
  );

  it('accepts a one-time window and a recurring window in one grant', () => {
    // Act
    const membership = membershipOf(withGrant({ windows: [RECURRING, ONE_TIME] }));

    // Assert
    expect(membership.grants[0]?.windows).toEqual([RECURRING, ONE_TIME]);
  });

  it.each([
    [
      'an unknown day',
      withWindow({ ...RECURRING, days: ['MON', 'MOM'] }),
      `${WINDOW_PATH}.days[1]`,
      '"MOM"',
      'expected one of MON, TUE, WED, THU, FRI, SAT, SUN',
    ],
    [
      'an hour past 23',
      withWindow({ ...RECURRING, from: '25:00' }),
      `${WINDOW_PATH}.from`,
      '"25:00"',
      'expected a local time HH:MM from 00:00 to 23:59',
    ],
    [
      'a time without its leading zero',
      withWindow({ ...RECURRING, to: '9:00' }),
      `${WINDOW_PATH}.to`,
      '"9:00"',
      'expected a local time HH:MM from 00:00 to 23:59',
    ],
    [
      'a misspelt time zone',
      withWindow({ ...RECURRING, timeZone: 'Europe/Berlinn' }),
      `${WINDOW_PATH}.timeZone`,
      '"Europe/Berlinn"',
      'expected an IANA time zone name, spelled as in the tz database, such as Europe/Berlin',
    ],
    [
      'a time zone in the wrong case, which Intl accepts and Scheduler does not',
      withWindow({ ...RECURRING, timeZone: 'europe/berlin' }),
      `${WINDOW_PATH}.timeZone`,
      '"europe/berlin"',
      'expected an IANA time zone name, spelled as in the tz database, such as Europe/Berlin',
    ],
    [
      'an offset instead of a time zone',
      withWindow({ ...RECURRING, timeZone: '+01:00' }),
      `${WINDOW_PATH}.timeZone`,
      '"+01:00"',
      'expected an IANA time zone name, spelled as in the tz database, such as Europe/Berlin',
    ],
    [
      'a recurring window of zero length',
      withWindow({ ...RECURRING, from: '09:00', to: '09:00' }),
      `${WINDOW_PATH}.to`,
      '"09:00"',
      'expected a time other than from; a window of zero length never opens',
    ],
    [
      'an empty day list',
      withWindow({ ...RECURRING, days: [] }),
      `${WINDOW_PATH}.days`,
      '[]',
      'expected at least one day',
    ],
    [
      'a one-time window ending before it starts',
      withWindow({ start: '2026-12-15T18:00:00+01:00', end: '2026-12-01T09:00:00+01:00' }),
      `${WINDOW_PATH}.end`,
      '"2026-12-01T09:00:00+01:00"',
      'expected an end after start',
    ],
    [
      'a one-time window ending as it starts',
      withWindow({ start: '2026-12-01T09:00:00+01:00', end: '2026-12-01T08:00:00Z' }),
      `${WINDOW_PATH}.end`,
      '"2026-12-01T08:00:00Z"',
      'expected an end after start',
    ],
    [
      'a start without an offset',
      withWindow({ ...ONE_TIME, start: '2026-12-01T09:00:00' }),
      `${WINDOW_PATH}.start`,
      '"2026-12-01T09:00:00"',
      'expected an ISO 8601 date-time with an offset, such as 2026-12-01T09:00:00+01:00',
    ],
    [
      'an empty user list',
      withGrant({ users: [] }),
      '$.membership.grants[0].users',
      '[]',
      'expected at least one user',
    ],
    [
      'the default user',
      withGrant({ users: ['alice', 'default'] }),
      '$.membership.grants[0].users[1]',
      '"default"',
      "the 'default' user is never managed: groups require it",
    ],
    [
      'a user ARN as the group',
      withGrant({ groupArn: WRITER_USER }),
      '$.membership.grants[0].groupArn',
      JSON.stringify(WRITER_USER),
      'expected arn:aws:elasticache:<region>:<account>:usergroup:<userGroupId> or arn:aws:memorydb:<region>:<account>:acl/<aclName>',
    ],
    [
      'a grant without windows',
      withGrant({ windows: [] }),
      '$.membership.grants[0].windows',
      '[]',
      'expected at least one window',
    ],
    [
      'reconcileEvery of zero minutes',
      withGrant({}, { reconcileEvery: 'rate(0 minutes)' }),
      '$.membership.reconcileEvery',
      '"rate(0 minutes)"',
      'expected rate(1 minute), rate(N minutes|hours|days) or cron(min hour day-of-month month day-of-week year) with ? in one day field',
    ],
    [
      'reconcileEvery with a plural unit for one',
      withGrant({}, { reconcileEvery: 'rate(1 minutes)' }),
      '$.membership.reconcileEvery',
      '"rate(1 minutes)"',
      'expected rate(1 minute), rate(N minutes|hours|days) or cron(min hour day-of-month month day-of-week year) with ? in one day field',
    ],
    [
      'an empty grant list',
      { membership: { grants: [] } },
      '$.membership.grants',
      '[]',
      'expected at least one grant',
    ],
  ])('refuses %s, naming the path, the value and what is allowed', (_, input, path, value, allowed) => {
    // Act
    const error = configErrorOf(input);

    // Assert
    const line = problemAt(error, path);
    expect(line).toContain(allowed);
    expect(line).toContain(`(got ${value})`);
  });

  it('reports a malformed start once, without also claiming the end is before it', () => {
    // Act
    const error = configErrorOf(withWindow({ ...ONE_TIME, start: 'soon' }));

    // Assert
    expect(problemAt(error, `${WINDOW_PATH}.start`)).toContain(
      'expected an ISO 8601 date-time with an offset',
    );
    expect(error.message).not.toContain(`${WINDOW_PATH}.end`);
  });

  it.each(['Etc/UTC', 'UTC', 'Asia/Kolkata', 'America/Argentina/Buenos_Aires', 'EST'])(
    'accepts the tz database name %s',
    (timeZone) => {
      expect(membershipOf(withWindow({ ...RECURRING, timeZone })).grants[0]?.windows).toHaveLength(1);
    },
  );

  it('refuses a second grant with the same name, pointing at the first', () => {
    // Arrange
    const input = { membership: { grants: [GRANT, { ...GRANT, groupArn: ACL }] } };

    // Act
    const error = configErrorOf(input);

    // Assert
    const line = problemAt(error, '$.membership.grants[1].name');
    expect(line).toContain(
      'already used by grants[0]; grant names appear in audit records and must be unique',
    );
    expect(line).toContain('(got "oncall")');
  });

  it.each([
    ['another account', `arn:aws:elasticache:${REGION}:210987654321:usergroup:prod-ug`],
    ['another region', `arn:aws:elasticache:us-east-1:${ACCOUNT}:usergroup:prod-ug`],
  ])('refuses a grant whose group is in %s than the rotation targets, at the grant path', (_, groupArn) => {
    // Arrange
    const input = { rotation: { targets: [{ userArn: WRITER_USER }] }, ...withGrant({ groupArn }) };

    // Act
    const error = configErrorOf(input);

    // Assert
    const line = problemAt(error, '$.membership.grants[0].groupArn');
    expect(line).toContain(
      `expected account ${ACCOUNT} and region ${REGION} like $.rotation.targets[0].userArn; one stack serves one account and region`,
    );
    expect(line).toContain(`(got "${groupArn}")`);
    expect(error.message.split('\n')).toHaveLength(2);
  });

  it('refuses a second grant whose group is in another region than the first grant, without rotation', () => {
    // Arrange
    const otherRegion = `arn:aws:memorydb:us-east-1:${ACCOUNT}:acl/prod-acl`;
    const input = { membership: { grants: [GRANT, { ...GRANT, name: 'backup', groupArn: otherRegion }] } };

    // Act
    const error = configErrorOf(input);

    // Assert
    const line = problemAt(error, '$.membership.grants[1].groupArn');
    expect(line).toContain(
      `expected account ${ACCOUNT} and region ${REGION} like $.membership.grants[0].groupArn`,
    );
  });

  it('reports an unknown key of a grant at its own path with the keys allowed there', () => {
    // Arrange
    const input = withGrant({ user: ['bob'] });

    // Act
    const error = configErrorOf(input);

    // Assert
    const line = problemAt(error, '$.membership.grants[0].user');
    expect(line).toContain("unrecognized key 'user'; expected one of name, groupArn, users, windows");
    expect(line).toContain('(got ["bob"])');
  });
});

describe('MemoryDB open-access ACL', () => {
  it('refuses a grant on it, since it can never be changed', () => {
    const line = problemAt(
      configErrorOf(withGrant({ groupArn: 'arn:aws:memorydb:eu-central-1:111122223333:acl/open-access' })),
      '$.membership.grants[0].groupArn',
    );

    expect(line).toContain("MemoryDB's open-access ACL cannot be changed; name an ACL of your own");
  });
});

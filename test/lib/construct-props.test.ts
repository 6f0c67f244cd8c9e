import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { CacheGroup, CacheMembership, CacheUser, CredentialRotation, InvalidConfigError } from '../../lib';
import { unbundledApp } from '../support/synth';

const WRITER = CacheUser.fromArn('arn:aws:elasticache:eu-west-1:123456789012:user:app-writer');
const GROUP = CacheGroup.fromArn('arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug');
const OFFICE_HOURS = { days: ['MON' as const], from: '09:00', to: '17:00', timeZone: 'Europe/Berlin' };

const stack = () =>
  new Stack(unbundledApp(), 'Props', { env: { account: '123456789012', region: 'eu-west-1' } });

/** The error a construct raises for its props, or a failed test when it raises none. */
function propsErrorOf(build: () => unknown): InvalidConfigError {
  try {
    build();
  } catch (error) {
    if (error instanceof InvalidConfigError) return error;
    throw error;
  }
  return expect.fail('expected the construct to refuse its props');
}

describe('CredentialRotation props', () => {
  it.each([
    [
      'a schedule Secrets Manager refuses',
      { schedule: events.Schedule.rate(Duration.hours(1)) },
      "schedule: 'rate(1 hour)' is not a rotation schedule Secrets Manager accepts",
    ],
    ['a window of part of an hour', { window: Duration.minutes(90) }, 'window: 90 minutes is not allowed'],
    [
      'a window reaching into the next rotation',
      { schedule: events.Schedule.rate(Duration.hours(4)), window: Duration.hours(6) },
      'window: 6h with schedule rate(4 hours): expected at most 4h',
    ],
    [
      'a password too short',
      { passwordLength: 8 },
      'passwordLength: 8 is not allowed; expected an integer from 32 to 128',
    ],
  ])('refuses %s, naming the prop and the value', (_, props, message) => {
    // Act
    const error = propsErrorOf(
      () => new CredentialRotation(stack(), 'Rotation', { users: [{ user: WRITER }], ...props }),
    );

    // Assert
    expect(error.message).toContain('invalid CredentialRotation props:');
    expect(error.message).toContain(message);
  });

  it('refuses the same user twice and a username for an existing secret, listing both', () => {
    // Arrange
    const scope = stack();
    const secret = secretsmanager.Secret.fromSecretCompleteArn(
      scope,
      'Existing',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-writer-AbCdEf',
    );

    // Act
    const error = propsErrorOf(
      () =>
        new CredentialRotation(scope, 'Rotation', {
          users: [{ user: WRITER }, { user: WRITER, secret, username: 'writer' }],
        }),
    );

    // Assert
    expect(error.message).toContain(`users[1].user: ${WRITER.arn} is already users[0]`);
    expect(error.message).toContain(
      "users[1].username: 'writer' only applies to secrets the construct creates",
    );
  });

  it('refuses an endpoint port that is not a TCP port', () => {
    const error = propsErrorOf(
      () =>
        new CredentialRotation(stack(), 'Rotation', {
          users: [{ user: WRITER, endpoint: { host: 'h', port: 70000 } }],
        }),
    );

    expect(error.message).toContain('users[0].endpoint.port: 70000 is not a TCP port');
  });
});

describe('CacheMembership props', () => {
  it('refuses a window in a time zone Scheduler does not know, with the path and the value', () => {
    // Act
    const error = propsErrorOf(
      () =>
        new CacheMembership(stack(), 'Membership', {
          grants: [
            {
              name: 'oncall',
              group: GROUP,
              users: ['alice'],
              windows: [{ ...OFFICE_HOURS, timeZone: 'Mars/Olympus' }],
            },
          ],
        }),
    );

    // Assert
    expect(error.message).toContain('invalid configuration in Props/Membership props:');
    expect(error.message).toContain('$.grants[0].windows[0].timeZone: expected an IANA time zone name');
    expect(error.message).toContain('(got "Mars/Olympus")');
  });

  it('refuses duplicate grant names and a reconcile schedule Scheduler would refuse', () => {
    // Act
    const error = propsErrorOf(
      () =>
        new CacheMembership(stack(), 'Membership', {
          grants: [
            { name: 'oncall', group: GROUP, users: ['alice'], windows: [OFFICE_HOURS] },
            { name: 'oncall', group: GROUP, users: ['bob'], windows: [OFFICE_HOURS] },
          ],
          reconcileEvery: scheduler.ScheduleExpression.expression('every 15 minutes'),
        }),
    );

    // Assert
    expect(error.message).toContain('$.grants[1].name: already used by grants[0]');
    expect(error.message).toContain('$.reconcileEvery: expected rate(1 minute)');
  });
});

import { describe, expect, it } from 'vitest';
import { parseMembershipEvent } from '#core/membership/event';
import { InvalidEventError } from '#core/runtime/errors';

const GROUP_ARN = 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug';
const NOW = Date.parse('2026-03-29T07:00:00Z');

describe('parseMembershipEvent', () => {
  it('reads the group, the trigger and the scheduled time a schedule sends', () => {
    // Arrange
    const event = { groupArn: GROUP_ARN, trigger: 'window-boundary', scheduledTime: '2026-03-29T07:00:00Z' };

    // Act
    const parsed = parseMembershipEvent(event, NOW);

    // Assert
    expect(parsed).toEqual({
      group: {
        kind: 'group',
        arn: GROUP_ARN,
        engine: 'elasticache',
        partition: 'aws',
        region: 'eu-west-1',
        account: '123456789012',
        id: 'prod-ug',
      },
      trigger: 'window-boundary',
      scheduledTime: Date.parse('2026-03-29T07:00:00Z'),
    });
  });

  it('reads a MemoryDB ACL ARN as a MemoryDB group', () => {
    // Act
    const parsed = parseMembershipEvent(
      { groupArn: 'arn:aws:memorydb:eu-west-1:123456789012:acl/prod-acl' },
      NOW,
    );

    // Assert
    expect(parsed.group).toMatchObject({ engine: 'memorydb', id: 'prod-acl' });
  });

  it('calls an event without a trigger or scheduled time a manual run evaluated at no fixed time', () => {
    // Act
    const parsed = parseMembershipEvent({ groupArn: GROUP_ARN }, NOW);

    // Assert
    expect(parsed.trigger).toBe('manual');
    expect(parsed.scheduledTime).toBeUndefined();
  });

  it('reads an event without a group as a run over every group', () => {
    // Act
    const parsed = parseMembershipEvent({ trigger: 'reconcile', scheduledTime: '2026-03-29T07:00:00Z' }, NOW);

    // Assert
    expect(parsed).toEqual({ group: undefined, trigger: 'reconcile', scheduledTime: NOW });
  });

  it('accepts a scheduled time with a numeric offset', () => {
    // Act
    const parsed = parseMembershipEvent(
      { groupArn: GROUP_ARN, scheduledTime: '2026-03-29T09:00:00+02:00' },
      NOW,
    );

    // Assert
    expect(parsed.scheduledTime).toBe(Date.parse('2026-03-29T07:00:00Z'));
  });

  it.each([
    ['a string', 'reconcile', '(event)'],
    ['null', null, '(event)'],
    ['an empty group', { groupArn: '' }, 'groupArn'],
    ['an empty trigger', { groupArn: GROUP_ARN, trigger: '' }, 'trigger'],
    [
      'a scheduled time that is not ISO 8601',
      { groupArn: GROUP_ARN, scheduledTime: 'yesterday' },
      'scheduledTime',
    ],
  ])('refuses %s with InvalidEventError naming the field and the expected shape', (_, event, field) => {
    // Act
    const parse = () => parseMembershipEvent(event, NOW);

    // Assert
    expect(parse).toThrow(InvalidEventError);
    expect(parse).toThrow(`not a membership event (${field}:`);
    expect(parse).toThrow('expected {"trigger"?: "...", "scheduledTime"?: ISO 8601, "groupArn"?: "..."}');
  });

  it('refuses a user ARN as the group with InvalidEventError quoting it and the accepted forms', () => {
    // Arrange
    const userArn = 'arn:aws:elasticache:eu-west-1:123456789012:user:alice';

    // Act
    const parse = () => parseMembershipEvent({ groupArn: userArn }, NOW);

    // Assert
    expect(parse).toThrow(InvalidEventError);
    expect(parse).toThrow(`'${userArn}' is not an ElastiCache user group or MemoryDB ACL ARN`);
    expect(parse).toThrow('arn:aws:memorydb:<region>:<account>:acl/<aclName>');
  });

  it('refuses a scheduled time beyond the clock skew, so future access cannot be pulled forward', () => {
    // Arrange: a contractor's window opens in 30 days; the event claims to be 31 days ahead
    const scheduledTime = new Date(NOW + 31 * 86_400_000).toISOString();

    // Act
    const parse = () => parseMembershipEvent({ groupArn: GROUP_ARN, scheduledTime }, NOW);

    // Assert
    expect(parse).toThrow(InvalidEventError);
    expect(parse).toThrow(`scheduledTime '${scheduledTime}' is 2678400 s ahead of this function's clock`);
    expect(parse).toThrow('nothing was changed');
  });

  it("accepts a scheduled time a little ahead of its clock, as Scheduler's skew gives", () => {
    // Act
    const parsed = parseMembershipEvent(
      { groupArn: GROUP_ARN, scheduledTime: new Date(NOW + 90_000).toISOString() },
      NOW,
    );

    // Assert
    expect(parsed.scheduledTime).toBe(NOW + 90_000);
  });

  it('refuses a 5 MB group ARN with a message of a few hundred characters that states its length', () => {
    // Arrange
    const groupArn = `arn:aws:elasticache:eu-west-1:123456789012:usergroup:${'x'.repeat(5_000_000)}`;

    // Act
    const error = (() => {
      try {
        parseMembershipEvent({ groupArn }, NOW);
      } catch (e) {
        return e as Error;
      }
      return expect.fail('expected the event to be refused');
    })();

    // Assert
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.message.length).toBeLessThan(500);
    expect(error.message).toContain('groupArn');
  });

  it('refuses a hostile trigger without echoing it', () => {
    const parse = () =>
      parseMembershipEvent({ groupArn: GROUP_ARN, trigger: `x${'<script>'.repeat(1000)}` }, NOW);

    expect(parse).toThrow('trigger: expected 1-64 letters, digits, . _ : or -');
  });
});

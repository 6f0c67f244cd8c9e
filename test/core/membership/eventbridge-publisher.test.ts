import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '#core/membership/eventbridge-publisher';
import type { MembershipChange } from '#core/membership/ports';
import { EventPublishError } from '#core/runtime/errors';

const eventbridge = mockClient(EventBridgeClient);

afterEach(() => {
  eventbridge.reset();
});

describe('EventBridgePublisher', () => {
  const publisher = new EventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'default');
  const change: MembershipChange = {
    groupArn: 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug',
    added: ['alice'],
    removed: ['carol'],
    grants: ['night', 'oncall'],
    evaluatedAt: '2026-06-01T09:00:00.000Z',
    trigger: 'window-boundary',
  };

  it('puts one event with the source, detail type, the change as detail and the group as resource', async () => {
    // Arrange
    eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    // Act
    await publisher.publish([change]);

    // Assert
    const calls = eventbridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    const entries = calls[0]?.args[0].input.Entries ?? [];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      Source: 'cache-access-automation',
      DetailType: 'Cache Membership Changed',
      EventBusName: 'default',
      Resources: [change.groupArn],
      Time: new Date('2026-06-01T09:00:00.000Z'),
    });
    expect(JSON.parse(entries[0]?.Detail ?? '')).toEqual(change);
  });

  it('throws EventPublishError naming the bus, the group and the error code when the entry fails', async () => {
    // Arrange
    eventbridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });

    // Act
    const error = await publisher.publish([change]).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(EventPublishError);
    expect((error as Error).message).toBe(
      `event bus default refused 1 event(s): Cache Membership Changed for ${change.groupArn}: InternalFailure try again`,
    );
  });

  it('puts 23 changes in three calls, ten entries at most in each', async () => {
    // Arrange
    eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    const changes = Array.from({ length: 23 }, (_, i) => ({
      ...change,
      groupArn: `${change.groupArn}-${i}`,
    }));

    // Act
    await publisher.publish(changes);

    // Assert
    const sizes = eventbridge
      .commandCalls(PutEventsCommand)
      .map((call) => call.args[0].input.Entries?.length);
    expect(sizes).toEqual([10, 10, 3]);
  });
});

import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  NotFoundException,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalCloud } from '../support/local-cloud';
import { pointSdkAt, rejection } from '../support/sdk-env';

const cloud = useLocalCloud();
let sns: SNSClient;
let restoreEnv: (() => void) | undefined;

beforeAll(() => {
  // No endpoint option: AWS_ENDPOINT_URL_SNS must be enough.
  restoreEnv = pointSdkAt(cloud.aws.env());
  sns = new SNSClient({});
});

afterAll(() => {
  sns?.destroy();
  restoreEnv?.();
});

const topic = async (name: string) => (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn ?? '';

const subscriptions = async (topicArn: string) =>
  (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions ?? [];

describe('SNS topics and subscriptions', () => {
  it('creates a topic once per name, with the ARN AWS gives it', async () => {
    const first = await topic('alerts');
    const again = await topic('alerts');

    expect(first).toBe('arn:aws:sns:eu-west-1:123456789012:alerts');
    expect(again).toBe(first);
  });

  it('lists an email subscription as PendingConfirmation until its token comes back', async () => {
    const topicArn = await topic('pending');
    const subscribed = await sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'ops@example.com' }),
    );
    const before = await subscriptions(topicArn);

    const token = cloud.aws.topics.confirmationToken(topicArn, 'ops@example.com') ?? '';
    const confirmed = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: token }));
    const after = await subscriptions(topicArn);

    expect(subscribed.SubscriptionArn).toBe('pending confirmation');
    expect(before).toEqual([
      {
        SubscriptionArn: 'PendingConfirmation',
        Owner: '123456789012',
        Protocol: 'email',
        Endpoint: 'ops@example.com',
        TopicArn: topicArn,
      },
    ]);
    expect(confirmed.SubscriptionArn).toMatch(new RegExp(`^${topicArn}:[0-9a-f-]{36}$`));
    expect(after[0]?.SubscriptionArn).toBe(confirmed.SubscriptionArn);
  });

  it('confirms a queue subscription at once', async () => {
    const topicArn = await topic('queued');

    const subscribed = await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:eu-west-1:123456789012:q',
      }),
    );

    expect(subscribed.SubscriptionArn).toMatch(/^arn:aws:sns:eu-west-1:123456789012:queued:/);
    expect((await subscriptions(topicArn))[0]?.SubscriptionArn).toBe(subscribed.SubscriptionArn);
  });

  it('answers NotFound for a topic that does not exist, and InvalidParameter for a wrong token', async () => {
    const topicArn = await topic('tokens');
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'https', Endpoint: 'https://h/x' }));

    const missing = await rejection(subscriptions('arn:aws:sns:eu-west-1:123456789012:absent'));
    const wrongToken = await rejection(
      sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: 'not-the-token' })),
    );

    expect(missing).toBeInstanceOf(NotFoundException);
    expect(missing).toMatchObject({ message: 'Topic does not exist', $metadata: { httpStatusCode: 404 } });
    expect(wrongToken).toMatchObject({ name: 'InvalidParameterException' });
    expect(cloud.aws.callsOf('ConfirmSubscription', 'sns').at(-1)?.params).toEqual({ TopicArn: topicArn });
  });
});

describe('SNS Publish', () => {
  it('delivers the message to the topic and records sns:Publish, plus the key use an encrypted topic needs', async () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-000000000001';
    const plain = await topic('chat-plain');
    const encrypted = cloud.aws.topics.create('chat-encrypted', 'eu-west-1', { kmsKeyArn: key });

    const sent = await sns.send(new PublishCommand({ TopicArn: plain, Message: '{"version":"1.0"}' }));
    await sns.send(new PublishCommand({ TopicArn: encrypted, Message: 'hello' }));

    expect(cloud.aws.topics.published(plain)).toEqual([
      { messageId: sent.MessageId, message: '{"version":"1.0"}', at: expect.any(Date) },
    ]);
    const [toPlain, toEncrypted] = cloud.aws.callsOf('Publish', 'sns');
    expect(toPlain?.params).toEqual({ TopicArn: plain });
    expect(toPlain?.authorizations).toEqual([{ action: 'sns:Publish', resource: plain, context: {} }]);
    expect(toEncrypted?.authorizations).toEqual([
      { action: 'sns:Publish', resource: encrypted, context: {} },
      {
        action: 'kms:GenerateDataKey',
        resource: key,
        context: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' },
      },
      { action: 'kms:Decrypt', resource: key, context: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } },
    ]);
  });

  it('refuses a topic that does not exist and an empty message, delivering nothing', async () => {
    const topicArn = await topic('chat-refusals');

    const missing = await rejection(
      sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:eu-west-1:123456789012:nope', Message: 'x' })),
    );
    const empty = await rejection(sns.send(new PublishCommand({ TopicArn: topicArn, Message: '' })));

    expect(missing).toBeInstanceOf(NotFoundException);
    expect(empty).toMatchObject({ name: 'InvalidParameterException' });
    expect(cloud.aws.topics.published(topicArn)).toEqual([]);
  });
});

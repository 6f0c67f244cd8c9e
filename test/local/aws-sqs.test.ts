import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalCloud } from '../support/local-cloud';
import { pointSdkAt, rejection } from '../support/sdk-env';

const cloud = useLocalCloud();
let sqs: SQSClient;
let restoreEnv: (() => void) | undefined;

beforeAll(() => {
  // No endpoint option: AWS_ENDPOINT_URL_SQS must be enough.
  restoreEnv = pointSdkAt(cloud.aws.env());
  sqs = new SQSClient({});
});

afterAll(() => {
  sqs?.destroy();
  restoreEnv?.();
});

const ALL = ['All'] as const;

const receive = async (
  QueueUrl: string,
  options: { wait?: number; max?: number; visibility?: number } = {},
) =>
  (
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: options.max ?? 10,
        WaitTimeSeconds: options.wait ?? 0,
        VisibilityTimeout: options.visibility,
        MessageSystemAttributeNames: [...ALL],
      }),
    )
  ).Messages ?? [];

const counts = async (QueueUrl: string) => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
};

const send = (QueueUrl: string, MessageBody: string) =>
  sqs.send(new SendMessageCommand({ QueueUrl, MessageBody }));

describe('SQS queues', () => {
  it('creates a queue on the endpoint once per name, found by name, with the ARN AWS gives it', async () => {
    const created = await sqs.send(
      new CreateQueueCommand({ QueueName: 'requests', Attributes: { VisibilityTimeout: '5' } }),
    );
    const again = await sqs.send(
      new CreateQueueCommand({ QueueName: 'requests', Attributes: { VisibilityTimeout: '5' } }),
    );
    const found = await sqs.send(new GetQueueUrlCommand({ QueueName: 'requests' }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: created.QueueUrl, AttributeNames: ['All'] }),
    );
    const different = await rejection(
      sqs.send(new CreateQueueCommand({ QueueName: 'requests', Attributes: { VisibilityTimeout: '6' } })),
    );

    expect(created.QueueUrl).toBe(`${cloud.aws.url}/123456789012/requests`);
    expect(again.QueueUrl).toBe(created.QueueUrl);
    expect(found.QueueUrl).toBe(created.QueueUrl);
    expect(Attributes).toMatchObject({
      QueueArn: 'arn:aws:sqs:eu-west-1:123456789012:requests',
      VisibilityTimeout: '5',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
    expect(different).toBeInstanceOf(QueueNameExists);
  });

  it('refuses a redrive policy whose dead-letter queue does not exist, and an unknown attribute', async () => {
    const redrive = JSON.stringify({
      deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:absent',
      maxReceiveCount: 3,
    });

    const noTarget = await rejection(
      sqs.send(new CreateQueueCommand({ QueueName: 'orphan', Attributes: { RedrivePolicy: redrive } })),
    );
    // The SDK's type lists the names SQS knows; a caller on another SDK can still send any.
    const attributes = { Colour: 'blue' } as Record<string, string>;
    const unknown = await rejection(
      sqs.send(new CreateQueueCommand({ QueueName: 'odd', Attributes: attributes })),
    );

    expect(noTarget).toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('Dead letter target does not exist'),
    });
    expect(unknown).toMatchObject({ name: 'InvalidAttributeName' });
  });

  it('answers QueueDoesNotExist with the awsQuery code the SDK keeps, for any call on a missing queue', async () => {
    const missing = `${cloud.aws.url}/123456789012/nowhere`;

    const error = await rejection(send(missing, 'x'));
    const byName = await rejection(sqs.send(new GetQueueUrlCommand({ QueueName: 'nowhere' })));

    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect(error).toMatchObject({
      message: 'The specified queue does not exist.',
      Code: 'AWS.SimpleQueueService.NonExistentQueue',
      Type: 'Sender',
      $metadata: { httpStatusCode: 400 },
    });
    expect(byName).toBeInstanceOf(QueueDoesNotExist);
  });
});

describe('SQS messages', () => {
  it('hides a received message for the visibility timeout, then returns it with a new handle and count 2', async () => {
    const { url } = cloud.aws.sqs.createQueue('visibility', { visibilityTimeoutSeconds: 1 });
    const sent = await send(url, '{"request":1}');

    const [first] = await receive(url);
    const whileHidden = await receive(url);
    const hiddenCounts = await counts(url);
    const [second] = await receive(url, { wait: 3 });

    expect(first).toMatchObject({ MessageId: sent.MessageId, Body: '{"request":1}' });
    expect(first?.Attributes).toMatchObject({
      ApproximateReceiveCount: '1',
      SentTimestamp: expect.stringMatching(/^\d{13}$/),
      ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      SenderId: 'test',
    });
    expect(whileHidden).toEqual([]);
    expect(hiddenCounts).toEqual({ visible: 0, inFlight: 1 });
    expect(second?.MessageId).toBe(sent.MessageId);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(second?.Attributes?.ApproximateFirstReceiveTimestamp).toBe(
      first?.Attributes?.ApproximateFirstReceiveTimestamp,
    );
    expect(second?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
  });

  it('deletes with the latest receipt handle only; an expired one succeeds and deletes nothing', async () => {
    const { url } = cloud.aws.sqs.createQueue('deletes');
    await send(url, 'a');
    const [first] = await receive(url, { visibility: 0 });
    const [second] = await receive(url, { visibility: 30 });

    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first?.ReceiptHandle }));
    const afterStale = cloud.aws.sqs.contents(url);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second?.ReceiptHandle }));
    const invalid = await rejection(
      sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-handle' })),
    );

    expect(afterStale.inFlight.map((m) => m.body)).toEqual(['a']);
    expect(cloud.aws.sqs.contents(url)).toEqual({ visible: [], inFlight: [], delayed: [] });
    expect(invalid).toBeInstanceOf(ReceiptHandleIsInvalid);
  });

  it('moves a message to the dead-letter queue on the receive that would exceed maxReceiveCount', async () => {
    const dlq = cloud.aws.sqs.createQueue('poison-dlq');
    const { url } = cloud.aws.sqs.createQueue('poison', {
      redrive: { deadLetterQueueArn: dlq.arn, maxReceiveCount: 2 },
    });
    const sent = await send(url, 'poison');

    const first = await receive(url, { visibility: 0 });
    const second = await receive(url, { visibility: 0 });
    const third = await receive(url, { visibility: 0 });
    const [dead] = await receive(dlq.url);

    expect([first.length, second.length, third.length]).toEqual([1, 1, 0]);
    expect(dead).toMatchObject({ MessageId: sent.MessageId, Body: 'poison' });
    expect(cloud.aws.sqs.contents(url).visible).toEqual([]);
  });

  it('ends a long poll as soon as a message is sent, and an empty one at WaitTimeSeconds', async () => {
    const { url } = cloud.aws.sqs.createQueue('long-poll');

    const emptyStart = Date.now();
    const empty = await receive(url, { wait: 1 });
    const emptyMs = Date.now() - emptyStart;
    const start = Date.now();
    const polling = receive(url, { wait: 10 });
    setTimeout(() => void send(url, 'late'), 300);
    const messages = await polling;
    const elapsed = Date.now() - start;

    expect(empty).toEqual([]);
    expect(emptyMs).toBeGreaterThanOrEqual(950);
    expect(messages.map((m: Message) => m.Body)).toEqual(['late']);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('makes a message visible at once with ChangeMessageVisibility 0, waking a long poll', async () => {
    const { url } = cloud.aws.sqs.createQueue('change-visibility');
    await send(url, 'again');
    const [first] = await receive(url, { visibility: 60 });

    const polling = receive(url, { wait: 10 });
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: first?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const [again] = await polling;
    const stale = await rejection(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: first?.ReceiptHandle,
          VisibilityTimeout: 5,
        }),
      ),
    );

    expect(again?.Body).toBe('again');
    expect(again?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(stale).toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('refuses MaxNumberOfMessages over 10 and a message over the queue maximum', async () => {
    const { url } = cloud.aws.sqs.createQueue('limits', { maximumMessageSize: 1_024 });

    const tooMany = await rejection(
      sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })),
    );
    const tooLong = await rejection(send(url, 'x'.repeat(1_025)));

    expect(tooMany).toMatchObject({ name: 'InvalidParameterValue', Code: 'InvalidParameterValue' });
    expect(tooLong).toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('Message must be shorter than 1024 bytes'),
    });
    expect(cloud.aws.sqs.contents(url).visible).toEqual([]);
  });
});

describe('SQS batches', () => {
  it('sends a batch entry by entry: a bad body fails alone, the others are queued', async () => {
    const { url } = cloud.aws.sqs.createQueue('batch');

    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'one', MessageBody: '1' },
          { Id: 'bad', MessageBody: 'nul \u0000 inside' },
          { Id: 'two', MessageBody: '2' },
        ],
      }),
    );

    expect(result.Successful?.map((entry) => entry.Id)).toEqual(['one', 'two']);
    expect(result.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', SenderFault: true, Code: 'InvalidMessageContents' }),
    ]);
    expect(cloud.aws.sqs.contents(url).visible.map((m) => m.body)).toEqual(['1', '2']);
  });

  it('refuses more than 10 entries and repeated ids before queueing any', async () => {
    const { url } = cloud.aws.sqs.createQueue('batch-limits');
    const entries = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ Id: `m${i}`, MessageBody: `${i}` }));

    const eleven = await rejection(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries(11) })),
    );
    const repeated = await rejection(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'same', MessageBody: 'a' },
            { Id: 'same', MessageBody: 'b' },
          ],
        }),
      ),
    );

    expect(eleven).toBeInstanceOf(TooManyEntriesInBatchRequest);
    expect(eleven).toMatchObject({ Code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest' });
    expect(repeated).toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
    expect(cloud.aws.sqs.contents(url).visible).toEqual([]);
  });

  it('deletes a batch entry by entry, failing an invalid handle alone', async () => {
    const { url } = cloud.aws.sqs.createQueue('delete-batch');
    await send(url, 'a');
    await send(url, 'b');
    const received = await receive(url);

    const result = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          ...received.map((m, i) => ({ Id: `ok${i}`, ReceiptHandle: m.ReceiptHandle })),
          { Id: 'bad', ReceiptHandle: 'forged' },
        ],
      }),
    );

    expect(result.Successful?.map((entry) => entry.Id)).toEqual(['ok0', 'ok1']);
    expect(result.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', SenderFault: true, Code: 'ReceiptHandleIsInvalid' }),
    ]);
    expect(cloud.aws.sqs.contents(url)).toEqual({ visible: [], inFlight: [], delayed: [] });
  });
});

describe('SQS call log', () => {
  it('keeps ids but never a message body, and records the IAM action and key use of each call', async () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-000000000002';
    const plain = cloud.aws.sqs.createQueue('audited');
    const encrypted = cloud.aws.sqs.createQueue('audited-kms', { kmsMasterKeyId: key });

    await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: plain.url, Entries: [{ Id: 'a', MessageBody: 'secret-ish' }] }),
    );
    await send(encrypted.url, 'secret-ish');
    await receive(encrypted.url);

    const batch = cloud.aws.callsOf('SendMessageBatch', 'sqs').at(-1);
    const toEncrypted = cloud.aws.callsOf('SendMessage', 'sqs').at(-1);
    const fromEncrypted = cloud.aws.callsOf('ReceiveMessage', 'sqs').at(-1);
    expect(JSON.stringify(cloud.aws.calls)).not.toContain('secret-ish');
    expect(batch?.params).toEqual({ QueueUrl: plain.url });
    expect(batch?.authorizations).toEqual([{ action: 'sqs:SendMessage', resource: plain.arn, context: {} }]);
    const viaSqs = { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' };
    expect(toEncrypted?.authorizations).toEqual([
      { action: 'sqs:SendMessage', resource: encrypted.arn, context: {} },
      { action: 'kms:GenerateDataKey', resource: key, context: viaSqs },
      { action: 'kms:Decrypt', resource: key, context: viaSqs },
    ]);
    expect(fromEncrypted?.authorizations).toEqual([
      { action: 'sqs:ReceiveMessage', resource: encrypted.arn, context: {} },
      { action: 'kms:Decrypt', resource: key, context: viaSqs },
    ]);
  });
});

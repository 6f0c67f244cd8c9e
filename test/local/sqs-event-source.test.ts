import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type InvocationResult,
  type SqsEvent,
  type SqsEventSource,
  type SqsEventSourceOptions,
  startSqsEventSource,
} from '../../local';
import { useLocalCloud } from '../support/local-cloud';
import { pointSdkAt, rejection } from '../support/sdk-env';

const cloud = useLocalCloud();
let sqs: SQSClient;
let restoreEnv: (() => void) | undefined;
let source: SqsEventSource | undefined;

beforeAll(() => {
  restoreEnv = pointSdkAt(cloud.aws.env());
  sqs = new SQSClient({});
});

afterEach(async () => {
  await source?.stop();
  source = undefined;
});

afterAll(() => {
  sqs?.destroy();
  restoreEnv?.();
});

/** A fake function: records each event it is given and answers what `answer` says. */
function fakeFunction(answer: (event: SqsEvent) => Promise<unknown> | unknown = () => undefined) {
  const events: SqsEvent[] = [];
  const invoke = async (event: SqsEvent): Promise<InvocationResult> => {
    events.push(event);
    const started = Date.now();
    try {
      return { ok: true, result: await answer(event), durationMs: Date.now() - started };
    } catch (error) {
      const { name, message } = error as Error;
      return { ok: false, error: { name, message }, durationMs: Date.now() - started };
    }
  };
  return { events, invoke };
}

async function start(
  queue: { url: string; arn: string },
  invoke: SqsEventSourceOptions['invoke'],
  options: Partial<SqsEventSourceOptions> = {},
): Promise<SqsEventSource> {
  source = await startSqsEventSource({
    aws: cloud.aws,
    queueUrl: queue.url,
    queueArn: queue.arn,
    invoke,
    functionTimeoutMs: 1_000,
    ...options,
  });
  return source;
}

async function sendAll(QueueUrl: string, bodies: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < bodies.length; start += 10) {
    const { Successful = [] } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: bodies
          .slice(start, start + 10)
          .map((MessageBody, i) => ({ Id: `m${start + i}`, MessageBody })),
      }),
    );
    ids.push(...Successful.map((entry) => entry.MessageId ?? ''));
  }
  return ids;
}

const bodies = (n: number, prefix = 'req') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('SQS event source mapping: batching', () => {
  it('gives a function the records exactly as Lambda sends them, and deletes them after a success', async () => {
    const queue = cloud.aws.sqs.createQueue('esm-shape', { visibilityTimeoutSeconds: 2 });
    const fn = fakeFunction();
    const mapping = await start(queue, fn.invoke);

    const { MessageId } = await sqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"a":1}' }),
    );
    await mapping.settled();

    expect(fn.events).toEqual([
      {
        Records: [
          {
            messageId: MessageId,
            receiptHandle: expect.any(String),
            body: '{"a":1}',
            attributes: {
              ApproximateReceiveCount: '1',
              SentTimestamp: expect.stringMatching(/^\d{13}$/),
              SenderId: 'test',
              ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
            },
            messageAttributes: {},
            md5OfBody: 'bb6cb5c68df4652941caf652a366f2d8',
            eventSource: 'aws:sqs',
            eventSourceARN: queue.arn,
            awsRegion: 'eu-west-1',
          },
        ],
      },
    ]);
    expect(mapping.invocations).toEqual([
      expect.objectContaining({ messageIds: [MessageId], ok: true, failures: [] }),
    ]);
    expect(cloud.aws.callsOf('DeleteMessageBatch', 'sqs').at(-1)?.params).toEqual({ QueueUrl: queue.url });
  });

  it('gathers 50 messages sent over about 200 ms into one batch when the window is 1 s and the batch size 100', async () => {
    const queue = cloud.aws.sqs.createQueue('esm-window', { visibilityTimeoutSeconds: 5 });
    const fn = fakeFunction();
    const mapping = await start(queue, fn.invoke, { batchSize: 100, maximumBatchingWindowMs: 1_000 });

    const sentAt = Date.now();
    for (let part = 0; part < 5; part++) {
      await sendAll(queue.url, bodies(10, `p${part}`));
      await sleep(25);
    }
    const sendingMs = Date.now() - sentAt;
    await mapping.settled();

    // About 200 ms, with room for a loaded machine; still well inside the window.
    expect(sendingMs).toBeLessThan(500);
    expect(mapping.invocations.map((invocation) => invocation.messageIds.length)).toEqual([50]);
    expect(mapping.invocations[0]?.startedAt).toBeGreaterThanOrEqual(sentAt + 950);
  });

  it('invokes at once with what one receive returned (at most 10) when the window is 0', async () => {
    const queue = cloud.aws.sqs.createQueue('esm-no-window', { visibilityTimeoutSeconds: 5 });
    const fn = fakeFunction();
    const mapping = await start(queue, fn.invoke, { batchSize: 10 });
    await sleep(100); // the pollers are waiting in their long polls

    const sentAt = Date.now();
    await sendAll(queue.url, bodies(25));
    await mapping.settled();

    const sizes = mapping.invocations.map((invocation) => invocation.messageIds.length);
    expect(sizes.every((size) => size <= 10)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(25);
    // About 100 ms from the send (the long polls wake on it); room for a loaded machine.
    expect(Math.min(...mapping.invocations.map((i) => i.startedAt)) - sentAt).toBeLessThan(250);
  });

  it('runs at most maxConcurrency invocations at once', async () => {
    const queue = cloud.aws.sqs.createQueue('esm-concurrency', { visibilityTimeoutSeconds: 5 });
    let running = 0;
    let most = 0;
    const fn = fakeFunction(async () => {
      running += 1;
      most = Math.max(most, running);
      await sleep(150);
      running -= 1;
    });
    const mapping = await start(queue, fn.invoke, { batchSize: 1, maxConcurrency: 2 });

    await sendAll(queue.url, bodies(8));
    await mapping.settled();

    expect(most).toBe(2);
    expect(mapping.invocations).toHaveLength(8);
    expect(cloud.aws.sqs.contents(queue.url).visible).toEqual([]);
  });
});

describe('SQS event source mapping: failures', () => {
  it('redelivers only the messages a partial batch failure names, after the visibility timeout', async () => {
    const queue = cloud.aws.sqs.createQueue('esm-partial', { visibilityTimeoutSeconds: 1 });
    const fn = fakeFunction((event) => ({
      batchItemFailures: event.Records.filter(
        (r) => r.body === 'b' && r.attributes.ApproximateReceiveCount === '1',
      ).map((r) => ({ itemIdentifier: r.messageId })),
    }));
    const mapping = await start(queue, fn.invoke, {
      reportBatchItemFailures: true,
      maximumBatchingWindowMs: 200,
    });

    const [a, b, c] = await sendAll(queue.url, ['a', 'b', 'c']);
    await mapping.settled();

    expect(mapping.invocations).toEqual([
      expect.objectContaining({ messageIds: [a, b, c], ok: true, failures: [b] }),
      expect.objectContaining({ messageIds: [b], ok: true, failures: [] }),
    ]);
    const [first, second] = mapping.invocations;
    expect((second?.startedAt ?? 0) - (first?.endedAt ?? 0)).toBeGreaterThanOrEqual(800);
    expect(fn.events[1]?.Records[0]?.attributes.ApproximateReceiveCount).toBe('2');
  });

  it('fails the whole batch on an empty itemIdentifier, as Lambda does', async () => {
    const queue = cloud.aws.sqs.createQueue('esm-invalid-failures', { visibilityTimeoutSeconds: 1 });
    let calls = 0;
    const fn = fakeFunction(() => {
      calls += 1;
      return calls === 1 ? { batchItemFailures: [{ itemIdentifier: '' }] } : { batchItemFailures: [] };
    });
    const mapping = await start(queue, fn.invoke, {
      reportBatchItemFailures: true,
      maximumBatchingWindowMs: 200,
    });

    const ids = await sendAll(queue.url, ['x', 'y']);
    await mapping.settled();

    expect(mapping.invocations.map((i) => i.failures)).toEqual([ids, []]);
  });

  it('redelivers every message of an invocation that threw or timed out', async () => {
    const queue = cloud.aws.sqs.createQueue('esm-thrown', { visibilityTimeoutSeconds: 1 });
    let calls = 0;
    const fn = fakeFunction(async () => {
      calls += 1;
      if (calls === 1) throw new Error('downstream unavailable');
      if (calls === 2) await sleep(1_500); // past the function timeout
    });
    const mapping = await start(queue, fn.invoke, {
      reportBatchItemFailures: true,
      maximumBatchingWindowMs: 200,
      functionTimeoutMs: 500,
    });

    const ids = await sendAll(queue.url, ['one', 'two']);
    await mapping.settled();

    expect(mapping.invocations).toEqual([
      expect.objectContaining({
        messageIds: ids,
        ok: false,
        failures: ids,
        error: expect.objectContaining({ message: 'downstream unavailable' }),
      }),
      expect.objectContaining({
        messageIds: ids,
        ok: false,
        failures: ids,
        error: expect.objectContaining({ name: 'Sandbox.Timedout' }),
      }),
      expect.objectContaining({ messageIds: ids, ok: true, failures: [] }),
    ]);
    expect(fn.events[2]?.Records.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['3', '3']);
  });

  it('moves a poison message to the dead-letter queue after maxReceiveCount without holding up the others', async () => {
    const dlq = cloud.aws.sqs.createQueue('esm-poison-dlq');
    const queue = cloud.aws.sqs.createQueue('esm-poison', {
      visibilityTimeoutSeconds: 1,
      redrive: { deadLetterQueueArn: dlq.arn, maxReceiveCount: 2 },
    });
    const fn = fakeFunction((event) => ({
      batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({
        itemIdentifier: r.messageId,
      })),
    }));
    const mapping = await start(queue, fn.invoke, {
      reportBatchItemFailures: true,
      maximumBatchingWindowMs: 200,
    });

    const [poison, ...good] = await sendAll(queue.url, ['poison', 'g1', 'g2', 'g3']);
    await mapping.settled();

    expect(mapping.invocations[0]).toMatchObject({ messageIds: [poison, ...good], failures: [poison] });
    expect(mapping.invocations.slice(1)).toEqual([
      expect.objectContaining({ messageIds: [poison], failures: [poison] }),
    ]);
    expect(cloud.aws.sqs.contents(dlq.url).visible).toEqual([
      expect.objectContaining({ messageId: poison, body: 'poison' }),
    ]);
  });
});

describe('SQS event source mapping: settings', () => {
  it('polls through the endpoint like any client: its calls are recorded, and throttled when SQS is', async () => {
    const queue = cloud.aws.sqs.createQueue('esm-throttled', { visibilityTimeoutSeconds: 2 });
    const fn = fakeFunction();
    cloud.aws.setThrottle({ requestsPerSecond: 4, services: ['sqs'] });
    try {
      const throttledBefore = cloud.aws.throttledCount;
      const mapping = await start(queue, fn.invoke);
      const ids = await sendAll(queue.url, bodies(3));
      await mapping.settled();

      expect(cloud.aws.throttledCount).toBeGreaterThan(throttledBefore);
      expect(new Set(mapping.invocations.flatMap((i) => i.messageIds))).toEqual(new Set(ids));
      expect(cloud.aws.callsOf('ReceiveMessage', 'sqs').at(-1)).toMatchObject({
        params: { QueueUrl: queue.url, MessageSystemAttributeNames: ['All'] },
        authorizations: [{ action: 'sqs:ReceiveMessage', resource: queue.arn, context: {} }],
      });
    } finally {
      cloud.aws.setThrottle(undefined);
    }
  });

  it('refuses a function timeout longer than the queue visibility timeout, and settings out of range', async () => {
    const queue = cloud.aws.sqs.createQueue('esm-settings', { visibilityTimeoutSeconds: 2 });
    const { invoke } = fakeFunction();

    const tooLong = await rejection(start(queue, invoke, { functionTimeoutMs: 3_000 }));
    const oneConcurrent = await rejection(start(queue, invoke, { maxConcurrency: 1 }));
    const bigBatchNoWindow = await rejection(start(queue, invoke, { batchSize: 11 }));

    expect(tooLong).toMatchObject({
      message: 'Queue visibility timeout: 2 seconds is less than Function timeout: 3 seconds',
    });
    expect(oneConcurrent).toMatchObject({
      message: 'maxConcurrency must be an integer from 2 to 1000; got 1',
    });
    expect(bigBatchNoWindow).toMatchObject({ message: expect.stringContaining('batchSize 11 needs') });
  });

  it('stops promptly: its long polls end with it, and a message sent afterwards stays on the queue', async () => {
    const queue = cloud.aws.sqs.createQueue('esm-stop', { visibilityTimeoutSeconds: 5 });
    const fn = fakeFunction();
    const mapping = await start(queue, fn.invoke);
    await sleep(100);

    const stopping = Date.now();
    await mapping.stop();
    const stopMs = Date.now() - stopping;
    source = undefined;
    await sendAll(queue.url, ['after']);
    await sleep(100);

    expect(stopMs).toBeLessThan(1_000);
    expect(fn.events).toEqual([]);
    expect(cloud.aws.sqs.contents(queue.url).visible.map((m) => m.body)).toEqual(['after']);
  });
});

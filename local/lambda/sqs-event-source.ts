import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalAws } from '../aws/endpoint';
import type { InvocationResult } from './host';
import {
  failedMessageIds,
  inRange,
  PAYLOAD_LIMIT_BYTES,
  recordOf,
  type Settings,
  type SqsEvent,
  type SqsRecord,
  timedOut,
} from './sqs-batch';

export type { SqsEvent, SqsRecord } from './sqs-batch';

export interface SqsEventSourceOptions {
  /** The local AWS whose queue is polled; its calls are logged and throttled like any other client's. */
  readonly aws: LocalAws;
  readonly queueUrl: string;
  readonly queueArn: string;
  /** The function: `LambdaHost.invoke`, or a fake with the same shape. */
  readonly invoke: (event: SqsEvent, options: { readonly timeoutMs: number }) => Promise<InvocationResult>;
  /** The most records in one event. @default 10 */
  readonly batchSize?: number;
  /**
   * How long to gather records from the first one of a batch (Lambda takes whole seconds; milliseconds here
   * keep tests short). 0 invokes with what one receive returned. @default 0
   */
  readonly maximumBatchingWindowMs?: number;
  /** The most invocations at once (`ScalingConfig.MaximumConcurrency`). @default 1000 */
  readonly maxConcurrency?: number;
  /** Whether the function's `batchItemFailures` say which messages failed. @default false */
  readonly reportBatchItemFailures?: boolean;
  /** The function's timeout; the queue's visibility timeout may not be shorter. @default 3000 */
  readonly functionTimeoutMs?: number;
  /**
   * The keys the poller signs with: the function's execution role polls on AWS, so pass the hosted function's
   * keys to have its calls proved against that role. @default - the endpoint's test keys
   */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** One invocation the mapping made. */
export interface SqsInvocation {
  readonly messageIds: readonly string[];
  /** Whether the function returned, rather than failing or timing out. */
  readonly ok: boolean;
  /** The messages left on the queue to come back after their visibility timeout. */
  readonly failures: readonly string[];
  readonly error?: InvocationResult['error'];
  /** Epoch milliseconds around the invocation itself. */
  readonly startedAt: number;
  readonly endedAt: number;
}

export interface SqsEventSource {
  /** Every invocation so far, in the order they ended. */
  readonly invocations: readonly SqsInvocation[];
  /** Resolves once the queue is empty and nothing is gathered or running; rejects after `timeoutMs`. */
  settled(options?: { readonly timeoutMs?: number }): Promise<void>;
  /** Stops polling and waits for running invocations; gathered, uninvoked messages come back after their timeout. */
  stop(): Promise<void>;
}

/** Lambda starts this many pollers on a standard queue, each long-polling for 20 s. */
const POLLERS = 5;
const LONG_POLL_SECONDS = 20;

/**
 * An SQS event source mapping on a standard queue, as AWS Lambda's poller behaves: long polls through the SDK,
 * batches closed by size, window or payload, at most `maxConcurrency` invocations at once, successful records
 * deleted, failed ones left to come back (and to go to the dead-letter queue after maxReceiveCount).
 */
export async function startSqsEventSource(options: SqsEventSourceOptions): Promise<SqsEventSource> {
  const settings = {
    batchSize: inRange('batchSize', options.batchSize ?? 10),
    windowMs: inRange('maximumBatchingWindowMs', options.maximumBatchingWindowMs ?? 0),
    maxConcurrency: inRange('maxConcurrency', options.maxConcurrency ?? 1_000),
    report: options.reportBatchItemFailures ?? false,
    timeoutMs: options.functionTimeoutMs ?? 3_000,
  };
  if (settings.batchSize > 10 && settings.windowMs === 0) {
    throw new Error(
      `batchSize ${settings.batchSize} needs a maximumBatchingWindowMs above 0, as Lambda requires`,
    );
  }
  const env = options.aws.env();
  const client = new SQSClient({
    endpoint: options.aws.url,
    region: options.queueArn.split(':')[3] ?? env.AWS_REGION,
    credentials: options.credentials ?? {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    },
  });
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: options.queueUrl, AttributeNames: ['VisibilityTimeout'] }),
  );
  const visibilitySeconds = Number(Attributes?.VisibilityTimeout);
  if (visibilitySeconds * 1_000 < settings.timeoutMs) {
    client.destroy();
    throw new Error(
      `Queue visibility timeout: ${visibilitySeconds} seconds is less than Function timeout: ${settings.timeoutMs / 1_000} seconds`,
    );
  }
  return new Poller(options, settings, client).start();
}

class Poller {
  private running = true;
  private readonly stopping = new AbortController();
  private gathering: { records: SqsRecord[]; bytes: number; timer?: NodeJS.Timeout } | undefined;
  private readonly ready: SqsRecord[][] = [];
  private readonly active = new Set<Promise<void>>();
  private readonly done: SqsInvocation[] = [];
  private readonly listeners = new Set<() => void>();
  private receivers: Promise<void>[] = [];

  constructor(
    private readonly options: SqsEventSourceOptions,
    private readonly settings: Settings,
    private readonly client: SQSClient,
  ) {}

  start(): SqsEventSource {
    this.receivers = Array.from({ length: POLLERS }, () => this.receive());
    return {
      invocations: this.done,
      settled: (opts) => this.settled(opts?.timeoutMs ?? 30_000),
      stop: () => this.stop(),
    };
  }

  private async receive(): Promise<void> {
    while (this.running) {
      // A closed batch waiting for a free invocation means all are busy: leave the rest on the queue.
      if (this.ready.length > 0) {
        await this.changed();
        continue;
      }
      let messages: Message[];
      try {
        const output = await this.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.options.queueUrl,
            MaxNumberOfMessages: Math.min(
              10,
              this.settings.batchSize - (this.gathering?.records.length ?? 0),
            ),
            WaitTimeSeconds: LONG_POLL_SECONDS,
            MessageSystemAttributeNames: ['All'],
          }),
          { abortSignal: this.stopping.signal },
        );
        messages = output.Messages ?? [];
      } catch {
        // Stopped, or a throttled or failed poll: Lambda backs off and polls again.
        if (this.running) await sleep(100);
        continue;
      }
      if (this.running) this.gather(messages);
    }
  }

  /** Adds received messages to the open batch, closing it on size or payload, or after one receive with no window. */
  private gather(messages: readonly Message[]): void {
    for (const message of messages) {
      const record = recordOf(message, this.options.queueArn);
      const bytes = Buffer.byteLength(JSON.stringify(record)) + 1;
      if (this.gathering && this.gathering.bytes + bytes > PAYLOAD_LIMIT_BYTES) this.close();
      if (this.gathering === undefined) {
        this.gathering = { records: [], bytes: '{"Records":[]}'.length };
        if (this.settings.windowMs > 0) {
          this.gathering.timer = setTimeout(() => this.close(), this.settings.windowMs);
        }
      }
      this.gathering.records.push(record);
      this.gathering.bytes += bytes;
      if (this.gathering.records.length >= this.settings.batchSize) this.close();
    }
    if (this.settings.windowMs === 0 && this.gathering) this.close();
  }

  private close(): void {
    if (this.gathering === undefined) return;
    clearTimeout(this.gathering.timer);
    if (this.running) this.ready.push(this.gathering.records);
    this.gathering = undefined;
    this.pump();
  }

  private pump(): void {
    while (this.running && this.ready.length > 0 && this.active.size < this.settings.maxConcurrency) {
      const batch = this.ready.shift() ?? [];
      const run: Promise<void> = this.invoke(batch).finally(() => {
        this.active.delete(run);
        this.pump();
        this.notify();
      });
      this.active.add(run);
    }
  }

  /** Invokes the function with one batch, then deletes what succeeded. */
  private async invoke(batch: readonly SqsRecord[]): Promise<void> {
    const { timeoutMs } = this.settings;
    const startedAt = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      // A function that throws before returning its promise fails the batch like one that rejects.
      Promise.resolve()
        .then(() => this.options.invoke({ Records: batch }, { timeoutMs }))
        .catch(
          (error: unknown): InvocationResult => ({
            ok: false,
            error: {
              name: error instanceof Error ? error.name : 'Error',
              message: error instanceof Error ? error.message : String(error),
            },
            durationMs: Date.now() - startedAt,
          }),
        ),
      new Promise<InvocationResult>((resolve) => {
        timer = setTimeout(() => resolve(timedOut(timeoutMs)), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    const endedAt = Date.now();
    const failures = failedMessageIds(outcome, batch, this.settings.report);
    await this.delete(batch.filter((record) => !failures.includes(record.messageId)));
    this.done.push({
      messageIds: batch.map((record) => record.messageId),
      ok: outcome.ok,
      failures,
      ...(outcome.error && { error: outcome.error }),
      startedAt,
      endedAt,
    });
  }

  /** Deletes in batches of ten; a message whose delete fails comes back, as on AWS. */
  private async delete(records: readonly SqsRecord[]): Promise<void> {
    for (let start = 0; start < records.length; start += 10) {
      const entries = records.slice(start, start + 10).map((record, index) => ({
        Id: String(index),
        ReceiptHandle: record.receiptHandle,
      }));
      await this.client
        .send(new DeleteMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: entries }))
        .catch(() => undefined);
    }
  }

  private async settled(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const held = this.options.aws.sqs.contents(this.options.queueUrl);
      const queued = held.visible.length + held.inFlight.length + held.delayed.length;
      const busy = this.gathering !== undefined || this.ready.length > 0 || this.active.size > 0;
      if (queued === 0 && !busy) return;
      if (Date.now() > deadline) {
        throw new Error(
          `queue not settled after ${timeoutMs} ms: ${held.visible.length} visible, ${held.inFlight.length} in flight, ${held.delayed.length} delayed, ${this.active.size} invocations running`,
        );
      }
      await sleep(20);
    }
  }

  private async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    clearTimeout(this.gathering?.timer);
    this.gathering = undefined;
    this.ready.length = 0;
    this.notify();
    await Promise.all([...this.receivers, ...this.active]);
    this.client.destroy();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.listeners.add(resolve));
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
    this.listeners.clear();
  }
}

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ACCOUNT } from '../account';
import { Timers } from '../timers';
import { ServiceError } from '../wire/errors';
import { checkQueueName, DEFAULT_SETTINGS, type QueueSettings, settingsAttributes } from './rules';
import type { NewQueue, Queue, QueueContents, QueuesHarness, StoredMessage } from './types';

/** Standard queues: visibility timeouts, receive counts, redrive to a dead-letter queue, long polling. */
export class QueueStore implements QueuesHarness {
  private readonly queues = new Map<string, Queue>();
  private readonly timers = new Timers();

  /** `baseUrl` is the endpoint's, known once it listens; queue URLs are on it so the SDK sends there. */
  constructor(private readonly baseUrl: () => string) {}

  createQueue(name: string, options: NewQueue = {}) {
    const region = options.region ?? 'eu-west-1';
    const queue = this.create(name, region, {
      ...DEFAULT_SETTINGS,
      ...(options.visibilityTimeoutSeconds !== undefined && {
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
      }),
      ...(options.maximumMessageSize !== undefined && { maximumMessageSize: options.maximumMessageSize }),
      ...(options.kmsMasterKeyId !== undefined && { kmsMasterKeyId: options.kmsMasterKeyId }),
      ...(options.redrive && {
        redrive: {
          deadLetterTargetArn: options.redrive.deadLetterQueueArn,
          maxReceiveCount: options.redrive.maxReceiveCount,
        },
      }),
    });
    return { url: queue.url, arn: queue.arn };
  }

  contents(queueUrlOrArn: string): QueueContents {
    const queue = [...this.queues.values()].find((q) => q.url === queueUrlOrArn || q.arn === queueUrlOrArn);
    if (queue === undefined) throw new Error(`no local queue ${queueUrlOrArn}`);
    const now = Date.now();
    this.prune(queue, now);
    const held = (filter: (m: StoredMessage) => boolean) =>
      [...queue.messages.values()].filter(filter).map((m) => ({
        messageId: m.messageId,
        body: m.body,
        receiveCount: m.receiveCount,
        sentAt: new Date(m.sentAt),
      }));
    return {
      visible: held((m) => m.visibleAt <= now),
      inFlight: held((m) => m.visibleAt > now && m.receiptHandle !== undefined),
      delayed: held((m) => m.visibleAt > now && m.receiptHandle === undefined),
    };
  }

  /** CreateQueue: the same name with the same settings is the same queue; other settings are refused. */
  create(name: string, region: string, settings: QueueSettings, tags: Record<string, string> = {}): Queue {
    checkQueueName(name);
    const arn = `arn:aws:sqs:${region}:${ACCOUNT}:${name}`;
    const existing = this.queues.get(arn);
    if (existing) {
      if (JSON.stringify(existing.settings) !== JSON.stringify(settings)) {
        throw new ServiceError(
          'QueueNameExists',
          'A queue already exists with the same name and a different value for attribute(s)',
        );
      }
      return existing;
    }
    const queue: Queue = {
      name,
      region,
      url: `${this.baseUrl()}/${ACCOUNT}/${name}`,
      arn,
      settings,
      createdAt: Date.now(),
      tags,
      messages: new Map(),
      handles: new Map(),
      waiters: new Set(),
    };
    this.queues.set(arn, queue);
    return queue;
  }

  exists(arn: string): boolean {
    return this.queues.has(arn);
  }

  settingsOf(arn: string): QueueSettings {
    return this.queues.get(arn)?.settings ?? DEFAULT_SETTINGS;
  }

  /** The queue a QueueUrl names: its account and name, in the region of a real URL or else the request's. */
  byUrl(queueUrl: string, region: string): Queue {
    let path: string[];
    let host: string;
    try {
      const url = new URL(queueUrl);
      path = url.pathname.split('/').filter(Boolean);
      host = url.hostname;
    } catch {
      throw new ServiceError('InvalidAddress', `The address ${queueUrl} is not valid for this endpoint.`);
    }
    const urlRegion = /^sqs\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host)?.[1] ?? region;
    const queue =
      path.length === 2 ? this.queues.get(`arn:aws:sqs:${urlRegion}:${path[0]}:${path[1]}`) : undefined;
    if (queue === undefined) {
      throw new ServiceError('QueueDoesNotExist', 'The specified queue does not exist.');
    }
    return queue;
  }

  byName(name: string, region: string, account = ACCOUNT): Queue {
    const queue = this.queues.get(`arn:aws:sqs:${region}:${account}:${name}`);
    if (queue === undefined) {
      throw new ServiceError('QueueDoesNotExist', 'The specified queue does not exist.');
    }
    return queue;
  }

  send(queue: Queue, body: string, senderId: string, delaySeconds?: number): StoredMessage {
    const now = Date.now();
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5(body),
      sentAt: now,
      senderId,
      visibleAt: now + (delaySeconds ?? queue.settings.delaySeconds) * 1_000,
      receiveCount: 0,
    };
    queue.messages.set(message.messageId, message);
    this.wake(queue);
    return message;
  }

  /** ReceiveMessage: waits up to `waitSeconds` for a visible message, and returns as soon as there is one. */
  async receive(
    queue: Queue,
    options: { max: number; visibilityTimeoutSeconds: number; waitSeconds: number; signal?: AbortSignal },
  ): Promise<StoredMessage[]> {
    const deadline = Date.now() + options.waitSeconds * 1_000;
    for (;;) {
      // A caller that hung up gets nothing: taking messages for it would hide them for a whole timeout.
      if (options.signal?.aborted) return [];
      const taken = this.take(queue, options.max, options.visibilityTimeoutSeconds);
      if (taken.length > 0 || Date.now() >= deadline) return taken;
      await this.until(queue, deadline, options.signal);
    }
  }

  /** DeleteMessage: an expired handle of a message received again since deletes nothing, as SQS documents. */
  delete(queue: Queue, receiptHandle: string): void {
    const message = this.handled(queue, receiptHandle);
    if (message.receiptHandle === receiptHandle) queue.messages.delete(message.messageId);
  }

  changeVisibility(queue: Queue, receiptHandle: string, timeoutSeconds: number): void {
    const message = this.handled(queue, receiptHandle);
    const now = Date.now();
    if (!queue.messages.has(message.messageId) || message.receiptHandle !== receiptHandle) {
      throw new ServiceError(
        'InvalidParameterValue',
        `Value ${receiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
      );
    }
    if (message.visibleAt <= now) {
      throw new ServiceError(
        'MessageNotInflight',
        'Message does not exist or is not available for visibility timeout change.',
      );
    }
    message.visibleAt = now + timeoutSeconds * 1_000;
    if (timeoutSeconds === 0) this.wake(queue);
  }

  /** GetQueueAttributes' values, every one of them. */
  attributes(queue: Queue): Record<string, string> {
    const { visible, inFlight, delayed } = this.contents(queue.arn);
    return {
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(visible.length),
      ApproximateNumberOfMessagesNotVisible: String(inFlight.length),
      ApproximateNumberOfMessagesDelayed: String(delayed.length),
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1_000)),
      LastModifiedTimestamp: String(Math.floor(queue.createdAt / 1_000)),
      ...settingsAttributes(queue.settings),
    };
  }

  /** Ends every long poll with what it has, and cancels their timers. */
  stop(): void {
    this.timers.clear();
    for (const queue of this.queues.values()) this.wake(queue);
  }

  private handled(queue: Queue, receiptHandle: string): StoredMessage {
    const message = queue.handles.get(receiptHandle);
    if (message === undefined) {
      throw new ServiceError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
      );
    }
    return message;
  }

  /**
   * Delivers up to `max` visible messages. One received `maxReceiveCount` times already moves to the
   * dead-letter queue instead, on the receive that would have exceeded the count, as SQS does it.
   */
  private take(queue: Queue, max: number, visibilityTimeoutSeconds: number): StoredMessage[] {
    const now = Date.now();
    this.prune(queue, now);
    const taken: StoredMessage[] = [];
    for (const message of queue.messages.values()) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) continue;
      const redrive = queue.settings.redrive;
      const deadLetters = redrive && this.queues.get(redrive.deadLetterTargetArn);
      if (redrive && deadLetters && message.receiveCount >= redrive.maxReceiveCount) {
        queue.messages.delete(message.messageId);
        // It keeps its id, body and sent time (SQS documents the enqueue time as unchanged for a standard
        // queue); keeping its receive count too is this model's guess. It is visible there at once.
        const moved = { ...message, visibleAt: now, receiptHandle: undefined };
        deadLetters.messages.set(moved.messageId, moved);
        this.wake(deadLetters);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilityTimeoutSeconds * 1_000;
      message.receiptHandle = receiptHandleFor(queue, message);
      queue.handles.set(message.receiptHandle, message);
      taken.push({ ...message });
    }
    return taken;
  }

  /** Drops messages older than the retention period. */
  private prune(queue: Queue, now: number): void {
    const oldest = now - queue.settings.messageRetentionSeconds * 1_000;
    for (const message of queue.messages.values()) {
      if (message.sentAt <= oldest) queue.messages.delete(message.messageId);
    }
  }

  /** Resolves when a message arrives or comes back, when the next one is due to become visible, or at the deadline. */
  private until(queue: Queue, deadline: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const now = Date.now();
      // A loop, not Math.min(...): a bench may queue more messages than a call takes arguments.
      let nextVisible = Number.POSITIVE_INFINITY;
      for (const message of queue.messages.values()) {
        if (message.visibleAt > now && message.visibleAt < nextVisible) nextVisible = message.visibleAt;
      }
      const done = () => {
        queue.waiters.delete(done);
        this.timers.cancel(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.timers.after(Math.min(deadline, nextVisible) - now, done);
      queue.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wake(queue: Queue): void {
    for (const waiter of [...queue.waiters]) waiter();
  }
}

export function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** Opaque and new on every receive, as SQS's are; it names the queue and message only for debugging. */
function receiptHandleFor(queue: Queue, message: StoredMessage): string {
  return Buffer.from(`${queue.name}:${message.messageId}:${randomBytes(24).toString('hex')}`).toString(
    'base64',
  );
}

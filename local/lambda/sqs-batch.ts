import type { Message } from '@aws-sdk/client-sqs';
import type { InvocationResult } from './host';

/** One message as Lambda hands it to a function from a standard queue. */
export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: {
    readonly ApproximateReceiveCount: string;
    readonly SentTimestamp: string;
    readonly SenderId: string;
    readonly ApproximateFirstReceiveTimestamp: string;
  };
  readonly messageAttributes: Readonly<Record<string, never>>;
  readonly md5OfBody: string;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

/** The event a function subscribed to a queue receives. */
export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}

/** Lambda's own limits on an SQS event source mapping, as CreateEventSourceMapping checks them. */
export const LIMITS = {
  batchSize: [1, 10_000],
  maximumBatchingWindowMs: [0, 300_000],
  maxConcurrency: [2, 1_000],
} as const;

/** A mapping's settings, checked and with their defaults. */
export interface Settings {
  readonly batchSize: number;
  readonly windowMs: number;
  readonly maxConcurrency: number;
  readonly report: boolean;
  readonly timeoutMs: number;
}

/** The value, if it is an integer within the limit Lambda puts on `name`. */
export function inRange(name: keyof typeof LIMITS, value: number): number {
  const [min, max] = LIMITS[name];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}; got ${value}`);
  }
  return value;
}

/** A synchronous invocation's payload limit: a batch closes before a message would take it past. */
export const PAYLOAD_LIMIT_BYTES = 6 * 1_024 * 1_024;

/** The record of one received message, with the four attributes Lambda passes for a standard queue. */
export function recordOf(message: Message, queueArn: string): SqsRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '',
      SentTimestamp: attributes.SentTimestamp ?? '',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? '',
  };
}

/**
 * The message ids that failed and stay on the queue, as Lambda reads an invocation's outcome. An error or
 * timeout fails the whole batch. Without ReportBatchItemFailures any return succeeds. With it, a missing or
 * empty `batchItemFailures` succeeds; a response that is not an object, or an item identifier that is empty,
 * not a string or not in the batch, fails the whole batch.
 */
export function failedMessageIds(
  outcome: InvocationResult,
  batch: readonly SqsRecord[],
  reportBatchItemFailures: boolean,
): readonly string[] {
  const all = batch.map((record) => record.messageId);
  if (!outcome.ok) return all;
  if (!reportBatchItemFailures) return [];
  const response = outcome.result;
  if (response === undefined || response === null) return [];
  if (typeof response !== 'object' || Array.isArray(response)) return all;
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return [];
  if (!Array.isArray(failures)) return all;
  const ids = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !all.includes(id)) return all;
    ids.add(id);
  }
  return [...ids];
}

/** The outcome of an invocation that did not settle within the function's timeout, as Lambda reports it. */
export function timedOut(timeoutMs: number): InvocationResult {
  return {
    ok: false,
    error: {
      name: 'Sandbox.Timedout',
      message: `Task timed out after ${(timeoutMs / 1_000).toFixed(2)} seconds`,
    },
    durationMs: timeoutMs,
  };
}

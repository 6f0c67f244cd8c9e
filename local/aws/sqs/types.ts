import type { QueueSettings } from './rules';

/** One message as a queue holds it. */
export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  /** Epoch milliseconds. */
  readonly sentAt: number;
  readonly senderId: string;
  /** Epoch milliseconds from when a receive may return it. */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** The handle of the latest receive; an older one no longer deletes the message. */
  receiptHandle?: string;
}

export interface Queue {
  readonly name: string;
  readonly region: string;
  readonly url: string;
  readonly arn: string;
  readonly settings: QueueSettings;
  readonly createdAt: number;
  readonly tags: Readonly<Record<string, string>>;
  /** By message id, in the order they were sent. */
  readonly messages: Map<string, StoredMessage>;
  /** Every receipt handle issued, to tell an expired handle from one that never was. */
  readonly handles: Map<string, StoredMessage>;
  readonly waiters: Set<() => void>;
}

/** A message as the harness shows it. */
export interface HeldMessage {
  readonly messageId: string;
  readonly body: string;
  readonly receiveCount: number;
  readonly sentAt: Date;
}

/** What a queue holds now: messages a receive would return, those received and not yet visible again, and delayed ones. */
export interface QueueContents {
  readonly visible: readonly HeldMessage[];
  readonly inFlight: readonly HeldMessage[];
  readonly delayed: readonly HeldMessage[];
}

export interface NewQueue {
  /** @default 30 */
  readonly visibilityTimeoutSeconds?: number;
  /** Where a message goes once it has been received `maxReceiveCount` times and comes back. */
  readonly redrive?: { readonly deadLetterQueueArn: string; readonly maxReceiveCount: number };
  /** @default 1,048,576 (1 MiB), the API reference's default */
  readonly maximumMessageSize?: number;
  readonly kmsMasterKeyId?: string;
  /** @default 'eu-west-1' */
  readonly region?: string;
}

/** The controls tests get for SQS. */
export interface QueuesHarness {
  /** Makes a standard queue as CloudFormation would; idempotent for the same settings. */
  createQueue(name: string, options?: NewQueue): { readonly url: string; readonly arn: string };
  /** What the queue (by URL or ARN) holds now. */
  contents(queue: string): QueueContents;
}

import { ACCOUNT } from '../account';
import type { RequestContext, ServiceModule } from '../dispatch';
import { ServiceError } from '../wire/errors';
import { type Input, requiredString } from '../wire/input';
import {
  checkBatch,
  checkBody,
  integerIn,
  MAX_BATCH_BYTES,
  MAX_BATCH_ENTRIES,
  MAX_VISIBILITY_TIMEOUT,
  MAX_WAIT_SECONDS,
  SQS_FAULTS,
  settingsFrom,
} from './rules';
import type { QueueStore } from './store';
import type { Queue, StoredMessage } from './types';

/** The system attributes a standard queue's message carries, by the name ReceiveMessage asks for. */
const SYSTEM_ATTRIBUTES: Readonly<Record<string, (m: StoredMessage) => string | undefined>> = {
  ApproximateReceiveCount: (m) => String(m.receiveCount),
  SentTimestamp: (m) => String(m.sentAt),
  SenderId: (m) => m.senderId,
  ApproximateFirstReceiveTimestamp: (m) =>
    m.firstReceivedAt === undefined ? undefined : String(m.firstReceivedAt),
};

/**
 * SQS over awsJson1_0 (query compatible): standard queues, their messages and batches. Message bodies are
 * kept for the receiver and the test, never in the call log. Message attributes are refused rather than
 * dropped: the local queue does not model them.
 */
export function sqs(queues: QueueStore): ServiceModule {
  const queueOf = (input: Input, { region }: RequestContext) =>
    queues.byUrl(requiredString(input, 'QueueUrl'), region);
  return {
    service: 'sqs',
    faults: SQS_FAULTS,
    // A receipt handle lets its holder delete one message only with sqs:DeleteMessage on the queue: not a secret.
    safeParams: [
      'QueueName',
      'QueueUrl',
      'QueueOwnerAWSAccountId',
      'ReceiptHandle',
      'AttributeNames',
      'MessageSystemAttributeNames',
    ],
    operations: {
      CreateQueue: (input, { region }) => {
        const settings = settingsFrom(input.stringMap('Attributes') ?? {}, (arn) => queues.exists(arn));
        const queue = queues.create(requiredString(input, 'QueueName'), region, settings, {
          ...input.stringMap('tags'),
        });
        return { QueueUrl: queue.url };
      },
      GetQueueUrl: (input, { region }) => ({
        QueueUrl: queues.byName(
          requiredString(input, 'QueueName'),
          region,
          input.string('QueueOwnerAWSAccountId') ?? ACCOUNT,
        ).url,
      }),
      GetQueueAttributes: (input, context) => {
        const all = queues.attributes(queueOf(input, context));
        const names = input.strings('AttributeNames') ?? [];
        const unknown = names.find((name) => name !== 'All' && !(name in all));
        if (unknown !== undefined) {
          throw new ServiceError('InvalidAttributeName', `Unknown Attribute ${unknown}.`);
        }
        const wanted = names.includes('All') ? Object.keys(all) : names;
        return { Attributes: Object.fromEntries(wanted.map((name) => [name, all[name] ?? ''])) };
      },
      SendMessage: (input, context) => {
        const queue = queueOf(input, context);
        const message = sendOne(queues, queue, input, context);
        return { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody };
      },
      SendMessageBatch: (input, context) => {
        const queue = queueOf(input, context);
        const entries = input.structs('Entries') ?? [];
        checkBatch(entries.map((entry) => entry.string('Id') ?? ''));
        const total = entries.reduce((sum, e) => sum + Buffer.byteLength(e.string('MessageBody') ?? ''), 0);
        // The whole batch is held to SQS's own limit; each message to the queue's MaximumMessageSize.
        if (total > MAX_BATCH_BYTES) {
          throw new ServiceError(
            'BatchRequestTooLong',
            `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`,
          );
        }
        return eachEntry(entries, (entry) => {
          const message = sendOne(queues, queue, entry, context);
          return { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody };
        });
      },
      ReceiveMessage: async (input, context) => {
        const queue = queueOf(input, context);
        const max = input.integer('MaxNumberOfMessages');
        const timeout = input.integer('VisibilityTimeout');
        const wait = input.integer('WaitTimeSeconds');
        const messages = await queues.receive(queue, {
          max: max === undefined ? 1 : integerIn('MaxNumberOfMessages', max, 1, MAX_BATCH_ENTRIES),
          visibilityTimeoutSeconds:
            timeout === undefined
              ? queue.settings.visibilityTimeoutSeconds
              : integerIn('VisibilityTimeout', timeout, 0, MAX_VISIBILITY_TIMEOUT),
          waitSeconds:
            wait === undefined
              ? queue.settings.receiveWaitSeconds
              : integerIn('WaitTimeSeconds', wait, 0, MAX_WAIT_SECONDS),
          ...(context.signal && { signal: context.signal }),
        });
        const names = [
          ...(input.strings('MessageSystemAttributeNames') ?? []),
          ...(input.strings('AttributeNames') ?? []),
        ];
        // SQS leaves Messages out of an empty answer, and the SDK gives `undefined` for it.
        return messages.length === 0 ? {} : { Messages: messages.map((message) => received(message, names)) };
      },
      DeleteMessage: (input, context) => {
        queues.delete(queueOf(input, context), requiredString(input, 'ReceiptHandle'));
        return {};
      },
      DeleteMessageBatch: (input, context) => {
        const queue = queueOf(input, context);
        const entries = input.structs('Entries') ?? [];
        checkBatch(entries.map((entry) => entry.string('Id') ?? ''));
        return eachEntry(entries, (entry) => {
          queues.delete(queue, requiredString(entry, 'ReceiptHandle'));
          return {};
        });
      },
      ChangeMessageVisibility: (input, context) => {
        const timeout = input.integer('VisibilityTimeout');
        if (timeout === undefined) {
          throw new ServiceError(
            'MissingParameter',
            'The request must contain the parameter VisibilityTimeout.',
          );
        }
        queues.changeVisibility(
          queueOf(input, context),
          requiredString(input, 'ReceiptHandle'),
          integerIn('VisibilityTimeout', timeout, 0, MAX_VISIBILITY_TIMEOUT),
        );
        return {};
      },
    },
  };
}

function sendOne(queues: QueueStore, queue: Queue, input: Input, { caller }: RequestContext): StoredMessage {
  if (
    input.struct('MessageAttributes') !== undefined ||
    input.struct('MessageSystemAttributes') !== undefined
  ) {
    throw new ServiceError('InvalidParameterValue', 'The local SQS does not model message attributes.');
  }
  const delay = input.integer('DelaySeconds');
  return queues.send(
    queue,
    checkBody(input.string('MessageBody'), queue.settings.maximumMessageSize),
    // The signing key stands in for the sender's principal id (AIDA..., AROA...:session).
    caller ?? ACCOUNT,
    delay === undefined ? undefined : integerIn('DelaySeconds', delay, 0, 900),
  );
}

/** A batch answers per entry: what succeeded, and each failure with its code and whose fault it was. */
function eachEntry(entries: readonly Input[], act: (entry: Input) => object) {
  const Successful: object[] = [];
  const Failed: object[] = [];
  for (const entry of entries) {
    const Id = entry.string('Id') ?? '';
    try {
      Successful.push({ Id, ...act(entry) });
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      Failed.push({ Id, SenderFault: true, Code: error.code, Message: error.message });
    }
  }
  return { Successful, Failed };
}

function received(message: StoredMessage, names: readonly string[]) {
  const wanted = names.includes('All') ? Object.keys(SYSTEM_ATTRIBUTES) : names;
  const attributes = Object.fromEntries(
    wanted.flatMap((name) => {
      const value = SYSTEM_ATTRIBUTES[name]?.(message);
      return value === undefined ? [] : [[name, value]];
    }),
  );
  return {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(Object.keys(attributes).length > 0 && { Attributes: attributes }),
  };
}

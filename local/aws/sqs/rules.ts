import { ServiceError } from '../wire/errors';

/** A standard queue's settings, from CreateQueue's attributes or the harness. */
export interface QueueSettings {
  readonly visibilityTimeoutSeconds: number;
  readonly maximumMessageSize: number;
  readonly messageRetentionSeconds: number;
  readonly delaySeconds: number;
  readonly receiveWaitSeconds: number;
  readonly redrive?: { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number };
  readonly kmsMasterKeyId?: string;
  readonly kmsDataKeyReusePeriodSeconds?: number;
}

/** SQS's defaults, as the API reference gives them (the message size limit has been 1 MiB since 2025). */
export const DEFAULT_SETTINGS: QueueSettings = {
  visibilityTimeoutSeconds: 30,
  maximumMessageSize: 1_048_576,
  messageRetentionSeconds: 345_600,
  delaySeconds: 0,
  receiveWaitSeconds: 0,
};

export const MAX_BATCH_ENTRIES = 10;
/** The most a batch's bodies may add up to, whatever the queue's MaximumMessageSize. */
export const MAX_BATCH_BYTES = 1_048_576;
export const MAX_VISIBILITY_TIMEOUT = 43_200;
export const MAX_WAIT_SECONDS = 20;

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
// The characters SQS accepts in a message, as its API reference lists them (XML 1.0's Char).
const REFUSED_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** The integer attributes CreateQueue takes, with their ranges. */
const RANGES: Readonly<Record<string, readonly [keyof QueueSettings, number, number]>> = {
  VisibilityTimeout: ['visibilityTimeoutSeconds', 0, MAX_VISIBILITY_TIMEOUT],
  MaximumMessageSize: ['maximumMessageSize', 1_024, 1_048_576],
  MessageRetentionPeriod: ['messageRetentionSeconds', 60, 1_209_600],
  DelaySeconds: ['delaySeconds', 0, 900],
  ReceiveMessageWaitTimeSeconds: ['receiveWaitSeconds', 0, MAX_WAIT_SECONDS],
  KmsDataKeyReusePeriodSeconds: ['kmsDataKeyReusePeriodSeconds', 60, 86_400],
};
/** Attributes a standard queue accepts that change nothing the local queue models. */
const ACCEPTED = ['Policy', 'SqsManagedSseEnabled', 'RedriveAllowPolicy'];

export function checkQueueName(name: string): void {
  if (name.endsWith('.fifo')) {
    throw new ServiceError('InvalidParameterValue', 'The local SQS models standard queues only.');
  }
  if (!QUEUE_NAME.test(name)) {
    throw new ServiceError(
      'InvalidParameterValue',
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  }
}

/** CreateQueue's attributes as settings; `queueExists` judges a redrive policy's dead-letter target. */
export function settingsFrom(
  attributes: Readonly<Record<string, string>>,
  queueExists: (arn: string) => boolean,
): QueueSettings {
  const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const [name, value] of Object.entries(attributes)) {
    const range = RANGES[name];
    if (range) {
      settings[range[0]] = integerIn(name, value, range[1], range[2]);
    } else if (name === 'RedrivePolicy') {
      settings.redrive = redrivePolicy(value, queueExists);
    } else if (name === 'KmsMasterKeyId') {
      settings.kmsMasterKeyId = value;
    } else if (name === 'FifoQueue') {
      throw new ServiceError('InvalidAttributeName', 'The local SQS models standard queues only.');
    } else if (!ACCEPTED.includes(name)) {
      throw new ServiceError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
  }
  return settings as unknown as QueueSettings;
}

/** A queue's settings as GetQueueAttributes spells them. */
export function settingsAttributes(settings: QueueSettings): Record<string, string> {
  return {
    VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
    MaximumMessageSize: String(settings.maximumMessageSize),
    MessageRetentionPeriod: String(settings.messageRetentionSeconds),
    DelaySeconds: String(settings.delaySeconds),
    ReceiveMessageWaitTimeSeconds: String(settings.receiveWaitSeconds),
    ...(settings.redrive && {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: settings.redrive.deadLetterTargetArn,
        maxReceiveCount: settings.redrive.maxReceiveCount,
      }),
    }),
    ...(settings.kmsMasterKeyId !== undefined
      ? {
          KmsMasterKeyId: settings.kmsMasterKeyId,
          KmsDataKeyReusePeriodSeconds: String(settings.kmsDataKeyReusePeriodSeconds ?? 300),
        }
      : { SqsManagedSseEnabled: 'true' }),
  };
}

function redrivePolicy(value: string, queueExists: (arn: string) => boolean) {
  const invalid = (reason: string) =>
    new ServiceError(
      'InvalidParameterValue',
      `Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`,
    );
  let policy: unknown;
  try {
    policy = JSON.parse(value);
  } catch {
    throw invalid('Redrive policy is not a valid JSON map.');
  }
  const { deadLetterTargetArn, maxReceiveCount } = (policy ?? {}) as Record<string, unknown>;
  if (typeof deadLetterTargetArn !== 'string') {
    throw invalid('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  }
  const count = Number(maxReceiveCount);
  if (!Number.isInteger(count) || count < 1 || count > 1_000) {
    throw invalid('Invalid value for maxReceiveCount: must be an integer from 1 to 1000.');
  }
  if (!queueExists(deadLetterTargetArn)) {
    throw invalid('Dead letter target does not exist.');
  }
  return { deadLetterTargetArn, maxReceiveCount: count };
}

export function integerIn(name: string, value: string | number, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new ServiceError(
      'InvalidParameterValue',
      `Value ${value} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`,
    );
  }
  return number;
}

/** A message body SQS would take, or the error it answers with. */
export function checkBody(body: string | undefined, maximumMessageSize: number): string {
  if (body === undefined || body === '') {
    throw new ServiceError('MissingParameter', 'The request must contain the parameter MessageBody.');
  }
  if (REFUSED_CHARACTER.test(body)) {
    throw new ServiceError(
      'InvalidMessageContents',
      'Invalid binary character was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  }
  if (Buffer.byteLength(body, 'utf8') > maximumMessageSize) {
    throw new ServiceError(
      'InvalidParameterValue',
      `One or more parameters are invalid. Reason: Message must be shorter than ${maximumMessageSize} bytes.`,
    );
  }
  return body;
}

/** The checks every batch call makes on its entries before it looks at any of them. */
export function checkBatch(ids: readonly string[]): void {
  if (ids.length === 0) {
    throw new ServiceError('EmptyBatchRequest', 'There should be at least one entry in the request.');
  }
  if (ids.length > MAX_BATCH_ENTRIES) {
    throw new ServiceError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${ids.length}.`,
    );
  }
  const malformed = ids.find((id) => !BATCH_ENTRY_ID.test(id));
  if (malformed !== undefined) {
    throw new ServiceError(
      'InvalidBatchEntryId',
      'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
    );
  }
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined) {
    throw new ServiceError('BatchEntryIdsNotDistinct', `Id ${repeated} repeated.`);
  }
}

/** SQS's faults as the SDK's schemas spell them: shape, awsQuery code and status. */
export const SQS_FAULTS = [
  { shape: 'QueueDoesNotExist', queryCode: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  { shape: 'QueueNameExists', queryCode: 'QueueAlreadyExists', status: 400 },
  { shape: 'ReceiptHandleIsInvalid', queryCode: 'ReceiptHandleIsInvalid', status: 404 },
  { shape: 'MessageNotInflight', queryCode: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  { shape: 'EmptyBatchRequest', queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  {
    shape: 'TooManyEntriesInBatchRequest',
    queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    status: 400,
  },
  { shape: 'InvalidBatchEntryId', queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId', status: 400 },
  {
    shape: 'BatchEntryIdsNotDistinct',
    queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    status: 400,
  },
  { shape: 'BatchRequestTooLong', queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong', status: 400 },
  { shape: 'InvalidAddress', queryCode: 'InvalidAddress', status: 404 },
];

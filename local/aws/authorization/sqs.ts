import { ACCOUNT } from '../account';
import type { QueueStore } from '../sqs/store';
import type { Input } from '../wire/input';
import {
  type Authorization,
  type RequestScope,
  requestTagContext,
  type ServiceAuthorizations,
} from './types';

/** The AWS managed key: its policy is AWS's, and a queue under it needs no KMS permission of the caller. */
const AWS_MANAGED_KEY = 'alias/aws/sqs';

/**
 * Every call is authorized on the queue's ARN (SendMessageBatch as `sqs:SendMessage`, DeleteMessageBatch as
 * `sqs:DeleteMessage`). A queue under a customer managed key also has SQS use that key for the caller
 * (`kms:ViaService`): a sender needs GenerateDataKey and Decrypt, a receiver Decrypt.
 */
export function sqsAuthorizations(queues: QueueStore): ServiceAuthorizations {
  const onQueue =
    (action: string, kms: readonly string[] = []) =>
    (input: Input, { region }: RequestScope): Authorization[] => {
      const resource = queueArn(input.string('QueueUrl') ?? '', region);
      const key = queues.exists(resource) ? keyOf(queues, resource, region) : undefined;
      const viaSqs = { 'kms:ViaService': `sqs.${region}.amazonaws.com` };
      return [
        { action: `sqs:${action}`, resource, context: {} },
        ...(key ? kms.map((use) => ({ action: use, resource: key, context: viaSqs })) : []),
      ];
    };
  const sender = ['kms:GenerateDataKey', 'kms:Decrypt'];
  return {
    CreateQueue: (input, { region }) => {
      const resource = `arn:aws:sqs:${region}:${ACCOUNT}:${input.string('QueueName') ?? ''}`;
      const tags = input.stringMap('tags') ?? {};
      const context = requestTagContext(tags);
      return [
        { action: 'sqs:CreateQueue', resource, context },
        ...(Object.keys(tags).length > 0 ? [{ action: 'sqs:TagQueue', resource, context }] : []),
      ];
    },
    GetQueueUrl: (input, { region }) => [
      {
        action: 'sqs:GetQueueUrl',
        resource: `arn:aws:sqs:${region}:${input.string('QueueOwnerAWSAccountId') ?? ACCOUNT}:${input.string('QueueName') ?? ''}`,
        context: {},
      },
    ],
    GetQueueAttributes: onQueue('GetQueueAttributes'),
    SendMessage: onQueue('SendMessage', sender),
    SendMessageBatch: onQueue('SendMessage', sender),
    ReceiveMessage: onQueue('ReceiveMessage', ['kms:Decrypt']),
    DeleteMessage: onQueue('DeleteMessage'),
    DeleteMessageBatch: onQueue('DeleteMessage'),
    ChangeMessageVisibility: onQueue('ChangeMessageVisibility'),
  };
}

/** The ARN a queue URL stands for: `https://sqs.<region>.amazonaws.com/<account>/<name>` or the local form. */
function queueArn(queueUrl: string, region: string): string {
  try {
    const url = new URL(queueUrl);
    const [account = '', name = ''] = url.pathname.split('/').filter(Boolean);
    const urlRegion = /^sqs\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1] ?? region;
    return `arn:aws:sqs:${urlRegion}:${account}:${name}`;
  } catch {
    return `arn:aws:sqs:${region}:${ACCOUNT}:`;
  }
}

/** The queue's customer managed key as an ARN (an alias as the alias's ARN), if it has one. */
function keyOf(queues: QueueStore, arn: string, region: string): string | undefined {
  const keyId = queues.settingsOf(arn).kmsMasterKeyId;
  if (keyId === undefined || keyId === AWS_MANAGED_KEY) return undefined;
  return keyId.startsWith('arn:')
    ? keyId
    : `arn:aws:kms:${region}:${ACCOUNT}:${keyId.startsWith('alias/') ? keyId : `key/${keyId}`}`;
}

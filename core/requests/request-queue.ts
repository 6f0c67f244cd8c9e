import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Where access events wait during a burst, and how a failed one comes back. */
export interface RequestQueue {
  /** Puts an access event on the queue, as it arrived, for a batch to handle. */
  defer(event: unknown): Promise<void>;
  /** Makes a message the batch could not handle visible again after `seconds`, not after the queue's timeout. */
  retryAfter(receiptHandle: string, seconds: number): Promise<void>;
}

export class SqsRequestQueue implements RequestQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async defer(event: unknown): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(event) }),
    );
  }

  async retryAfter(receiptHandle: string, seconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }
}

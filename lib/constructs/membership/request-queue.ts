import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '#core/runtime/env-names';

/** The queue, the queue its events end in when they fail every delivery, its event source, and the function's permissions. */
export interface RequestQueue {
  readonly queue: sqs.Queue;
  readonly failures: sqs.Queue;
  readonly batches: lambda.EventSourceMapping;
  readonly statements: iam.PolicyStatement[];
}

/**
 * Up to this many events in one batch: a burst of a few hundred requests is one batch, one change per
 * group; well under the 6 MB payload an invocation takes (an access event is about 1 KB).
 */
const BATCH_SIZE = 1_000;
/** How long the event source gathers a batch: a burst arrives within about a second. */
const BATCHING_WINDOW = Duration.seconds(1);
/** AWS's smallest: batches run at most two at a time, and take turns on the lane while they do. */
const MAX_CONCURRENCY = 2;
/** Deliveries before an event that always fails goes to the failure queue (and its alarm). */
const MAX_RECEIVE_COUNT = 5;
/** AWS's advice for a queue feeding a function: a visibility timeout of six times the function's timeout. */
const VISIBILITY_PER_TIMEOUT = 6;

/**
 * Where access events go in a burst: the function handles the first at once and, while it holds the
 * request lane, puts the rest here; the event source hands them back in batches, each group settled
 * once per batch. Failed events come back alone (partial batch responses); after
 * `MAX_RECEIVE_COUNT` deliveries they land in a failure queue of their own.
 */
export function requestQueue(scope: Construct, fn: lambda.Function): RequestQueue {
  const timeout = fn.timeout ?? Duration.seconds(3);
  // Events only, as they came from the bus: once the cause is fixed, a message move task puts them back.
  const failures = new sqs.Queue(scope, 'RequestFailures', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(failures).acknowledge({
    id: 'AwsSolutions::AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter queue of the request queue.',
  });
  const queue = new sqs.Queue(scope, 'RequestQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(timeout.toSeconds() * VISIBILITY_PER_TIMEOUT),
    deadLetterQueue: { queue: failures, maxReceiveCount: MAX_RECEIVE_COUNT },
  });
  const batches = new lambda.EventSourceMapping(scope, 'RequestBatches', {
    target: fn,
    eventSourceArn: queue.queueArn,
    batchSize: BATCH_SIZE,
    maxBatchingWindow: BATCHING_WINDOW,
    maxConcurrency: MAX_CONCURRENCY,
    reportBatchItemFailures: true,
  });
  fn.addEnvironment(ENV.requestQueueUrl, queue.queueUrl);
  return {
    queue,
    failures,
    batches,
    statements: [
      new iam.PolicyStatement({
        sid: 'DeferBurstsToQueue',
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
      }),
      new iam.PolicyStatement({
        sid: 'TakeQueuedBatches',
        actions: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:ChangeMessageVisibility',
        ],
        resources: [queue.queueArn],
      }),
    ],
  };
}

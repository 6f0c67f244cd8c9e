import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { z } from 'zod';
import { type Grant, type GrantSpec, grantSpecSchema, resolveGrant } from '#core/membership/grant';
import { MEMBERSHIP_CONFIG_FILE, membershipConfigFileContent } from '#core/requests/config-file';
import type { NotifySpec } from '#core/requests/notify-config';
import { type Requests, requestsSpecSchema, resolveRequests } from '#core/requests/rules';
import { ENV } from '#core/runtime/env-names';
import { ephemeralPrefixes } from '../../lib/constructs/membership/ephemeral-policy';
import type { Engine, LocalAws } from '../aws/endpoint';
import { accessTableBeside } from '../lambda/bundles';
import { type LambdaHost, startLambda } from '../lambda/host';
import { type SqsEventSource, startSqsEventSource } from '../lambda/sqs-event-source';
import { accessKeyFor } from './deployments';

export const GROUP_MODIFY: Record<Engine, string> = { elasticache: 'ModifyUserGroup', memorydb: 'UpdateACL' };
export const GROUP_DESCRIBE: Record<Engine, { operation: string; idParam: string }> = {
  elasticache: { operation: 'DescribeUserGroups', idParam: 'UserGroupId' },
  memorydb: { operation: 'DescribeACLs', idParam: 'ACLName' },
};
export const GROUP_BUSY: Record<Engine, string> = {
  elasticache: 'InvalidUserGroupStateFault',
  memorydb: 'InvalidACLStateFault',
};

export function groupArnOf(engine: Engine, id: string): string {
  return engine === 'elasticache'
    ? `arn:aws:elasticache:eu-west-1:123456789012:usergroup:${id}`
    : `arn:aws:memorydb:eu-west-1:123456789012:acl/${id}`;
}

const HOUR_MS = 3_600_000;

/** A one-time window around now (open) or that ended an hour ago (closed), as ISO instants. */
export const openWindow = () => ({
  start: new Date(Date.now() - HOUR_MS).toISOString(),
  end: new Date(Date.now() + HOUR_MS).toISOString(),
});
export const closedWindow = () => ({
  start: new Date(Date.now() - 2 * HOUR_MS).toISOString(),
  end: new Date(Date.now() - HOUR_MS).toISOString(),
});

/** A queue as the harness made it: the SDK sends calls to the URL, IAM names the ARN. */
export interface LocalQueue {
  readonly url: string;
  readonly arn: string;
}

/** The bundled membership function, and the grant table the stack would create for it. */
export interface MembershipFunction extends LambdaHost {
  readonly tableName: string;
  /** With requests: the queue bursts of access events wait in, and the one they end in after every delivery failed. */
  readonly requestQueue?: LocalQueue;
  readonly requestFailures?: LocalQueue;
  /** With requests: the event source handing the request queue's batches to the function, as the stack's does. */
  readonly batches?: SqsEventSource;
  /** Its function URL (IAM auth) when a rule takes requests via the API, as the stack's `AccessApiUrl` output gives it. */
  readonly accessApiUrl?: string;
  /** The topic chat notifications go to, when the config has `requests.notify`. */
  readonly chatTopicArn?: string;
}

/** The stack the harness stands in for: the config-driven stack under its default id; DescribeStacks knows it once a function with requests starts. */
export const MEMBERSHIP_STACK = {
  name: 'CacheAccess',
  id: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/CacheAccess/5a6b7c8d-0000-4000-8000-000000000002',
};
/** The expiry group's name as that stack sets it, and what the stand-ins for its Scheduler role and failure queue are called. */
export const EXPIRY_GROUP = 'CacheAccess-Membership-Expiries-D6C20A4F';
const SCHEDULER_ROLE = 'arn:aws:iam::123456789012:role/cache-access-scheduler';
/** The names that stack gives ephemeral users and their secrets, and the function's own role. */
export const EPHEMERAL_NAMES = {
  ...ephemeralPrefixes(new Construct(new Stack(new App(), MEMBERSHIP_STACK.name), 'Membership')),
  functionRoleArn: 'arn:aws:iam::123456789012:role/cache-access-membership',
} as const;
const FAILED_RUNS = 'arn:aws:sqs:eu-west-1:123456789012:cache-access-failed-runs';
/** The stand-ins for the chat topic a stack with `notify: { create: true }` makes, and its key. */
const CHAT_TOPIC = 'CacheAccess-MembershipChatTopic-LOCAL';
const CHAT_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/0c4a7e11-0000-4000-8000-000000000003';
/** What the stand-in for the membership function is called, for the function URL's IAM facts. */
export const MEMBERSHIP_FUNCTION_ARN =
  'arn:aws:lambda:eu-west-1:123456789012:function:CacheAccess-MembershipReconciler';

/**
 * Starts the bundled membership function with what the stack would give it: its config file with the
 * grants (and the request rules, if any), a fresh grant table made from the template's definition, and
 * the environment naming them.
 */
export async function startMembershipFunction(
  bundle: string,
  aws: LocalAws,
  grants: readonly GrantSpec[],
  options: {
    readonly requests?: z.input<typeof requestsSpecSchema>;
    /** The grant table of an earlier start, as a redeploy keeps it. @default - a new table */
    readonly tableName?: string;
    /** The request queues of an earlier start, as a redeploy keeps them. @default - new queues */
    readonly queues?: { readonly requestQueue: LocalQueue; readonly requestFailures: LocalQueue };
    /** How the event source and the queue behave; shorter than the stack's, so tests of retries end soon. */
    readonly batching?: BatchingOptions;
  } = {},
): Promise<MembershipFunction> {
  const tableName = options.tableName ?? `access-${randomUUID()}`;
  if (!options.tableName) await aws.dynamo.createTable(accessTableBeside(bundle), tableName);
  const requests = options.requests && resolveRequests(requestsSpecSchema.parse(options.requests));
  const chat = requests?.notify && chatTopicOf(aws, requests.notify);
  const batching = { ...DEFAULT_BATCHING, ...options.batching };
  const queues = requests && (options.queues ?? requestQueuesOf(aws, batching));
  const accessKeyId = accessKeyFor({
    purpose: 'membership',
    config: () => config,
    physicalNames: {
      MembershipGrants: tableName,
      MembershipExpiries: EXPIRY_GROUP,
      MembershipSchedulerRole: SCHEDULER_ROLE,
      MembershipReconcilerRole: EPHEMERAL_NAMES.functionRoleArn,
      MembershipFailedRuns: FAILED_RUNS,
      ...(queues && {
        MembershipRequestQueue: queues.requestQueue.arn,
        MembershipRequestFailures: queues.requestFailures.arn,
      }),
      ...(chat?.created && { MembershipChatTopic: chat.topicArn, MembershipChatTopicKey: CHAT_KEY }),
    },
    stack: MEMBERSHIP_STACK,
  });
  const config = {
    membership: {
      ...(grants.length > 0 && { grants }),
      ...(options.requests && { requests: options.requests }),
    },
  };
  const host = await startLambda(bundle, {
    ...aws.env(),
    AWS_ACCESS_KEY_ID: accessKeyId,
    // As the stack bundles it: the chat topic reaches the function only through its environment.
    [ENV.membershipConfigFile]: writeConfigFile(
      grantsOf(grants),
      requests && { ...requests, notify: undefined },
    ),
    [ENV.eventBusName]: requests?.eventBusName ?? 'default',
    [ENV.accessTable]: tableName,
    ...(requests && {
      [ENV.expiryScheduleGroup]: EXPIRY_GROUP,
      [ENV.schedulerRoleArn]: SCHEDULER_ROLE,
      [ENV.deadLetterArn]: FAILED_RUNS,
    }),
    ...(queues && { [ENV.requestQueueUrl]: queues.requestQueue.url }),
    ...(chat && { [ENV.chatTopicArn]: chat.topicArn }),
    ...(requests?.rules.some((rule) => rule.ephemeral) && {
      [ENV.ephemeralUserPrefix]: EPHEMERAL_NAMES.userPrefix,
      [ENV.ephemeralSecretPrefix]: EPHEMERAL_NAMES.secretPrefix,
      [ENV.functionRoleArn]: EPHEMERAL_NAMES.functionRoleArn,
    }),
  });
  const chatTopicArn = chat?.topicArn;
  const batches =
    queues &&
    (await startSqsEventSource({
      aws,
      queueUrl: queues.requestQueue.url,
      queueArn: queues.requestQueue.arn,
      invoke: (event, invokeOptions) => host.invoke(event, invokeOptions),
      batchSize: batching.batchSize,
      maximumBatchingWindowMs: batching.windowMs,
      maxConcurrency: batching.maxConcurrency,
      reportBatchItemFailures: true,
      functionTimeoutMs: batching.functionTimeoutMs,
      // Lambda polls with the function's own role.
      credentials: { accessKeyId, secretAccessKey: aws.env().AWS_SECRET_ACCESS_KEY },
    }));
  // Taken before the host's own stop is replaced by this one, which must call it.
  const stopHost = host.stop.bind(host);
  const stop = async () => {
    await batches?.stop();
    await stopHost();
  };
  const base = { tableName, chatTopicArn, ...queues, ...(batches && { batches }), stop };
  if (!requests?.rules.some((rule) => rule.via.includes('api'))) {
    return Object.assign(host, base);
  }
  const accessApiUrl = await aws.functionUrls.serve({
    functionArn: MEMBERSHIP_FUNCTION_ARN,
    invoke: (event) => host.invoke(event),
  });
  // What `npm run access` and `npm run verify` read the URL and the table from.
  aws.stacks.put(
    {
      stackName: MEMBERSHIP_STACK.name,
      stackId: MEMBERSHIP_STACK.id,
      outputs: { AccessApiUrl: accessApiUrl, MembershipAccessTableName: tableName },
    },
    [],
  );
  return Object.assign(host, { ...base, accessApiUrl });
}

/** How the harness's request queue and its event source behave. */
export interface BatchingOptions {
  readonly batchSize?: number;
  readonly windowMs?: number;
  readonly maxConcurrency?: number;
  /** The invocation timeout the event source gives the function; more than the 10 s the function keeps in reserve. */
  readonly functionTimeoutMs?: number;
  /** How long a received message stays hidden. @default - six times the function timeout, as the stack sets it */
  readonly visibilityTimeoutSeconds?: number;
  readonly maxReceiveCount?: number;
}

/** As the stack sets them, but with a shorter function timeout, so waits in tests stay short. */
const DEFAULT_BATCHING = {
  batchSize: 1_000,
  windowMs: 1_000,
  maxConcurrency: 2,
  functionTimeoutMs: 30_000,
  maxReceiveCount: 5,
} satisfies BatchingOptions;

function requestQueuesOf(aws: LocalAws, batching: typeof DEFAULT_BATCHING & BatchingOptions) {
  const name = `cache-access-requests-${randomUUID().slice(0, 8)}`;
  const requestFailures = aws.sqs.createQueue(`${name}-failures`);
  const requestQueue = aws.sqs.createQueue(name, {
    visibilityTimeoutSeconds: batching.visibilityTimeoutSeconds ?? (batching.functionTimeoutMs / 1_000) * 6,
    redrive: { deadLetterQueueArn: requestFailures.arn, maxReceiveCount: batching.maxReceiveCount },
  });
  return { requestQueue, requestFailures };
}

/**
 * The chat topic: one the test made (`topicArn`, which must exist), or the stand-in for the one the
 * stack creates, encrypted with its key as the stack's is.
 */
function chatTopicOf(aws: LocalAws, notify: NotifySpec): { topicArn: string; created: boolean } {
  if (notify.topicArn) return { topicArn: notify.topicArn, created: false };
  return { topicArn: aws.topics.create(CHAT_TOPIC, 'eu-west-1', { kmsKeyArn: CHAT_KEY }), created: true };
}

/** The config file as the stack writes it, in a folder of its own so each test can have its own. */
function writeConfigFile(grants: readonly Grant[], requests: Requests | undefined): string {
  const file = join(mkdtempSync(join(tmpdir(), 'membership-config-')), MEMBERSHIP_CONFIG_FILE);
  writeFileSync(file, membershipConfigFileContent({ grants, requests }));
  return file;
}

/** An event as EventBridge hands it to the function from a rule on the stack's bus. */
export function busEvent(
  detailType: string,
  detail: unknown,
  source = 'approvals.example',
): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'eu-west-1',
    resources: [],
    detail,
  };
}

/** Grants as the config spells them, validated and resolved the way synth does. */
export function grantsOf(specs: readonly GrantSpec[]): Grant[] {
  return specs.map((spec) => resolveGrant(grantSpecSchema.parse(spec)));
}

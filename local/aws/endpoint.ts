import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LocalDynamo, startDynamo } from '../dynamodb/server';
import type { RedisServer } from '../redis/server';
import { authorizer } from './authorization';
import { type Call, type CalledService, CallLog, FaultPlan } from './calls';
import { StackStore, type StacksHarness } from './cloudformation';
import { createDispatcher } from './dispatch';
import { dynamoDb } from './dynamodb';
import { EventStore, type EventsHarness } from './events';
import { FunctionUrls, type FunctionUrlsHarness } from './function-urls/server';
import { createMemoryDbBuiltIns } from './groups/built-ins';
import { elastiCacheUserGroups } from './groups/elasticache-wire';
import { memoryDbAcls } from './groups/memorydb-wire';
import { GroupStore } from './groups/store';
import type { GroupHarness } from './groups/types';
import { PrincipalRegistry, type PrincipalsHarness } from './iam/principals';
import { ScheduleStore, type SchedulesHarness } from './scheduler';
import { SecretRotations, type SecretRotationsHarness } from './secrets/rotation';
import { secretsManager } from './secrets/secrets-manager-wire';
import { SecretStore } from './secrets/store';
import type { SecretsHarness } from './secrets/types';
import { sns } from './sns/sns-wire';
import { TopicStore, type TopicsHarness } from './sns/store';
import { sqs } from './sqs/sqs-wire';
import { QueueStore } from './sqs/store';
import type { QueuesHarness } from './sqs/types';
import { elastiCacheTags } from './tags/elasticache-wire';
import { memoryDbTags } from './tags/memorydb-wire';
import { Throttle, type ThrottleOptions } from './throttle';
import { elastiCacheUsers } from './users/elasticache-wire';
import { memoryDbUsers } from './users/memorydb-wire';
import { UserStore } from './users/store';
import type { Delays, UserHarness } from './users/types';
import type { ServiceName } from './wire/protocols';

export type { Call, CalledService } from './calls';
export type { NewStack, StackResource, StacksHarness } from './cloudformation';
export type { EventsHarness, PutEvent } from './events';
export type { FunctionUrlsHarness, FunctionUrlTarget } from './function-urls/server';
export type { GroupChange, GroupHarness, GroupState, GroupStatus, NewGroup } from './groups/types';
export type { CallerIdentity, LocalCredentials, PrincipalsHarness } from './iam/principals';
export type { Firing, LocalSchedule, SchedulesHarness } from './scheduler';
export type { SecretRotation, SecretRotationsHarness } from './secrets/rotation';
export type { SecretsHarness } from './secrets/types';
export type { PublishedMessage, TopicsHarness } from './sns/store';
export type { HeldMessage, NewQueue, QueueContents, QueuesHarness } from './sqs/types';
export type { Tags } from './tags/store';
export type { ThrottleOptions } from './throttle';
export type {
  AuthType,
  Engine,
  NewUser,
  ServerEngine,
  UserHarness,
  UserState,
  UserStatus,
} from './users/types';
export type { ServiceName } from './wire/protocols';

const REGION = 'eu-west-1';

export interface LocalAwsOptions {
  /** Where modelled users live as ACL users. */
  readonly redis: RedisServer;
  /** How long a modified user stays `modifying`, a created one `creating` and a deleted one `deleting`. @default 0 */
  readonly statusDelayMs?: number;
  /**
   * How long a password change (from the request) and a membership change (from when its group is `active`
   * again) take to reach redis. @default 0
   */
  readonly propagationDelayMs?: number;
  /**
   * How long a modified user group or ACL stays `modifying` before its new members take effect, a created one
   * `creating` and a deleted one `deleting`. @default 0
   */
  readonly groupDelayMs?: number;
  /** Added before every response. @default 0 */
  readonly latencyMs?: number;
  /**
   * Rate limits: a request over them gets the service's throttling error (`Throttling` over awsQuery,
   * `ThrottlingException` over JSON, HTTP 400), which the SDK retries with backoff.
   * @default - no limits
   */
  readonly throttle?: ThrottleOptions;
}

export interface LocalAwsDelays extends Delays {
  /** How long a modified user group or ACL, and the users it touches, stay `modifying`. */
  readonly groupDelayMs: number;
}

export interface LocalAwsEnv {
  readonly AWS_ENDPOINT_URL_SECRETS_MANAGER: string;
  readonly AWS_ENDPOINT_URL_ELASTICACHE: string;
  readonly AWS_ENDPOINT_URL_MEMORYDB: string;
  readonly AWS_ENDPOINT_URL_EVENTBRIDGE: string;
  readonly AWS_ENDPOINT_URL_SCHEDULER: string;
  readonly AWS_ENDPOINT_URL_CLOUDFORMATION: string;
  readonly AWS_ENDPOINT_URL_SNS: string;
  readonly AWS_ENDPOINT_URL_DYNAMODB: string;
  readonly AWS_ENDPOINT_URL_SQS: string;
  readonly AWS_ACCESS_KEY_ID: string;
  readonly AWS_SECRET_ACCESS_KEY: string;
  readonly AWS_REGION: string;
}

export interface LocalAws {
  readonly url: string;
  readonly secrets: SecretsHarness;
  /** The IAM roles and users that exist: a secret's resource policy may name only those. */
  readonly iam: PrincipalsHarness;
  readonly users: UserHarness;
  /**
   * ElastiCache user groups and MemoryDB ACLs. MemoryDB's `open-access` ACL with its `default` user exists
   * from the start.
   */
  readonly groups: GroupHarness;
  /** What PutEvents accepted. */
  readonly events: EventsHarness;
  /** EventBridge Scheduler's schedules, and firing the one-time ones that are due. */
  readonly schedules: SchedulesHarness;
  /** CloudFormation stacks and their resources, for ListStackResources. */
  readonly stacks: StacksHarness;
  /** Secrets Manager's rotation rules and dates per secret, for DescribeSecret. */
  readonly secretRotations: SecretRotationsHarness;
  /** SNS topics and their subscriptions. */
  readonly topics: TopicsHarness;
  /** SQS standard queues: make one, and read what it holds. */
  readonly sqs: QueuesHarness;
  /** Lambda function URLs with IAM auth, each on a port of its own, in front of a hosted function. */
  readonly functionUrls: FunctionUrlsHarness;
  /** DynamoDB, served by dynalite in memory on a port of its own; the endpoint forwards and records calls to it. */
  readonly dynamo: LocalDynamo;
  /** Requests answered with a throttling error so far; they are in `calls` with that error too. */
  readonly throttledCount: number;
  /** Every request so far, oldest first, with only non-secret parameters. */
  readonly calls: readonly Call[];
  /** Calls of one operation; give the service where two share a name (`DescribeUsers`). */
  callsOf(operation: string, service?: CalledService): Call[];
  /**
   * Fails the next `times` calls of `operation` with `code` before they touch any state. The code may be
   * the SDK's exception name or the awsQuery code (`InvalidUserStateFault` or `InvalidUserState`).
   */
  failNext(operation: string, code: string, times?: number, service?: ServiceName): void;
  setDelays(delays: Partial<LocalAwsDelays>): void;
  /** Replaces the rate limits (and refills them); `undefined` lifts them. */
  setThrottle(throttle: ThrottleOptions | undefined): void;
  /** Variables that point unmodified SDK v3 clients at this endpoint with fake credentials. */
  env(): LocalAwsEnv;
  stop(): Promise<void>;
}

/**
 * Starts an HTTP endpoint on a random loopback port that speaks Secrets Manager, ElastiCache, MemoryDB,
 * EventBridge, EventBridge Scheduler, CloudFormation, SNS and SQS, and forwards DynamoDB to dynalite on a port of its own.
 */
export async function startLocalAws(opts: LocalAwsOptions): Promise<LocalAws> {
  const users = new UserStore(opts.redis, {
    statusDelayMs: opts.statusDelayMs ?? 0,
    propagationDelayMs: opts.propagationDelayMs ?? 0,
  });
  const groups = new GroupStore(users, opts.groupDelayMs ?? 0);
  await createMemoryDbBuiltIns(users, groups);
  const iam = new PrincipalRegistry(REGION);
  const secrets = new SecretStore(iam);
  const events = new EventStore();
  const schedules = new ScheduleStore();
  const stacks = new StackStore();
  const secretRotations = new SecretRotations(secrets);
  const topics = new TopicStore();
  // Queue URLs name the endpoint, which has a port only once it listens; nothing asks for one before.
  let url = '';
  const queues = new QueueStore(() => url);
  const dynamo = await startDynamo();
  const calls = new CallLog();
  const functionUrls = new FunctionUrls(iam, calls);
  const faults = new FaultPlan();
  const throttle = new Throttle(opts.throttle);
  const stopping = new AbortController();
  const server = createServer(
    createDispatcher({
      modules: [
        secretsManager(secrets, secretRotations),
        elastiCacheUsers(users, groups),
        elastiCacheUserGroups(groups),
        elastiCacheTags(users, groups),
        memoryDbUsers(users, groups),
        memoryDbAcls(groups),
        memoryDbTags(users, groups),
        events.module,
        schedules.module,
        stacks.module,
        sns(topics),
        sqs(queues),
        dynamoDb(dynamo.url),
      ],
      calls,
      authorize: authorizer({ users, groups, secrets, topics, queues }),
      faults,
      throttle,
      latencyMs: opts.latencyMs ?? 0,
      defaultRegion: REGION,
      signal: stopping.signal,
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    secrets,
    iam,
    users,
    groups,
    events,
    schedules,
    stacks,
    secretRotations,
    topics,
    sqs: queues,
    functionUrls,
    dynamo,
    get throttledCount() {
      return throttle.throttledCount;
    },
    get calls() {
      return calls.calls;
    },
    callsOf: (operation, service) => calls.of(operation, service),
    failNext: (operation, code, times = 1, service = undefined) =>
      faults.add(operation, code, times, service),
    setDelays: ({ groupDelayMs, ...userDelays }) => {
      users.setDelays(userDelays);
      if (groupDelayMs !== undefined) {
        groups.setDelay(groupDelayMs);
      }
    },
    setThrottle: (options) => throttle.set(options),
    env: () => ({
      AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
      AWS_ENDPOINT_URL_ELASTICACHE: url,
      AWS_ENDPOINT_URL_MEMORYDB: url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: url,
      AWS_ENDPOINT_URL_SCHEDULER: url,
      AWS_ENDPOINT_URL_CLOUDFORMATION: url,
      AWS_ENDPOINT_URL_SNS: url,
      AWS_ENDPOINT_URL_DYNAMODB: url,
      AWS_ENDPOINT_URL_SQS: url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: REGION,
    }),
    stop: async () => {
      stopping.abort();
      queues.stop();
      await functionUrls.stop();
      // SDK clients keep connections alive; close() alone would wait for them.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      groups.stop();
      await dynamo.stop();
      await users.stop();
    },
  };
}

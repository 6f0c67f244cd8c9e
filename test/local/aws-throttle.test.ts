import { DescribeUserGroupsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeACLsCommand, MemoryDBClient } from '@aws-sdk/client-memorydb';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../local/aws/endpoint';
import { type RedisServer, startRedis } from '../../local/redis/server';
import { pointSdkAt, rejection } from '../support/sdk-env';

let redis: RedisServer;
let aws: LocalAws;
let restoreEnv: (() => void) | undefined;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  redis = await startRedis();
  // One request, then one more every 50 ms: a second request at once is throttled, a retry soon gets through.
  aws = await startLocalAws({ redis, throttle: { requestsPerSecond: 20, burst: 1 } });
  restoreEnv = pointSdkAt(aws.env());
  await aws.groups.create({ engine: 'elasticache', id: 'throttled-group' });
});

afterAll(async () => {
  for (const client of clients) {
    client.destroy();
  }
  restoreEnv?.();
  await aws?.stop();
  await redis?.stop();
});

afterEach(() => {
  aws.setThrottle({ requestsPerSecond: 20, burst: 1 });
});

/**
 * For tests that expect the second request to be refused: one token per 5 s, so a slow first call on
 * a busy machine cannot give the bucket time to refill.
 */
const SLOW = { requestsPerSecond: 0.2, burst: 1 };

/** Clients that try once, so the throttling error itself reaches the test. */
function once<T extends { destroy(): void }>(client: T): T {
  clients.push(client);
  return client;
}

const describeGroup = new DescribeUserGroupsCommand({ UserGroupId: 'throttled-group' });
const describeAcl = new DescribeACLsCommand({ ACLName: 'open-access' });
const putEvent = new PutEventsCommand({
  Entries: [{ Source: 'throttle', DetailType: 'Probe', Detail: '{}' }],
});

describe('throttling', () => {
  it('answers an excess ElastiCache request with the awsQuery Throttling error, HTTP 400', async () => {
    const client = once(new ElastiCacheClient({ region: 'eu-west-1', maxAttempts: 1 }));
    aws.setThrottle(SLOW);
    const before = aws.throttledCount;

    await client.send(describeGroup);
    const error = await rejection(client.send(describeGroup));

    expect(error).toMatchObject({
      name: 'Throttling',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    expect(aws.throttledCount).toBe(before + 1);
    expect(aws.callsOf('DescribeUserGroups').at(-1)?.error).toBe('ThrottlingException');
  });

  it('answers excess MemoryDB and EventBridge requests with ThrottlingException, each service on its own bucket', async () => {
    const memoryDb = once(new MemoryDBClient({ region: 'eu-west-1', maxAttempts: 1 }));
    const eventBridge = once(new EventBridgeClient({ region: 'eu-west-1', maxAttempts: 1 }));
    aws.setThrottle(SLOW);

    await memoryDb.send(describeAcl);
    await eventBridge.send(putEvent);
    const memoryDbError = await rejection(memoryDb.send(describeAcl));
    const eventBridgeError = await rejection(eventBridge.send(putEvent));

    expect(memoryDbError).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    expect(eventBridgeError).toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('leaves Secrets Manager alone unless it is named', async () => {
    const client = once(new SecretsManagerClient({ region: 'eu-west-1', maxAttempts: 1 }));
    const describeMissing = new DescribeSecretCommand({ SecretId: 'missing' });

    const unthrottled = await Promise.all([1, 2, 3].map(() => rejection(client.send(describeMissing))));
    aws.setThrottle({ ...SLOW, services: ['secretsmanager'] });
    await rejection(client.send(describeMissing));
    const throttled = await rejection(client.send(describeMissing));

    expect(unthrottled.map((error) => (error as Error).name)).toEqual(
      Array(3).fill('ResourceNotFoundException'),
    );
    expect((throttled as Error).name).toBe('ThrottlingException');
  });

  it('is retried by the standard retry strategy with backoff until a request gets through', async () => {
    const client = once(new ElastiCacheClient({ region: 'eu-west-1' }));
    const before = aws.callsOf('DescribeUserGroups').length;

    await client.send(describeGroup);
    const retried = await client.send(describeGroup);

    const attempts = aws
      .callsOf('DescribeUserGroups')
      .slice(before)
      .map((call) => call.error ?? 'ok');
    expect(retried.$metadata.attempts).toBeGreaterThanOrEqual(2);
    expect(attempts[0]).toBe('ok');
    expect(attempts.slice(1, -1).every((outcome) => outcome === 'ThrottlingException')).toBe(true);
    expect(attempts.at(-1)).toBe('ok');
  });

  it('makes the SDK give up after its default three attempts when the limit does not lift', async () => {
    const client = once(new MemoryDBClient({ region: 'eu-west-1' }));
    aws.setThrottle({ requestsPerSecond: 0.01, burst: 1 });
    const throttledBefore = aws.throttledCount;

    await client.send(describeAcl);
    const error = await rejection(client.send(describeAcl));

    expect(error).toMatchObject({ name: 'ThrottlingException', $metadata: { attempts: 3 } });
    expect(aws.throttledCount - throttledBefore).toBe(3);
  });

  it('refuses a limit that is not a positive rate', () => {
    expect(() => aws.setThrottle({ requestsPerSecond: 0 })).toThrow(
      /requestsPerSecond must be a positive number/,
    );
  });
});

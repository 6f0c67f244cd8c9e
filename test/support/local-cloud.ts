import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { MemoryDBClient } from '@aws-sdk/client-memorydb';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { LambdaHost } from '../../local';
import { type LocalAws, type RedisServer, startLocalAws, startRedis } from '../../local';
import { expectCallsAllowed } from './iam-simulation';
import { pointSdkAt } from './sdk-env';

export interface LocalCloud {
  redis: RedisServer;
  aws: LocalAws;
  /** The function under test; stopped after each test. */
  fn?: LambdaHost;
}

/**
 * A redis-server and a local AWS endpoint for one suite. After each test the function host is
 * stopped and the endpoint's delays are back to zero, so tests cannot leak into each other. After the
 * suite, every call a hosted function made is simulated against the IAM its config deploys.
 */
export function useLocalCloud(
  options: {
    /** Denials already known and reported, each matched against `- <call>: <action> on <resource>: ...`. */
    readonly knownIamGaps?: readonly RegExp[];
  } = {},
): LocalCloud {
  let hosted = false;
  let current: LambdaHost | undefined;
  const cloud = {} as LocalCloud;
  // A suite that hosted a function and proved none of its calls would pass without proving anything.
  Object.defineProperty(cloud, 'fn', {
    get: () => current,
    set: (fn: LambdaHost | undefined) => {
      hosted ||= fn !== undefined;
      current = fn;
    },
  });
  beforeAll(async () => {
    cloud.redis = await startRedis();
    cloud.aws = await startLocalAws({ redis: cloud.redis });
  });
  afterEach(async () => {
    await cloud.fn?.stop();
    cloud.fn = undefined;
    cloud.aws.setDelays({ statusDelayMs: 0, propagationDelayMs: 0, groupDelayMs: 0 });
  });
  afterAll(async () => {
    try {
      if (cloud.aws)
        await expectCallsAllowed(cloud.aws.calls, expect.getState().testPath ?? 'suite', {
          knownGaps: options.knownIamGaps,
          functionsHosted: hosted,
        });
    } finally {
      await cloud.aws?.stop();
      await cloud.redis?.stop();
    }
  });
  return cloud;
}

export interface LocalEngines extends LocalCloud {
  elastiCache: ElastiCacheClient;
  memoryDb: MemoryDBClient;
}

/** `useLocalCloud` with the SDK pointed at the endpoint for the whole suite, and a client of each engine. */
export function useLocalEngines(options: Parameters<typeof useLocalCloud>[0] = {}): LocalEngines {
  const cloud = useLocalCloud(options) as LocalEngines;
  let restoreEnv: (() => void) | undefined;
  beforeAll(() => {
    restoreEnv = pointSdkAt(cloud.aws.env());
    cloud.elastiCache = new ElastiCacheClient({ region: 'eu-west-1' });
    cloud.memoryDb = new MemoryDBClient({ region: 'eu-west-1' });
  });
  afterAll(() => {
    cloud.elastiCache?.destroy();
    cloud.memoryDb?.destroy();
    restoreEnv?.();
  });
  return cloud;
}

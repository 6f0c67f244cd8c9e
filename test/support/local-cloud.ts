import { afterAll, afterEach, beforeAll } from 'vitest';
import type { LambdaHost } from '../../local';
import { type LocalAws, type RedisServer, startLocalAws, startRedis } from '../../local';

export interface LocalCloud {
  redis: RedisServer;
  aws: LocalAws;
  /** The function under test; stopped after each test. */
  fn?: LambdaHost;
}

/**
 * A redis-server and a local AWS endpoint for one suite. After each test the function host is
 * stopped and the endpoint's delays are back to zero, so tests cannot leak into each other.
 */
export function useLocalCloud(): LocalCloud {
  const cloud = {} as LocalCloud;
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
    await cloud.aws?.stop();
    await cloud.redis?.stop();
  });
  return cloud;
}

import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { MemoryDBClient } from '@aws-sdk/client-memorydb';
import { EngineDirectory } from './directory';
import { ELASTICACHE, elastiCacheCalls } from './elasticache';
import type { Engine, EngineDescription } from './engine';
import { MEMORYDB, memoryDbCalls } from './memorydb';
import type { CacheDirectory } from './ports';

export const ENGINES: Readonly<Record<Engine, EngineDescription>> = {
  elasticache: ELASTICACHE,
  memorydb: MEMORYDB,
};

export const ENGINE_NAMES: readonly Engine[] = ['elasticache', 'memorydb'];

/**
 * Both engines' adapters, each with one SDK client per region made on first use and kept for the life
 * of the execution environment: the region of each call comes from the ARN, not from where the code runs.
 */
export function cacheDirectories(): Readonly<Record<Engine, CacheDirectory>> {
  return {
    elasticache: new EngineDirectory(
      elastiCacheCalls,
      perRegion((region) => new ElastiCacheClient({ region })),
    ),
    memorydb: new EngineDirectory(
      memoryDbCalls,
      perRegion((region) => new MemoryDBClient({ region })),
    ),
  };
}

export function perRegion<Client>(create: (region: string) => Client): (region: string) => Client {
  const clients = new Map<string, Client>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = create(region);
      clients.set(region, client);
    }
    return client;
  };
}

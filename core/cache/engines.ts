import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { MemoryDBClient } from '@aws-sdk/client-memorydb';
import { EngineDirectory, type RegionalClients } from '#core/cache/adapters/directory';
import { ELASTICACHE, elastiCacheCalls } from '#core/cache/adapters/elasticache';
import { MEMORYDB, memoryDbCalls } from '#core/cache/adapters/memorydb';
import { systemClock } from '#core/runtime/deadline';
import { Pacer } from '#core/runtime/pacer';
import type { Engine, EngineDescription } from './engine';
import type { CacheDirectory } from './ports';

export const ENGINES: Readonly<Record<Engine, EngineDescription>> = {
  elasticache: ELASTICACHE,
  memorydb: MEMORYDB,
};

export const ENGINE_NAMES: readonly Engine[] = ['elasticache', 'memorydb'];

/**
 * The control-plane rate each engine's calls are paced at, per region, when nothing else is set:
 * conservative, because AWS does not publish these limits and a throttled call costs a retry.
 */
const DEFAULT_CALLS_PER_SECOND = 10;

/**
 * Both engines' adapters. Clients and pacers are made per region on first use and kept for the life of
 * the execution environment: the region of each call comes from the ARN, not from where the code runs.
 */
export function cacheDirectories(
  callsPerSecond = DEFAULT_CALLS_PER_SECOND,
): Readonly<Record<Engine, CacheDirectory>> {
  return {
    elasticache: new EngineDirectory(
      elastiCacheCalls,
      regional((region) => new ElastiCacheClient({ region }), callsPerSecond),
    ),
    memorydb: new EngineDirectory(
      memoryDbCalls,
      regional((region) => new MemoryDBClient({ region }), callsPerSecond),
    ),
  };
}

export function regional<Client>(
  create: (region: string) => Client,
  callsPerSecond: number,
): RegionalClients<Client> {
  return {
    client: perRegion(create),
    pacer: perRegion(() => new Pacer(systemClock, callsPerSecond)),
  };
}

export function perRegion<Made>(create: (region: string) => Made): (region: string) => Made {
  const made = new Map<string, Made>();
  return (region) => {
    let value = made.get(region);
    if (!value) {
      value = create(region);
      made.set(region, value);
    }
    return value;
  };
}

import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { MemoryDBClient } from '@aws-sdk/client-memorydb';
import type { Engine } from '#core/cache/engine';
import type { CacheDirectory } from '#core/cache/ports';
import { systemClock } from '#core/runtime/deadline';
import { Pacer } from '#core/runtime/pacer';
import { EngineDirectory, type RegionalClients } from './directory';
import { elastiCacheCalls } from './elasticache';
import { memoryDbCalls } from './memorydb';

/**
 * The control-plane rate each engine's calls are paced at, per region, when nothing else is set:
 * conservative, because AWS does not publish these limits and a throttled call costs a retry.
 */
const DEFAULT_CALLS_PER_SECOND = 10;

export interface CacheDirectoriesOptions {
  /** @default 10 calls a second per engine and region */
  readonly callsPerSecond?: number;
  /**
   * Told of each call that ended throttled, for the function's metrics.
   * @default - not told
   */
  readonly onThrottled?: () => void;
}

/**
 * Both engines' adapters. Clients and pacers are made per region on first use and kept for the life of
 * the execution environment: the region of each call comes from the ARN, not from where the code runs.
 */
export function cacheDirectories({
  callsPerSecond = DEFAULT_CALLS_PER_SECOND,
  onThrottled,
}: CacheDirectoriesOptions = {}): Readonly<Record<Engine, CacheDirectory>> {
  return {
    elasticache: new EngineDirectory(
      elastiCacheCalls,
      regional((region) => new ElastiCacheClient({ region }), callsPerSecond, onThrottled),
    ),
    memorydb: new EngineDirectory(
      memoryDbCalls,
      regional((region) => new MemoryDBClient({ region }), callsPerSecond, onThrottled),
    ),
  };
}

export function regional<Client>(
  create: (region: string) => Client,
  callsPerSecond: number,
  onThrottled?: () => void,
): RegionalClients<Client> {
  return {
    client: perRegion(create),
    pacer: perRegion(() => new Pacer(systemClock, callsPerSecond)),
    ...(onThrottled && { onThrottled }),
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

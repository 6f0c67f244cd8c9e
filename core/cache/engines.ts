import { ELASTICACHE } from './descriptions/elasticache';
import { MEMORYDB } from './descriptions/memorydb';
import type { Engine, EngineDescription } from './engine';

/** Plain data, safe to load at synth time: no SDK client is reached from here. */
export const ENGINES: Readonly<Record<Engine, EngineDescription>> = {
  elasticache: ELASTICACHE,
  memorydb: MEMORYDB,
};

export const ENGINE_NAMES: readonly Engine[] = ['elasticache', 'memorydb'];

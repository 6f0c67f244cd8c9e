import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CacheOperation } from '#core/cache/engine';
import { ENGINE_NAMES, ENGINES } from '#core/cache/engines';
import type { CacheDirectory } from '#core/cache/ports';

describe('ENGINES', () => {
  it.each(ENGINE_NAMES)('authorizes every %s operation with an action of its own service', (engine) => {
    const { service, actions } = ENGINES[engine];
    for (const action of Object.values(actions))
      expect(action).toMatch(new RegExp(`^${service}:[A-Z][A-Za-z]+$`));
  });

  it('names exactly the operations a cache directory has, so each one has an IAM action', () => {
    // Checked by the type check: a directory method without an action, or an action without a method, fails it.
    expectTypeOf<CacheOperation>().toEqualTypeOf<keyof CacheDirectory>();
    expect(Object.keys(ENGINES.elasticache.actions).sort()).toEqual(
      Object.keys(ENGINES.memorydb.actions).sort(),
    );
  });
});

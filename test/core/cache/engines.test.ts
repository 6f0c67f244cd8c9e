import { describe, expect, it } from 'vitest';
import { ENGINE_NAMES, ENGINES, perRegion } from '#core/cache/engines';

describe('perRegion', () => {
  it('makes one client per region and reuses it', () => {
    const made: string[] = [];
    const clientFor = perRegion((region) => {
      made.push(region);
      return { region };
    });

    expect(clientFor('eu-west-1')).toBe(clientFor('eu-west-1'));
    clientFor('us-east-1');
    expect(made).toEqual(['eu-west-1', 'us-east-1']);
  });
});

describe('ENGINES', () => {
  it.each(ENGINE_NAMES)('authorizes every %s operation with an action of its own service', (engine) => {
    const { service, actions } = ENGINES[engine];
    for (const action of Object.values(actions))
      expect(action).toMatch(new RegExp(`^${service}:[A-Z][A-Za-z]+$`));
  });
});

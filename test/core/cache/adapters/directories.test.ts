import { describe, expect, it } from 'vitest';
import { perRegion } from '#core/cache/adapters/directories';

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

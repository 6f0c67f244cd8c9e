import type { CacheGroupRef } from '#core/cache/refs';
import { desiredMembership } from './desired';
import type { Grant } from './grant';
import { openingsBetween } from './windows';

/** A moment at which the plan changes a group's members. */
export interface Transition {
  readonly atMs: number;
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/**
 * Every change the plan makes to one group in (fromMs, untilMs], in order: window edges are
 * the only moments the answer can change, so the plan is evaluated just before and at each.
 */
export function transitionsBetween(
  grants: readonly Grant[],
  group: CacheGroupRef,
  fromMs: number,
  untilMs: number,
): Transition[] {
  const edges = new Set<number>();
  for (const grant of grants) {
    if (grant.group.arn !== group.arn) continue;
    for (const window of grant.windows) {
      for (const { opens, closes } of openingsBetween(window, fromMs, untilMs + 1)) {
        for (const edge of [opens, closes]) if (edge > fromMs && edge <= untilMs) edges.add(edge);
      }
    }
  }
  const transitions: Transition[] = [];
  for (const atMs of [...edges].sort((a, b) => a - b)) {
    const before = desiredMembership(grants, group, atMs - 1).grantedBy;
    const after = desiredMembership(grants, group, atMs).grantedBy;
    const add = [...after.keys()].filter((user) => !before.has(user)).sort();
    const remove = [...before.keys()].filter((user) => !after.has(user)).sort();
    if (add.length > 0 || remove.length > 0) transitions.push({ atMs, add, remove });
  }
  return transitions;
}

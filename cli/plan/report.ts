import { DateTime } from 'luxon';
import { ENGINES } from '#core/cache/engines';
import type { GroupState } from '#core/cache/ports';
import type { CacheGroupRef } from '#core/cache/refs';
import { type Coverage, desiredMembership, diffMembership } from '#core/membership/desired';
import type { Grant } from '#core/membership/grant';
import { transitionsBetween } from '#core/membership/transitions';

export interface PlanRequest {
  readonly grants: readonly Grant[];
  /** Every group to report: those the grants name and those request rules name. */
  readonly groups: readonly CacheGroupRef[];
  /** The instant to evaluate, with the offset to print times in. */
  readonly at: DateTime;
  /** How far ahead to list transitions. */
  readonly days: number;
  /** Live state per group ARN, when read (`--live`); a string is the error reading it. */
  readonly live?: ReadonlyMap<string, GroupState | string>;
  /** Requested grants, suspensions and managed users from the grant table (`--live`). */
  readonly coverage?: Coverage;
}

/** What the plan says for every group at one instant, the changes ahead, and (with live state) the diff it would apply. */
export function planReport({ grants, groups, at, days, live, coverage }: PlanRequest): string {
  const atMs = at.toMillis();
  const show = (ms: number) =>
    DateTime.fromMillis(ms, { zone: at.zone }).toISO({ suppressMilliseconds: true });
  const lines = [`Plan at ${show(atMs)} (${new Date(atMs).toISOString()})`];
  for (const group of groups) {
    const desired = desiredMembership(grants, group, atMs, coverage);
    const members = [...desired.grantedBy].map(([user, by]) => `${user} (${by.join(', ')})`);
    lines.push(
      '',
      `${group.arn} (${ENGINES[group.engine].groupNoun})`,
      `  managed users:   ${[...desired.managed].sort().join(', ')}`,
      `  members by plan: ${members.length > 0 ? members.join(', ') : 'none'}`,
      `  next transitions (${days} days):`,
    );
    const transitions = transitionsBetween(grants, group, atMs, atMs + days * 86_400_000);
    if (transitions.length === 0) lines.push('    none');
    for (const { atMs: when, add, remove } of transitions) {
      const parts = [
        add.length > 0 && `add ${add.join(', ')}`,
        remove.length > 0 && `remove ${remove.join(', ')}`,
      ];
      lines.push(`    ${show(when)}  ${parts.filter(Boolean).join('; ')}`);
    }
    const state = live?.get(group.arn);
    if (typeof state === 'string') lines.push(`  live: could not read the group: ${state}`);
    else if (state) {
      const diff = diffMembership(state.members, desired);
      lines.push(
        `  live members:    ${[...state.members].sort().join(', ') || 'none'} (status ${state.status})`,
        // A user dropped from every grant is never removed again: show who is left to take out by hand.
        `  not in the plan: ${
          state.members
            .filter((user) => !desired.managed.has(user))
            .sort()
            .join(', ') || 'none'
        } (never changed)`,
        `  would apply:     ${diff.add.length + diff.remove.length === 0 ? 'nothing, the group matches the plan' : `add ${diff.add.join(', ') || 'none'}; remove ${diff.remove.join(', ') || 'none'}`}`,
      );
    }
  }
  return lines.join('\n');
}

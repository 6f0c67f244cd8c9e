import type { Grant } from './plan';
import { isOpenAt } from './windows';

/** What the plan says about one group at one instant. */
export interface DesiredMembership {
  /** Users some grant for this group names: the only users this tool ever adds or removes. */
  readonly managed: ReadonlySet<string>;
  /** Managed users with at least one open window, each with the grants that let them in. */
  readonly desired: ReadonlyMap<string, readonly string[]>;
}

export function desiredMembership(
  grants: readonly Grant[],
  groupArn: string,
  atMs: number,
): DesiredMembership {
  const managed = new Set<string>();
  const desired = new Map<string, string[]>();
  for (const grant of grants) {
    if (grant.groupArn !== groupArn) continue;
    const open = grant.windows.some((window) => isOpenAt(window, atMs));
    for (const user of grant.users) {
      managed.add(user);
      if (open) desired.set(user, [...(desired.get(user) ?? []), grant.name]);
    }
  }
  return { managed, desired };
}

export interface MembershipDiff {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/**
 * The change that makes the live members match the plan. Only managed users appear in it, and a
 * user is removed only when it is a member now: removing a non-member fails the whole request.
 */
export function diffMembership(live: readonly string[], plan: DesiredMembership): MembershipDiff {
  const members = new Set(live);
  return {
    add: [...plan.desired.keys()].filter((user) => !members.has(user)).sort(),
    remove: [...plan.managed].filter((user) => members.has(user) && !plan.desired.has(user)).sort(),
  };
}

export const isEmptyDiff = (diff: MembershipDiff) => diff.add.length === 0 && diff.remove.length === 0;

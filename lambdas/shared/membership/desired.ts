import type { MembershipDiff } from '../cache/ports';
import type { CacheGroupRef } from '../cache/refs';
import type { Grant } from './grant';
import { isOpenAt } from './windows';

/** What the grants say about one group at one instant. */
export interface DesiredMembership {
  /** Users some grant for this group names: the only users this tool ever adds or removes. */
  readonly managed: ReadonlySet<string>;
  /** Managed users with at least one open window, each with the grants that let them in. */
  readonly grantedBy: ReadonlyMap<string, readonly string[]>;
}

export function desiredMembership(
  grants: readonly Grant[],
  group: CacheGroupRef,
  atMs: number,
): DesiredMembership {
  const managed = new Set<string>();
  const grantedBy = new Map<string, string[]>();
  for (const grant of grants) {
    if (grant.group.arn !== group.arn) continue;
    const open = grant.windows.some((window) => isOpenAt(window, atMs));
    for (const user of grant.users) {
      managed.add(user);
      if (open) grantedBy.set(user, [...(grantedBy.get(user) ?? []), grant.name]);
    }
  }
  return { managed, grantedBy };
}

/**
 * The change that makes the live members match the grants. Only managed users appear in it, and a
 * user is removed only when it is a member now: removing a non-member fails the whole request.
 */
export function diffMembership(live: readonly string[], desired: DesiredMembership): MembershipDiff {
  const members = new Set(live);
  return {
    add: [...desired.grantedBy.keys()].filter((user) => !members.has(user)).sort(),
    remove: [...desired.managed].filter((user) => members.has(user) && !desired.grantedBy.has(user)).sort(),
  };
}

export const isEmptyDiff = (diff: MembershipDiff) => diff.add.length === 0 && diff.remove.length === 0;

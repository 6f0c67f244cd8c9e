import type { MembershipDiff } from '#core/cache/ports';
import type { CacheGroupRef } from '#core/cache/refs';
import type { Grant } from './grant';
import { isOpenAt } from './windows';

/**
 * A grant made on request, as membership needs it: the request layer's records have these fields
 * and more. Membership never reads the request store itself.
 */
export interface RequestedMembership {
  readonly requestId: string;
  readonly groupArn: string;
  readonly user: string;
  readonly status: string;
  /** When the grant starts and ends: ISO 8601. */
  readonly grantedAt: string;
  readonly expiresAt: string;
  /** Set for a user made for the request: it exists, active, only once its secret is known. */
  readonly ephemeral?: { readonly secretArn?: string };
}

/** Whether the grant lets its user in at `atMs`: open, and inside [grantedAt, expiresAt). */
function isGrantOpenAt(grant: RequestedMembership, atMs: number): boolean {
  return grant.status === 'open' && Date.parse(grant.grantedAt) <= atMs && atMs < Date.parse(grant.expiresAt);
}

/** What the grant store adds to the config's grants at one moment. */
export interface Coverage {
  /** Requested grants that are open, or ended and not yet announced. */
  readonly requested: readonly RequestedMembership[];
  /** Users out of every group until reinstated. */
  readonly suspended: ReadonlySet<string>;
  /** Per group ARN, users a reinstatement still has to give back. */
  readonly owed: ReadonlyMap<string, ReadonlySet<string>>;
  /** Per group ARN, every user the stack has managed there, so a grant deleted from the config still ends. */
  readonly recorded: ReadonlyMap<string, ReadonlySet<string>>;
}

export const NOTHING_REQUESTED: Coverage = {
  requested: [],
  suspended: new Set(),
  owed: new Map(),
  recorded: new Map(),
};

/** What the grants say about one group at one instant. */
export interface DesiredMembership {
  /** The only users this tool ever adds or removes in the group. */
  readonly managed: ReadonlySet<string>;
  /** Users that must be members, each with what covers it: grant names, `request <id>`, `reinstated`. */
  readonly grantedBy: ReadonlyMap<string, readonly string[]>;
  /** Users the config's grants name for the group: managed whatever the store says. */
  readonly named: ReadonlySet<string>;
}

/**
 * Members at T = users with an open window ∪ users with an open requested grant ∪ users a
 * reinstatement gives back, minus suspended users. Managed = users the grants name ∪ users the stack
 * has managed before ∪ users with a requested grant ∪ suspended users ∪ users owed back.
 */
export function desiredMembership(
  grants: readonly Grant[],
  group: CacheGroupRef,
  atMs: number,
  coverage: Coverage = NOTHING_REQUESTED,
): DesiredMembership {
  const named = new Set<string>();
  const grantedBy = new Map<string, string[]>();
  const cover = (user: string, by: string) => grantedBy.set(user, [...(grantedBy.get(user) ?? []), by]);
  for (const grant of grants) {
    if (grant.group.arn !== group.arn) continue;
    const open = grant.windows.some((window) => isOpenAt(window, atMs));
    for (const user of grant.users) {
      named.add(user);
      if (open) cover(user, grant.name);
    }
  }
  const managed = new Set([...named, ...(coverage.recorded.get(group.arn) ?? []), ...coverage.suspended]);
  for (const request of coverage.requested) {
    if (request.groupArn !== group.arn) continue;
    managed.add(request.user);
    // An ephemeral user exists, active, only once its grant has its secret: adding it sooner fails the change.
    const ready = !request.ephemeral || request.ephemeral.secretArn !== undefined;
    if (ready && isGrantOpenAt(request, atMs)) cover(request.user, `request ${request.requestId}`);
  }
  for (const user of coverage.owed.get(group.arn) ?? []) {
    managed.add(user);
    cover(user, 'reinstated');
  }
  for (const user of coverage.suspended) grantedBy.delete(user);
  return { managed, grantedBy, named };
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

import type { GroupState, MembershipDiff, UserDirectories } from '#core/cache/ports';
import { type CacheGroupRef, memberOf } from '#core/cache/refs';
import {
  MembershipDriftError,
  type MembershipRefusedError,
  UserNameClashError,
  UserNotFoundError,
} from '#core/runtime/errors';
import type { DesiredMembership } from './desired';
import type { Grant } from './grant';
import type { MembershipChange } from './ports';

/** A change the service accepted for one group, kept until the group is seen to hold it. */
export interface Applied {
  readonly change: MembershipChange;
  readonly desired: DesiredMembership;
  /** Additions the service refused; the removals were applied without them. */
  readonly refused?: { readonly error: Error; readonly additions: readonly string[] };
  published: boolean;
}

/** Faults caused by users being added: the removals in the same call can still be made on their own. */
export const refusesAdditions = (error: unknown): error is UserNotFoundError | UserNameClashError =>
  error instanceof UserNotFoundError || error instanceof UserNameClashError;

/** The audit record of `diff`: which grants asked for it, so a reader can tell why a user came or went. */
export function describeChange(
  request: { readonly grants: readonly Grant[]; readonly trigger: string },
  group: CacheGroupRef,
  diff: MembershipDiff,
  desired: DesiredMembership,
  evaluatedAt: string,
): MembershipChange {
  const grants = new Set<string>();
  for (const user of diff.add) for (const grant of desired.grantedBy.get(user) ?? []) grants.add(grant);
  for (const grant of request.grants) {
    if (grant.group.arn === group.arn && grant.users.some((user) => diff.remove.includes(user))) {
      grants.add(grant.name);
    }
  }
  return {
    groupArn: group.arn,
    added: diff.add,
    removed: diff.remove,
    grants: [...grants].sort(),
    evaluatedAt,
    trigger: request.trigger,
  };
}

/**
 * Throws unless the group now holds what the change did, less any additions the service refused.
 * Only the change's own users are judged: another writer with a newer view (a second instance granting
 * a request this run read before it was ready) may have changed others, which is not this change failing.
 */
export function verifyChange(group: CacheGroupRef, applied: Applied, state: GroupState): MembershipChange {
  const members = new Set(state.members);
  const { added, removed } = applied.change;
  // After a refusal the refused additions are still missing, as they must be.
  const missing = added.filter((user) => !members.has(user) && !applied.refused?.additions.includes(user));
  const lingering = removed.filter((user) => members.has(user));
  if (missing.length > 0 || lingering.length > 0) {
    throw new MembershipDriftError(
      `group ${group.arn} still differs from the plan after the change (would add ${list(missing)}, remove ${list(lingering)}); something else changed it meanwhile, the next reconcile retries`,
    );
  }
  if (applied.refused) throw applied.refused.error;
  return applied.change;
}

/** Why the service refused the additions, naming each user with the grants that want it, and what was done instead. */
export async function refusalError(
  users: UserDirectories,
  group: CacheGroupRef,
  diff: MembershipDiff,
  desired: DesiredMembership,
  cause: UserNotFoundError | UserNameClashError,
  removalsApplied: boolean,
): Promise<MembershipRefusedError | UserNotFoundError> {
  const named = (names: readonly string[]) =>
    names.map((user) => `'${user}' (grant ${list(desired.grantedBy.get(user) ?? [])})`).join(', ');
  const outcome = removalsApplied
    ? `the removals from group ${group.arn} (${list(diff.remove)}) were applied on their own, the additions (${list(diff.add)}) were not`
    : `group ${group.arn} was left unchanged`;
  if (cause instanceof UserNameClashError) {
    return new UserNameClashError(`${cause.message}; users to add: ${named(diff.add)}; ${outcome}`, {
      cause,
    });
  }
  const directory = users[group.engine];
  const found = await Promise.all(diff.add.map((user) => directory.describeUser(memberOf(group, user))));
  const missing = diff.add.filter((_, index) => found[index] === undefined);
  return new UserNotFoundError(
    `user ${named(missing.length > 0 ? missing : diff.add)} does not exist in ${group.engine} ${group.region} account ${group.account}; ${outcome}`,
    { cause },
  );
}

const list = (items: readonly string[]) => (items.length > 0 ? items.join(', ') : 'none');

import { z } from 'zod';
import { refuseRepeats } from '../../lambdas/shared/checks';
import { type Grant, grantSpecSchema, resolveGrant } from '../../lambdas/shared/membership/grant';
import { isSchedulerExpression } from './schedule-expressions';

const DEFAULT_RECONCILE = 'rate(15 minutes)';
/** The Service Quotas default for users in one ElastiCache user group or MemoryDB ACL. */
export const MAX_USERS_PER_GROUP = 100;

/** The `membership` section as written; `resolveMembership` turns a valid one into `MembershipConfig`. */
export const membershipSchema = z
  .strictObject({
    reconcileEvery: z
      .string()
      .default(DEFAULT_RECONCILE)
      .refine(
        isSchedulerExpression,
        'expected rate(1 minute), rate(N minutes|hours|days) or cron(min hour day-of-month month day-of-week year) with ? in one day field',
      ),
    grants: z.array(grantSpecSchema).min(1, 'expected at least one grant'),
  })
  .superRefine((membership, ctx) => {
    refuseRepeats(
      membership.grants,
      ctx,
      (first) => `already used by grants[${first}]; grant names appear in audit records and must be unique`,
      (grant) => grant.name,
      (index) => ['grants', index, 'name'],
    );
    refuseCrowdedGroups(membership.grants, ctx);
  });

/** The service refuses a membership change that would put more users in a group than its quota allows. */
function refuseCrowdedGroups(
  grants: readonly { groupArn: string; users: readonly string[] }[],
  ctx: z.RefinementCtx,
) {
  const usersByGroup = new Map<string, { users: Set<string>; grants: number[] }>();
  grants.forEach(({ groupArn, users }, index) => {
    const group = usersByGroup.get(groupArn) ?? { users: new Set<string>(), grants: [] };
    for (const user of users) group.users.add(user);
    group.grants.push(index);
    usersByGroup.set(groupArn, group);
  });
  for (const [groupArn, { users, grants: indexes }] of usersByGroup) {
    if (users.size <= MAX_USERS_PER_GROUP) continue;
    const last = indexes.at(-1) ?? 0;
    ctx.addIssue({
      code: 'custom',
      path: ['grants', last, 'users'],
      input: groupArn,
      message: `group ${groupArn} would hold ${users.size} distinct users across grants[${indexes.join('], grants[')}], over the quota of ${MAX_USERS_PER_GROUP} users per user group or ACL; split the users over more groups`,
    });
  }
}

export interface MembershipConfig {
  readonly reconcileEvery: string;
  readonly grants: readonly Grant[];
}

/** A valid section with every group ARN parsed, once. */
export function resolveMembership(membership: z.output<typeof membershipSchema>): MembershipConfig {
  return { reconcileEvery: membership.reconcileEvery, grants: membership.grants.map(resolveGrant) };
}

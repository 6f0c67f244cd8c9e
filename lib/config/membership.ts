import { z } from 'zod';
import { type Grant, grantSpecSchema, resolveGrant } from '../../lambdas/shared/membership/grant';
import { isSchedulerExpression } from './schedule-expressions';

const DEFAULT_RECONCILE = 'rate(15 minutes)';

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
    const firstByName = new Map<string, number>();
    membership.grants.forEach((grant, index) => {
      const first = firstByName.get(grant.name);
      if (first === undefined) {
        firstByName.set(grant.name, index);
        return;
      }
      ctx.addIssue({
        code: 'custom',
        path: ['grants', index, 'name'],
        input: grant.name,
        message: `already used by grants[${first}]; grant names appear in audit records and must be unique`,
      });
    });
  });

export interface MembershipConfig {
  readonly reconcileEvery: string;
  readonly grants: readonly Grant[];
}

/** A valid section with every group ARN parsed, once. */
export function resolveMembership(membership: z.output<typeof membershipSchema>): MembershipConfig {
  return { reconcileEvery: membership.reconcileEvery, grants: membership.grants.map(resolveGrant) };
}

import { z } from 'zod';
import { grantSchema } from '../../lambdas/shared/membership/plan';

const DEFAULT_RECONCILE = 'rate(15 minutes)';

/** EventBridge Scheduler's rate() (at least one minute, singular unit for 1) or a six-field cron(). */
export function isSchedulerRate(expression: string): boolean {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const amount = Number(rate[1]);
    return amount >= 1 && (amount === 1) === !(rate[2] ?? '').endsWith('s');
  }
  const fields = /^cron\((.+)\)$/.exec(expression)?.[1]?.trim().split(/\s+/) ?? [];
  return fields.length === 6;
}

export const membershipSchema = z
  .strictObject({
    reconcileEvery: z
      .string()
      .default(DEFAULT_RECONCILE)
      .refine(isSchedulerRate, 'expected rate(1 minute), rate(N minutes|hours|days) or a six-field cron()'),
    grants: z.array(grantSchema).min(1, 'expected at least one grant'),
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

export type MembershipConfig = z.output<typeof membershipSchema>;

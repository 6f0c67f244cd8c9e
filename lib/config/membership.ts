import { z } from 'zod';
import type { ServerEngine } from '#core/cache/ports';
import { type CacheGroupRef, groupArnProblem, parseGroupArn } from '#core/cache/refs';
import { type Grant, grantSpecSchema, managedGroupFields, resolveGrant } from '#core/membership/grant';
import { type Requests, requestsSpecSchema, resolveRequests } from '#core/requests/rules';
import { refuseRepeats } from '#core/runtime/checks';
import { isSchedulerExpression } from './schedule-expressions';

const DEFAULT_RECONCILE = 'rate(15 minutes)';
/** The Service Quotas default for users in one ElastiCache user group or MemoryDB ACL. */
const MAX_USERS_PER_GROUP = 100;

/** A user group or ACL the stack creates and owns; its members stay the reconciler's. */
const ownedGroupSchema = z
  .strictObject({
    groupArn: managedGroupFields.groupArn,
    create: z.literal(true, {
      error:
        'expected create: true; list here only the groups this stack creates, and name groups made elsewhere in grants or requests alone',
    }),
    engine: z.enum(['redis', 'valkey']).optional(),
    removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
  })
  .superRefine((spec, ctx) => {
    // A malformed ARN is reported by its own check.
    if (groupArnProblem(spec.groupArn)) return;
    const memoryDb = parseGroupArn(spec.groupArn).engine === 'memorydb';
    if (memoryDb && spec.engine) {
      ctx.addIssue({
        code: 'custom',
        path: ['engine'],
        input: spec.engine,
        message: 'a MemoryDB ACL has no engine of its own; leave engine out',
      });
    }
    if (!memoryDb && !spec.engine) {
      ctx.addIssue({
        code: 'custom',
        path: ['engine'],
        input: undefined,
        message:
          "expected engine 'redis' or 'valkey' for an ElastiCache user group: it decides which users the group may hold",
      });
    }
  });

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
    grants: z.array(grantSpecSchema).min(1, 'expected at least one grant').optional(),
    requests: requestsSpecSchema.optional(),
    groups: z.array(ownedGroupSchema).min(1, 'expected at least one group, or leave groups out').optional(),
    // Chosen once, before the first deploy: toggling it moves every boundary schedule into another stack.
    nestedStacks: z.boolean().default(false),
  })
  .superRefine((membership, ctx) => {
    if (!membership.grants && !membership.requests) {
      ctx.addIssue({
        code: 'custom',
        path: ['grants'],
        input: undefined,
        message: 'expected grants (scheduled windows), requests (access on request) or both',
      });
      return;
    }
    refuseRepeats(
      membership.groups ?? [],
      ctx,
      (first) => `already listed as groups[${first}]`,
      (group) => group.groupArn,
      (index) => ['groups', index, 'groupArn'],
    );
    const grants = membership.grants ?? [];
    refuseRepeats(
      grants,
      ctx,
      (first) => `already used by grants[${first}]; grant names appear in audit records and must be unique`,
      (grant) => grant.name,
      (index) => ['grants', index, 'name'],
    );
    refuseCrowdedGroups(
      [
        ...grants.map((grant, index) => ({ ...grant, path: ['grants', index, 'users'] })),
        ...(membership.requests?.rules ?? []).map((rule, index) => ({
          groupArn: rule.groupArn,
          // Every live ephemeral user is a member too, so the rule's cap counts against the quota.
          users: [
            ...(rule.users ?? []),
            ...Array.from(
              { length: rule.ephemeral?.maxActive ?? 0 },
              (_, n) => `${rule.name} ephemeral #${n + 1}`,
            ),
          ],
          path: ['requests', 'rules', index, rule.users ? 'users' : 'ephemeral'],
        })),
      ],
      ctx,
    );
  });

interface UsersOfGroup {
  readonly groupArn: string;
  readonly users: readonly string[];
  readonly path: readonly (string | number)[];
}

/**
 * The service refuses a membership change that would put more users in a group than its quota
 * allows; grants and request rules count together, since both can put their users in at once.
 */
function refuseCrowdedGroups(named: readonly UsersOfGroup[], ctx: z.RefinementCtx) {
  const byGroup = new Map<string, { users: Set<string>; paths: (readonly (string | number)[])[] }>();
  for (const { groupArn, users, path } of named) {
    const group = byGroup.get(groupArn) ?? { users: new Set<string>(), paths: [] };
    for (const user of users) group.users.add(user);
    group.paths.push(path);
    byGroup.set(groupArn, group);
  }
  for (const [groupArn, { users, paths }] of byGroup) {
    if (users.size <= MAX_USERS_PER_GROUP) continue;
    const where = paths.map((path) =>
      path
        .slice(0, -1)
        .join('.')
        .replace(/\.(\d+)/g, '[$1]'),
    );
    ctx.addIssue({
      code: 'custom',
      path: [...(paths.at(-1) ?? [])],
      input: groupArn,
      message: `group ${groupArn} would hold ${users.size} distinct users across ${where.join(', ')}, over the quota of ${MAX_USERS_PER_GROUP} users per user group or ACL; split the users over more groups`,
    });
  }
}

/** A group the stack creates, parsed. */
export interface OwnedGroupConfig {
  readonly group: CacheGroupRef;
  readonly engine?: ServerEngine;
  readonly removalPolicy: 'retain' | 'destroy';
}

export interface MembershipConfig {
  readonly reconcileEvery: string;
  readonly grants: readonly Grant[];
  readonly requests?: Requests;
  readonly groups: readonly OwnedGroupConfig[];
  readonly nestedStacks: boolean;
}

/** A valid section with every group ARN parsed, once. */
export function resolveMembership(membership: z.output<typeof membershipSchema>): MembershipConfig {
  return {
    reconcileEvery: membership.reconcileEvery,
    grants: (membership.grants ?? []).map(resolveGrant),
    requests: membership.requests && resolveRequests(membership.requests),
    groups: (membership.groups ?? []).map(({ groupArn, engine, removalPolicy }) => ({
      group: parseGroupArn(groupArn),
      ...(engine && { engine }),
      removalPolicy,
    })),
    nestedStacks: membership.nestedStacks,
  };
}

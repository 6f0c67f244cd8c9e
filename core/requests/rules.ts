import { z } from 'zod';
import { type CacheGroupRef, groupArnProblem, parseGroupArn } from '#core/cache/refs';
import { managedGroupFields } from '#core/membership/grant';
import { checkedString, refuseRepeats } from '#core/runtime/checks';
import {
  type ApprovalRule,
  approvalFields,
  approvalSpecOf,
  checkAccount,
  checkApprovalSpec,
  operatorsSchema,
  resolveApproval,
} from './approval-rule';
import { durationMs } from './duration';
import { type EphemeralRule, ephemeralSpecSchema, readerAccount } from './ephemeral-rule';
import { type NotifySpec, notifySchema } from './notify-config';

const DEFAULT_MAX_DURATION = 'PT8H';

const durationSchema = checkedString((iso) => {
  const ms = durationMs(iso);
  return typeof ms === 'string' ? ms : undefined;
});

/** One group that may be requested, by existing users, by ephemeral users made per request, or both. */
const ruleSpecSchema = z
  .strictObject({
    ...managedGroupFields,
    users: managedGroupFields.users.optional(),
    maxDuration: durationSchema.optional(),
    ephemeral: ephemeralSpecSchema.optional(),
    ...approvalFields,
  })
  .refine((rule) => rule.users !== undefined || rule.ephemeral !== undefined, {
    path: ['users'],
    message: 'expected users (existing users that may ask), ephemeral (a user made per request) or both',
  })
  .superRefine((rule, ctx) => {
    // The secret is encrypted with the account's AWS managed key, which no other account may use.
    const account = groupArnProblem(rule.groupArn) ? undefined : parseGroupArn(rule.groupArn).account;
    checkApprovalSpec(rule, account, ctx);
    if (account === undefined) return;
    rule.ephemeral?.readers.forEach((reader, index) => {
      const other = readerAccount(reader);
      if (other !== undefined && other !== account) {
        ctx.addIssue({
          code: 'custom',
          path: ['ephemeral', 'readers', index],
          input: reader,
          message: `expected a principal of account ${account}, the group's: the credentials' secret is encrypted with that account's AWS managed key, which another account cannot use`,
        });
      }
    });
  });

/** The `requests` part of the membership config, as written and as bundled. */
export const requestsSpecSchema = z
  .strictObject({
    eventBusName: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,256}$/, 'expected 1-256 letters, digits, . _ or -')
      .refine(
        (name) => name !== 'default',
        'expected a bus of its own: the stack creates it, and default exists already',
      )
      .default('cache-access'),
    maxDuration: durationSchema.default(DEFAULT_MAX_DURATION),
    rules: z.array(ruleSpecSchema).min(1, 'expected at least one rule'),
    /**
     * Who may revoke anyone's grant, and suspend and reinstate users, through the request API.
     * @default - no one: through the API a requester revokes only its own grants
     */
    operators: operatorsSchema.optional(),
    /** Where chat hears about requests: an SNS topic by ARN, or one the stack creates. @default - no chat */
    notify: notifySchema.optional(),
  })
  .superRefine((requests, ctx) => {
    refuseRepeats(
      requests.rules,
      ctx,
      (first) => `already used by rules[${first}]; rule names appear in audit records and must be unique`,
      (rule) => rule.name,
      (index) => ['rules', index, 'name'],
    );
    const [first] = requests.rules;
    if (first && !groupArnProblem(first.groupArn)) {
      checkAccount(requests.operators ?? [], parseGroupArn(first.groupArn).account, ['operators'], ctx);
    }
    const ceiling = durationMs(requests.maxDuration);
    requests.rules.forEach((rule, index) => {
      const own = rule.maxDuration === undefined ? undefined : durationMs(rule.maxDuration);
      if (typeof ceiling === 'number' && typeof own === 'number' && own > ceiling) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'maxDuration'],
          input: rule.maxDuration,
          message: `expected at most requests.maxDuration (${requests.maxDuration}); a rule may only lower it`,
        });
      }
    });
  });

export type RequestsSpec = z.output<typeof requestsSpecSchema>;
type RuleSpec = z.output<typeof ruleSpecSchema>;

/** A rule with its group parsed, its effective maximum in milliseconds and its approval defaults settled. */
export interface RequestRule extends ApprovalRule {
  readonly name: string;
  readonly group: CacheGroupRef;
  /** Existing users that may ask; none when the rule gives only ephemeral users. */
  readonly users: readonly string[];
  readonly ephemeral?: EphemeralRule;
  readonly maxDurationMs: number;
  readonly maxDuration: string;
}

export interface Requests {
  readonly eventBusName: string;
  readonly maxDuration: string;
  readonly rules: readonly RequestRule[];
  /** Principal patterns that may revoke any grant and suspend and reinstate users through the API. */
  readonly operators: readonly string[];
  /** The chat topic, given or to be created. */
  readonly notify?: NotifySpec;
}

/** A validated `requests` section with its ARNs parsed and every rule's maximum settled, once. */
export function resolveRequests({ operators, ...spec }: RequestsSpec): Requests {
  return {
    ...spec,
    operators: operators ?? [],
    rules: spec.rules.map((rule) => resolveRule(rule, spec.maxDuration)),
  };
}

function resolveRule(
  {
    groupArn,
    maxDuration,
    users,
    requesters,
    approvers,
    approvals,
    selfApproval,
    pendingFor,
    via,
    ...rule
  }: RuleSpec,
  ceiling: string,
): RequestRule {
  const effective = maxDuration ?? ceiling;
  return {
    ...rule,
    ...resolveApproval({ requesters, approvers, approvals, selfApproval, pendingFor, via }),
    users: users ?? [],
    group: parseGroupArn(groupArn),
    maxDuration: effective,
    maxDurationMs: durationMs(effective) as number,
  };
}

/** The rule as the config spells it, for the bundled file and for checking construct props. */
export function ruleSpecOf(rule: RequestRule): RuleSpec {
  const { name, group, maxDuration, users, ephemeral } = rule;
  return {
    name,
    groupArn: group.arn,
    maxDuration,
    ...(users.length > 0 && { users: [...users] }),
    ...(ephemeral && { ephemeral }),
    ...approvalSpecOf(rule),
  };
}

/** The `requests` section as the config spells it, for the bundled file. */
export function requestsSpecOf({ rules, operators, ...requests }: Requests): RequestsSpec {
  return {
    ...requests,
    rules: rules.map(ruleSpecOf),
    ...(operators.length > 0 && { operators: [...operators] }),
  };
}

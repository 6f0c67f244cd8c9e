import { z } from 'zod';
import { checkedString, refuseRepeats } from '#core/runtime/checks';
import { durationMs } from './duration';
import { patternAccount, principalPatternProblem } from './principals';

/** How long a request waits for its approvals unless the rule says otherwise, and the most it may. */
const DEFAULT_PENDING_FOR = 'PT1H';
const MAX_PENDING_MS = 7 * 86_400_000;
/** More approvals than this is a committee, not an access request. */
const MAX_APPROVALS = 5;

/** Where requests under a rule may come from: the signed API, the bus (trusted automation), or both. */
export type Channel = 'api' | 'bus';

const principalPatterns = (what: string) =>
  z
    .array(checkedString(principalPatternProblem))
    .min(1, `expected at least one ${what}, or leave the list out`)
    .superRefine((patterns, ctx) =>
      refuseRepeats(patterns, ctx, (first) => `already listed as [${first}]; list each principal once`),
    );

/** The principal patterns of `requests.operators`. */
export const operatorsSchema = principalPatterns('operator');

const pendingForSchema = checkedString((iso) => {
  const ms = durationMs(iso);
  if (typeof ms === 'string') return ms;
  return ms > MAX_PENDING_MS ? 'expected at most P7D: a request older than a week is stale' : undefined;
});

/** Who may ask under a rule and who must approve, as the config spells it. */
export const approvalFields = {
  requesters: principalPatterns('requester').optional(),
  approvers: principalPatterns('approver').optional(),
  approvals: z.number().int().min(0).max(MAX_APPROVALS).optional(),
  selfApproval: z.boolean().optional(),
  pendingFor: pendingForSchema.optional(),
  via: z
    .array(z.enum(['api', 'bus']))
    .min(1, 'expected ["api"], ["bus"] or ["api", "bus"]')
    .superRefine((via, ctx) => refuseRepeats(via, ctx, (first) => `already listed as via[${first}]`))
    .optional(),
};

type ApprovalSpec = { [K in keyof typeof approvalFields]?: z.output<(typeof approvalFields)[K]> };

/** The checks between the fields: approvals need approvers, and every principal is in the group's account. */
export function checkApprovalSpec(rule: ApprovalSpec, account: string | undefined, ctx: z.RefinementCtx) {
  if ((rule.approvals ?? 0) > 0 && rule.approvers === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['approvers'],
      input: undefined,
      message: `expected approvers: approvals ${rule.approvals} must come from someone`,
    });
  }
  if (account === undefined) return;
  for (const field of ['requesters', 'approvers'] as const) {
    checkAccount(rule[field] ?? [], account, [field], ctx);
  }
}

/** The function URL admits callers of its own account only: a principal of another account never matches. */
export function checkAccount(
  patterns: readonly string[],
  account: string,
  path: PropertyKey[],
  ctx: z.RefinementCtx,
) {
  patterns.forEach((pattern, index) => {
    const other = patternAccount(pattern);
    if (other !== undefined && other !== account) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, index],
        input: pattern,
        message: `expected a principal of account ${account}, the stack's: its request API admits callers of that account only`,
      });
    }
  });
}

/** A rule's approval settings with every default settled. */
export interface ApprovalRule {
  /** Principal patterns that may ask through the API; undefined: any caller IAM lets invoke the URL. */
  readonly requesters?: readonly string[];
  readonly approvers: readonly string[];
  /** How many distinct approvers must approve; 0: granted on request. */
  readonly approvals: number;
  readonly selfApproval: boolean;
  readonly pendingFor: string;
  readonly pendingForMs: number;
  readonly via: readonly Channel[];
}

/**
 * The defaults: one approval when approvers are named, none otherwise; a rule that needs approval takes
 * requests from the API only, and one that does not from the API and the bus, as before approvals.
 */
export function resolveApproval(spec: ApprovalSpec): ApprovalRule {
  const approvals = spec.approvals ?? (spec.approvers ? 1 : 0);
  const pendingFor = spec.pendingFor ?? DEFAULT_PENDING_FOR;
  return {
    ...(spec.requesters && { requesters: spec.requesters }),
    approvers: spec.approvers ?? [],
    approvals,
    selfApproval: spec.selfApproval ?? false,
    pendingFor,
    pendingForMs: durationMs(pendingFor) as number,
    via: spec.via ?? (approvals > 0 ? ['api'] : ['api', 'bus']),
  };
}

/** The settings as the config spells them, defaults left out, for the bundled file and construct props. */
export function approvalSpecOf(rule: ApprovalRule): ApprovalSpec {
  const defaults = resolveApproval(rule.approvers.length > 0 ? { approvers: [...rule.approvers] } : {});
  const differs = (key: 'approvals' | 'selfApproval' | 'pendingFor') => rule[key] !== defaults[key];
  return {
    requesters: rule.requesters && [...rule.requesters],
    approvers: rule.approvers.length > 0 ? [...rule.approvers] : undefined,
    approvals: differs('approvals') ? rule.approvals : undefined,
    selfApproval: differs('selfApproval') ? rule.selfApproval : undefined,
    pendingFor: differs('pendingFor') ? rule.pendingFor : undefined,
    via: rule.via.join() === defaults.via.join() ? undefined : [...rule.via],
  };
}

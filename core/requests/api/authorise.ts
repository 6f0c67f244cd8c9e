import { principalMatches } from '../principals';
import type { PendingRequest, RequestedGrant } from '../records';
import type { RequestRule } from '../rules';

/**
 * Whether a verified caller may do what it asks, rule by rule: undefined when it may, otherwise why
 * not, naming the rule and the setting that decides. Pure: the caller and the records are given.
 */

export function requestProblem(rule: RequestRule, caller: string): string | undefined {
  if (!rule.via.includes('api')) {
    return `rule ${rule.name} takes requests from the bus only (via: ${rule.via.join(', ')})`;
  }
  if (rule.requesters && !principalMatches(rule.requesters, caller)) {
    return `rule ${rule.name} lets only its requesters ask (${rule.requesters.join(', ')}); ${caller} is not one of them`;
  }
  return undefined;
}

export function approveProblem(
  rule: RequestRule,
  request: PendingRequest,
  caller: string,
): string | undefined {
  const notApprover = denyProblem(rule, caller);
  if (notApprover) return notApprover;
  if (!rule.selfApproval && request.verified && request.requestedBy === caller) {
    return `rule ${rule.name} does not count a requester's approval of its own request (selfApproval: false)`;
  }
  return undefined;
}

/** Any approver may deny, the requester too when it is one: a denial only ever takes access away. */
export function denyProblem(rule: RequestRule, caller: string): string | undefined {
  if (principalMatches(rule.approvers, caller)) return undefined;
  return rule.approvers.length === 0
    ? `rule ${rule.name} has no approvers`
    : `rule ${rule.name} takes approvals and denials from its approvers only (${rule.approvers.join(', ')}); ${caller} is not one of them`;
}

/** A grant, or a request still pending, is its requester's to give up, and an operator's to end for anyone. */
export function revokeProblem(
  request: RequestedGrant | PendingRequest,
  caller: string,
  operators: readonly string[],
): string | undefined {
  if (request.requestedBy === caller || principalMatches(operators, caller)) return undefined;
  return `request ${request.requestId} was made by ${request.requestedBy}; only its requester or an operator (requests.operators) may revoke it`;
}

export function operatorProblem(
  operators: readonly string[],
  caller: string,
  what: string,
): string | undefined {
  if (principalMatches(operators, caller)) return undefined;
  return operators.length === 0
    ? `no operators are configured (requests.operators), so no one may ${what} through the request API`
    : `only operators (requests.operators: ${operators.join(', ')}) may ${what}; ${caller} is not one of them`;
}

/** What a caller may see: its own requests and grants, those it may approve, and everything for an operator. */
export function maySee(
  record: { readonly requestedBy: string },
  rule: RequestRule | undefined,
  caller: string,
  operators: readonly string[],
): boolean {
  return (
    record.requestedBy === caller ||
    principalMatches(operators, caller) ||
    (rule !== undefined && principalMatches(rule.approvers, caller))
  );
}

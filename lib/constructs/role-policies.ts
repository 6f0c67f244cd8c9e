import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct, IConstruct } from 'constructs';
import { deployedJsonLength } from './deploy-size';

/** IAM's quotas, in characters of the policy JSON without whitespace, as IAM counts them. */
export const IAM_LIMITS = {
  /** Every inline policy of one role together. */
  inlinePerRole: 10_240,
  /** One customer managed policy. */
  managedPolicy: 6_144,
  /** Managed policies attached to one role (the default quota; it can be raised to 20). */
  managedPerRole: 10,
} as const;

/**
 * What the inline policy may take of the role's inline quota: the rest is left to the role's default
 * policy (logs, queues CDK grants) and the VPC networking policy. The role is checked as a whole at synth.
 */
const INLINE_SHARE = IAM_LIMITS.inlinePerRole - 2_048;
/** `{"Version":"2012-10-17","Statement":[...]}` around the statements, with room to spare. */
const DOCUMENT_OVERHEAD = 64;

/**
 * The policies that hold one purpose's statements on a role: an inline policy under `id` (so a stack
 * that fits keeps the logical id it always had), and as many customer managed policies as the rest
 * needs. A statement too large for any one policy is split by resource, keeping its actions.
 */
export class RolePolicies {
  readonly inline: iam.Policy;
  readonly managed: readonly iam.ManagedPolicy[];

  constructor(scope: Construct, id: string, role: iam.Role, statements: readonly iam.PolicyStatement[]) {
    const pieces = statements.flatMap((statement) => split(scope, statement));
    const [inline = [], ...rest] = pack(scope, pieces);
    this.inline = new iam.Policy(scope, id, { statements: inline });
    role.attachInlinePolicy(this.inline);
    this.managed = rest.map(
      (group, index) =>
        new iam.ManagedPolicy(scope, `${id}Part${index + 2}`, { statements: group, roles: [role] }),
    );
  }

  /** Every policy, for acknowledgements that must sit on the policy holding a statement. */
  get all(): readonly (iam.Policy | iam.ManagedPolicy)[] {
    return [this.inline, ...this.managed];
  }
}

const sizeOf = (scope: IConstruct, statement: iam.PolicyStatement) =>
  deployedJsonLength(scope, statement.toStatementJson());

/** Fills the inline policy first, then managed policies, each below its quota, keeping the order. */
function pack(scope: IConstruct, statements: readonly iam.PolicyStatement[]): iam.PolicyStatement[][] {
  const groups: iam.PolicyStatement[][] = [[]];
  let used = DOCUMENT_OVERHEAD;
  for (const statement of statements) {
    const size = sizeOf(scope, statement) + 1;
    const budget = groups.length === 1 ? INLINE_SHARE : IAM_LIMITS.managedPolicy;
    if (used + size > budget && (groups.at(-1)?.length ?? 0) > 0) {
      groups.push([]);
      used = DOCUMENT_OVERHEAD;
    }
    groups.at(-1)?.push(statement);
    used += size;
  }
  return groups;
}

/** A statement whose resources would not fit in one managed policy, as several that each do. */
function split(scope: IConstruct, statement: iam.PolicyStatement): iam.PolicyStatement[] {
  const budget = IAM_LIMITS.managedPolicy - DOCUMENT_OVERHEAD;
  if (sizeOf(scope, statement) <= budget || statement.resources.length < 2) return [statement];
  const json = statement.toStatementJson();
  const shell = deployedJsonLength(scope, { ...json, Resource: [] });
  const chunks: string[][] = [[]];
  let used = shell;
  for (const resource of statement.resources) {
    const size = deployedJsonLength(scope, resource) + 1;
    if (used + size > budget && (chunks.at(-1)?.length ?? 0) > 0) {
      chunks.push([]);
      used = shell;
    }
    chunks.at(-1)?.push(resource);
    used += size;
  }
  return chunks.map(
    (resources, index) =>
      new iam.PolicyStatement({
        ...(statement.sid && { sid: index === 0 ? statement.sid : `${statement.sid}${index + 1}` }),
        actions: statement.actions,
        resources,
        conditions: statement.conditions,
      }),
  );
}

/** A role's policies as IAM measures them. */
export interface RolePolicySizes {
  /** Every inline policy of the role together, its default policy included. */
  readonly inlineChars: number;
  /** Each managed policy, by construct path. */
  readonly managedChars: ReadonlyMap<string, number>;
}

export function rolePolicySizes(
  role: iam.Role,
  inline: readonly iam.Policy[],
  managed: readonly iam.ManagedPolicy[],
): RolePolicySizes {
  const defaultPolicy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
  const inlineChars = [...inline, ...(defaultPolicy ? [defaultPolicy] : [])].reduce(
    (sum, policy) => sum + deployedJsonLength(role, policy.document),
    0,
  );
  return {
    inlineChars,
    managedChars: new Map(
      managed.map((policy) => [policy.node.path, deployedJsonLength(policy, policy.document)]),
    ),
  };
}

/** The sizes against IAM's quotas, each excess with the quota, the size and what to change. */
export function rolePolicyProblems(role: iam.Role, { inlineChars, managedChars }: RolePolicySizes): string[] {
  const problems: string[] = [];
  if (inlineChars > IAM_LIMITS.inlinePerRole) {
    problems.push(
      `IAM inline policy quota: the inline policies of ${role.node.path} would take about ${inlineChars} characters, over IAM's ${IAM_LIMITS.inlinePerRole} per role; split the config across stacks`,
    );
  }
  for (const [path, chars] of managedChars) {
    if (chars > IAM_LIMITS.managedPolicy) {
      problems.push(
        `IAM managed policy size: ${path} would take about ${chars} characters, over IAM's ${IAM_LIMITS.managedPolicy}; split the config across stacks`,
      );
    }
  }
  if (managedChars.size > IAM_LIMITS.managedPerRole) {
    problems.push(
      `IAM managed policies per role: ${role.node.path} would need ${managedChars.size} managed policies, over IAM's default quota of ${IAM_LIMITS.managedPerRole}; split the config across stacks, or raise the quota in Service Quotas`,
    );
  }
  return problems;
}

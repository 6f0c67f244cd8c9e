import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { Call } from '../../local';
import {
  type Deployment,
  deploymentOf,
  FUNCTION_KEY_PREFIX,
  type FunctionPurpose,
} from '../../local/functions/deployments';
import {
  type Deployed,
  identityPolicies,
  type PolicyDocument,
  resolved,
  resourcePolicies,
} from './iam-template';
import { synthStack } from './synth';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

/** The construct each function lives in: its role is the role of the one Lambda function under it. */
const CONSTRUCT: Record<FunctionPurpose, string> = {
  rotation: 'Rotation',
  membership: 'Membership',
  'owned-groups': 'OwnedGroups',
};

/** Services whose calls the local endpoint records: an action of another service cannot be judged unused here. */
const OBSERVED = [
  'sqs',
  'elasticache',
  'memorydb',
  'secretsmanager',
  'kms',
  'scheduler',
  'iam',
  'events',
  'cloudformation',
  'dynamodb',
  'sns',
];

export interface Denial {
  readonly call: string;
  readonly action: string;
  readonly resource: string;
  readonly reason: string;
}

/** Per role: the actions the calls needed, and the actions its policies allow that no call needed. */
export interface RoleUsage {
  readonly used: Set<string>;
  readonly allowed: Set<string>;
}

export interface SimulationReport {
  simulated: number;
  readonly denials: Denial[];
  readonly roles: Map<string, RoleUsage>;
}

/** A deployed stack as the caller's role sees it: its policies, with every reference resolved. */
interface Principal {
  readonly roleArn: string;
  readonly policies: { name: string; policy: PolicyDocument }[];
  readonly resourcePolicies: Map<string, PolicyDocument>;
}

const templates = new Map<string, Deployed['resources']>();

/** The template the config synthesizes to, once per distinct config and stack name. */
function resourcesOf(deployment: Deployment): Deployed['resources'] {
  const key = JSON.stringify([deployment.stack.name, deployment.config()]);
  let resources = templates.get(key);
  if (resources === undefined) {
    const { template } = synthStack(deployment.config(), { id: deployment.stack.name });
    resources = template.toJSON().Resources as Deployed['resources'];
    templates.set(key, resources);
  }
  return resources;
}

export function principalOf(deployment: Deployment): Principal {
  const deployed: Deployed = {
    resources: resourcesOf(deployment),
    region: REGION,
    account: ACCOUNT,
    stack: deployment.stack,
    physicalNames: deployment.physicalNames,
  };
  const prefix = CONSTRUCT[deployment.purpose];
  const functions = Object.entries(deployed.resources).filter(
    ([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.startsWith(prefix),
  );
  const [roleId] = functions.map(([, resource]) => resource.Properties?.Role?.['Fn::GetAtt']?.[0] as string);
  if (functions.length !== 1 || roleId === undefined) {
    throw new Error(`expected one ${deployment.purpose} function in the template, found ${functions.length}`);
  }
  return {
    roleArn: resolved({ 'Fn::GetAtt': [roleId, 'Arn'] }, deployed),
    policies: identityPolicies(deployed, roleId),
    resourcePolicies: resourcePolicies(deployed),
  };
}

/** What a KMS key outside the stack allows: its default policy, which leaves the decision to IAM. */
const DEFAULT_KEY_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
  ],
};

/** Evaluates one recorded call's authorizations as the caller's role; the denials, each naming what is missing. */
export async function simulateCall(call: Call, principal: Principal): Promise<Denial[]> {
  const name = `${call.service} ${call.operation}`;
  if (call.authorizations.length === 0) {
    return [
      {
        call: name,
        action: '-',
        resource: '-',
        reason: 'the endpoint records no authorization facts for it',
      },
    ];
  }
  const denials: Denial[] = [];
  for (const { action, resource, context, resourcePolicy } of call.authorizations) {
    const policy =
      (resourcePolicy && (JSON.parse(resourcePolicy) as PolicyDocument)) ??
      principal.resourcePolicies.get(resource) ??
      (action.startsWith('kms:') ? DEFAULT_KEY_POLICY : undefined);
    const simulation: Simulation = {
      request: {
        principal: principal.roleArn,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: {
          'aws:PrincipalArn': principal.roleArn,
          'aws:PrincipalAccount': ACCOUNT,
          'aws:SecureTransport': 'true',
          'aws:RequestedRegion': REGION,
          ...Object.fromEntries(
            Object.entries(context).map(([key, value]) => [
              key,
              typeof value === 'string' ? value : [...value],
            ]),
          ),
        },
      },
      identityPolicies: principal.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(policy && { resourcePolicy: policy }),
    };
    const result = await runSimulation(simulation, {}).catch((error: unknown) => ({
      resultType: 'error' as const,
      errors: { message: error instanceof Error ? error.message : String(error) },
    }));
    if (result.resultType === 'error') {
      denials.push({
        call: name,
        action,
        resource,
        reason: `the simulator refused the request: ${result.errors.message}`,
      });
    } else if (result.overallResult !== 'Allowed') {
      denials.push({
        call: name,
        action,
        resource,
        reason: `${result.overallResult}: no statement of ${principal.policies.map((p) => p.name).join(', ')}${policy ? ' or of the resource policy' : ''} allows ${action} on ${resource} with ${JSON.stringify(context)}`,
      });
    }
  }
  return denials;
}

/** Every call a hosted function made, simulated against the IAM its deployment's config synthesizes to. */
export async function simulateCalls(calls: readonly Call[]): Promise<SimulationReport> {
  const report: SimulationReport = { simulated: 0, denials: [], roles: new Map() };
  const principals = new Map<string, Principal>();
  for (const call of calls) {
    const deployment = deploymentOf(call.caller);
    if (deployment === undefined || call.caller === undefined) {
      if (call.caller?.startsWith(FUNCTION_KEY_PREFIX)) {
        throw new Error(
          `${call.service} ${call.operation} is signed by ${call.caller}, a function host this worker did not start: its calls cannot be proved`,
        );
      }
      continue;
    }
    let principal = principals.get(call.caller);
    if (principal === undefined) {
      principal = principalOf(deployment);
      principals.set(call.caller, principal);
    }
    report.simulated += 1;
    report.denials.push(...(await simulateCall(call, principal)));
    const usage = report.roles.get(deployment.purpose) ?? {
      used: new Set<string>(),
      allowed: new Set<string>(),
    };
    for (const { action } of call.authorizations) usage.used.add(action.toLowerCase());
    for (const { policy } of principal.policies) {
      for (const statement of policy.Statement) {
        if (statement.Effect !== 'Allow') continue;
        for (const action of [statement.Action ?? []].flat()) {
          if (OBSERVED.includes(action.split(':')[0] ?? '')) usage.allowed.add(action.toLowerCase());
        }
      }
    }
    report.roles.set(deployment.purpose, usage);
  }
  return report;
}

/** The least-privilege figures, one line per role. */
export function usageLines(report: SimulationReport): string[] {
  return [...report.roles].map(([role, { used, allowed }]) => {
    const unused = [...allowed].filter((action) => !used.has(action)).sort();
    return `${role}: ${used.size} distinct actions used; allowed but unused by these calls: ${unused.length} (${unused.join(', ') || 'none'})`;
  });
}

/**
 * Fails naming every denied call; prints how many calls were simulated, how long it took, and the
 * least-privilege figures.
 */
export async function expectCallsAllowed(
  calls: readonly Call[],
  suite: string,
  {
    knownGaps = [],
    functionsHosted = false,
  }: { readonly knownGaps?: readonly RegExp[]; readonly functionsHosted?: boolean } = {},
): Promise<void> {
  const started = performance.now();
  const report = await simulateCalls(calls);
  if (functionsHosted && report.simulated === 0) {
    throw new Error(`${suite} hosted a function but none of its calls was signed as one: nothing was proved`);
  }
  const ms = Math.round(performance.now() - started);
  console.log(
    [`IAM simulation of ${suite}: ${report.simulated} calls in ${ms} ms`, ...usageLines(report)].join('\n  '),
  );
  const lines = [
    ...new Set(report.denials.map((d) => `- ${d.call}: ${d.action} on ${d.resource}: ${d.reason}`)),
  ];
  const known = lines.filter((line) => knownGaps.some((gap) => gap.test(line)));
  const unknown = lines.filter((line) => !known.includes(line));
  if (known.length > 0) console.log(`known IAM gaps still open (${known.length}):\n${known.join('\n')}`);
  const unseen = knownGaps.filter((gap) => !lines.some((line) => gap.test(line)));
  if (unknown.length > 0 || unseen.length > 0) {
    throw new Error(
      [
        ...(unknown.length > 0
          ? [`the deployed IAM would deny ${unknown.length} distinct call(s):`, ...unknown]
          : []),
        ...unseen.map((gap) => `known gap ${gap} no longer occurs: take it off the list`),
      ].join('\n'),
    );
  }
}

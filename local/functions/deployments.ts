/** Which of the stack's functions a host stands for. */
export type FunctionPurpose = 'rotation' | 'membership' | 'owned-groups';

/**
 * What a hosted function was started from, so its calls can be checked against the IAM the same
 * config deploys: the config as `cdk.json` spells it, and the names CloudFormation would have given
 * the resources the harness stands in for.
 */
export interface Deployment {
  readonly purpose: FunctionPurpose;
  /** The stack config, as it is when asked: the owned-groups harness learns its groups as it is sent them. */
  config(): unknown;
  /** Physical names by the start of a logical id (its construct path), for what the harness named itself. */
  readonly physicalNames: Readonly<Record<string, string>>;
  /** The stack's name and id, as the pseudo-parameters resolve. */
  readonly stack: { readonly name: string; readonly id: string };
}

const deployments = new Map<string, Deployment>();

/** Starts every function host's access key; the tests' own calls sign with another, and are not proved. */
export const FUNCTION_KEY_PREFIX = 'LOCAL';

/**
 * A fresh access key id for one function host: the endpoint reads it from each request's signature,
 * so every call names the host, and through it the deployment, it came from.
 */
export function accessKeyFor(deployment: Deployment): string {
  const key = `${FUNCTION_KEY_PREFIX}${deployment.purpose.replace('-', '').toUpperCase()}${String(deployments.size + 1).padStart(4, '0')}`;
  deployments.set(key, deployment);
  return key;
}

/** The deployment the host signing with `accessKeyId` was started from. */
export function deploymentOf(accessKeyId: string | undefined): Deployment | undefined {
  return accessKeyId === undefined ? undefined : deployments.get(accessKeyId);
}

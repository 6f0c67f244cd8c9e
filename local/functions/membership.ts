import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV } from '../../lambdas/shared/env-names';
import {
  type Grant,
  type GrantSpec,
  grantSpecSchema,
  resolveGrant,
} from '../../lambdas/shared/membership/grant';
import { GRANTS_FILE, grantsFileContent } from '../../lambdas/shared/membership/grants-file';
import type { Engine, LocalAws } from '../aws/endpoint';
import { type LambdaHost, startLambda } from '../lambda/host';

export const GROUP_MODIFY: Record<Engine, string> = { elasticache: 'ModifyUserGroup', memorydb: 'UpdateACL' };
export const GROUP_DESCRIBE: Record<Engine, { operation: string; idParam: string }> = {
  elasticache: { operation: 'DescribeUserGroups', idParam: 'UserGroupId' },
  memorydb: { operation: 'DescribeACLs', idParam: 'ACLName' },
};
export const GROUP_BUSY: Record<Engine, string> = {
  elasticache: 'InvalidUserGroupStateFault',
  memorydb: 'InvalidACLStateFault',
};

export function groupArnOf(engine: Engine, id: string): string {
  return engine === 'elasticache'
    ? `arn:aws:elasticache:eu-west-1:123456789012:usergroup:${id}`
    : `arn:aws:memorydb:eu-west-1:123456789012:acl/${id}`;
}

const HOUR_MS = 3_600_000;

/** A one-time window around now (open) or that ended an hour ago (closed), as ISO instants. */
export const openWindow = () => ({
  start: new Date(Date.now() - HOUR_MS).toISOString(),
  end: new Date(Date.now() + HOUR_MS).toISOString(),
});
export const closedWindow = () => ({
  start: new Date(Date.now() - 2 * HOUR_MS).toISOString(),
  end: new Date(Date.now() - HOUR_MS).toISOString(),
});

/** Starts the bundled membership function with the grants the stack would bundle with it. */
export function startMembershipFunction(
  bundle: string,
  aws: LocalAws,
  grants: readonly GrantSpec[],
): Promise<LambdaHost> {
  return startLambda(bundle, {
    ...aws.env(),
    [ENV.grantsFile]: writeGrantsFile(grants),
    [ENV.eventBusName]: 'default',
  });
}

/** The grants file as the stack writes it, in a folder of its own so each test can have its own grants. */
function writeGrantsFile(grants: readonly GrantSpec[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'membership-grants-')), GRANTS_FILE);
  writeFileSync(file, grantsFileContent(grantsOf(grants)));
  return file;
}

/** Grants as the config spells them, validated and resolved the way synth does. */
export function grantsOf(specs: readonly GrantSpec[]): Grant[] {
  return specs.map((spec) => resolveGrant(grantSpecSchema.parse(spec)));
}

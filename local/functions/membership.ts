import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV, MEMBERSHIP_PLAN_FILENAME } from '../../lambdas/shared/env-names';
import type { Grant } from '../../lambdas/shared/membership/plan';
import type { Engine, LocalAws } from '../aws/endpoint';
import { type LambdaHost, startLambda } from '../lambda/host';

export const GROUP_MODIFY: Record<Engine, string> = { elasticache: 'ModifyUserGroup', memorydb: 'UpdateACL' };
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

/** Starts the bundled membership function with the grants the stack would hand it. */
export function startMembershipFunction(
  bundle: string,
  aws: LocalAws,
  grants: readonly Grant[],
): Promise<LambdaHost> {
  return startLambda(bundle, {
    ...aws.env(),
    [ENV.membershipPlanFile]: writePlan(grants),
    [ENV.eventBusName]: 'default',
  });
}

/** The plan as the stack bundles it, in a file of its own so each test can have its own plan. */
function writePlan(grants: readonly Grant[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'membership-plan-')), MEMBERSHIP_PLAN_FILENAME);
  writeFileSync(file, JSON.stringify(grants));
  return file;
}

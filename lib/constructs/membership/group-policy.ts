import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { Engine } from '#core/cache/engine';
import { ENGINE_NAMES, ENGINES } from '#core/cache/engines';
import type { CacheGroup } from '#core/cache/refs';
import { acknowledgeWildcard } from '../nag-notation';

/** A group and every user that may be added to or removed from it by this stack. */
export interface ManagedGroup {
  readonly group: CacheGroup;
  readonly users: readonly string[];
}

/**
 * Membership changes on exactly these groups. A change is authorized against the group and each user
 * it adds or removes, and the users are any of the account and region: a grant deleted from the config
 * must still end, and a suspension takes its user out of every configured group, members the config
 * never named included. The users are described on the same pattern: one exact ARN per managed user
 * would exceed IAM's policy quotas at a few dozen groups, and DescribeUsers is read-only. Reading two
 * or more groups of an engine is one list call, which IAM authorizes on every group of the account and
 * region. The patterns are acknowledged with these reasons.
 */
export function groupChangeStatements(
  scope: Construct,
  managed: readonly ManagedGroup[],
): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  for (const engine of ENGINE_NAMES) {
    const ofEngine = managed.filter(({ group }) => group.engine === engine);
    const groups = [...new Set(ofEngine.map(({ group }) => group.arn))];
    if (groups.length === 0) continue;
    const { sidName, actions } = ENGINES[engine];
    statements.push(
      new iam.PolicyStatement({
        sid: `Read${sidName}Groups`,
        actions: [actions.describeGroups],
        resources: groups.length > 1 ? [pattern(scope, engine, 'group')] : groups,
      }),
      new iam.PolicyStatement({
        sid: `Change${sidName}Members`,
        actions: [actions.modifyGroup],
        resources: [...groups, pattern(scope, engine, 'user')],
      }),
      new iam.PolicyStatement({
        sid: `Describe${sidName}Members`,
        actions: [actions.describeUser],
        resources: [pattern(scope, engine, 'user')],
      }),
    );
  }
  return statements;
}

/** Acknowledges, on the policies that hold them, the patterns `groupChangeStatements` used, each with its reason. */
export function acknowledgePatterns(
  policies: readonly (iam.Policy | iam.ManagedPolicy)[],
  scope: Construct,
  managed: readonly ManagedGroup[],
): void {
  for (const engine of ENGINE_NAMES) {
    const groups = new Set(
      managed.filter(({ group }) => group.engine === engine).map(({ group }) => group.arn),
    );
    if (groups.size === 0) continue;
    acknowledgeWildcard(
      policies,
      pattern(scope, engine, 'user'),
      'A membership change names the users it adds or removes: a grant deleted from the config must still end, and a suspension takes its user out of every configured group. The statement names the exact groups, so no other group can change. DescribeUsers is read-only and returns no password.',
    );
    if (groups.size > 1) {
      acknowledgeWildcard(
        policies,
        pattern(scope, engine, 'group'),
        'A read-only describe of every user group or ACL in this account and region: one list call replaces one call per group. Changes stay on the exact groups.',
      );
    }
  }
}

/** Every group or user of the engine in the stack's account and region. */
function pattern(scope: Construct, engine: Engine, kind: 'user' | 'group'): string {
  const { service } = ENGINES[engine];
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${ENGINES[engine][kind].resourcePrefix}*`;
}

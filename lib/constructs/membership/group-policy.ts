import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { Engine } from '../../../lambdas/shared/cache/engine';
import { ENGINE_NAMES, ENGINES } from '../../../lambdas/shared/cache/engines';
import { type CacheGroup, memberOf } from '../../../lambdas/shared/cache/refs';
import { nagNotation } from '../nag-notation';

/** A group and every user that may be added to or removed from it by this stack. */
export interface ManagedGroup {
  readonly group: CacheGroup;
  readonly users: readonly string[];
}

/**
 * Membership changes on exactly these groups. A change is authorized against the group and each user
 * it adds or removes, and the users are any of the account and region: a grant deleted from the config
 * must still end, and a suspension takes its user out of every configured group, members the config
 * never named included. Reading two or more groups of an engine is one list call, which IAM authorizes
 * on every group of the account and region. Both patterns are acknowledged with these reasons.
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
    const users = [
      ...new Set(ofEngine.flatMap(({ group, users }) => users.map((user) => memberOf(group, user).arn))),
    ].sort();
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
        resources: users,
      }),
    );
  }
  return statements;
}

/** Acknowledges, on the policy that holds them, the patterns `groupChangeStatements` used, each with its reason. */
export function acknowledgePatterns(policy: iam.Policy, managed: readonly ManagedGroup[]): void {
  const acknowledge = (engine: Engine, kind: 'user' | 'group', reason: string) => {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagNotation(policy, pattern(policy, engine, kind))}]`,
      reason,
    });
  };
  for (const engine of ENGINE_NAMES) {
    const groups = new Set(
      managed.filter(({ group }) => group.engine === engine).map(({ group }) => group.arn),
    );
    if (groups.size === 0) continue;
    acknowledge(
      engine,
      'user',
      'A membership change names the users it adds or removes: a grant deleted from the config must still end, and a suspension takes its user out of every configured group. The statement names the exact groups, so no other group can change.',
    );
    if (groups.size > 1) {
      acknowledge(
        engine,
        'group',
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

import { createHash } from 'node:crypto';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ENGINE_NAMES, ENGINES } from '#core/cache/engines';
import { EPHEMERAL_TAGS, type EphemeralNames } from '#core/requests/ephemeral-names';
import type { RequestRule } from '#core/requests/rules';
import { acknowledgeWildcard } from '../nag-notation';

/**
 * The names this construct's ephemeral users and secrets start with: a digest of the stack and the
 * construct's path, so two stacks (or two constructs) in one account never take each other's users.
 */
export function ephemeralPrefixes(scope: Construct): Omit<EphemeralNames, 'functionRoleArn'> {
  const marker = createHash('sha256')
    .update(`${Stack.of(scope).stackName}/${scope.node.path}`)
    .digest('hex')
    .slice(0, 6);
  return { userPrefix: `jit-${marker}-`, secretPrefix: `cache-access/jit-${marker}/` };
}

/**
 * Create, repair and delete users only under the prefix, in the engines whose rules make them; read,
 * restrict and delete secrets only under the prefix. ListSecrets has no resource to name.
 */
export function ephemeralStatements(
  scope: Construct,
  rules: readonly RequestRule[],
  names: Omit<EphemeralNames, 'functionRoleArn'>,
): {
  readonly statements: iam.PolicyStatement[];
  acknowledge(policies: readonly (iam.Policy | iam.ManagedPolicy)[]): void;
} {
  const stack = Stack.of(scope);
  const ephemeralRules = rules.filter((rule) => rule.ephemeral);
  if (ephemeralRules.length === 0) return { statements: [], acknowledge: () => undefined };
  const patterns: string[] = [];
  const statements: iam.PolicyStatement[] = [];
  for (const engine of ENGINE_NAMES) {
    const regions = new Set(
      ephemeralRules.filter(({ group }) => group.engine === engine).map(({ group }) => group.region),
    );
    if (regions.size === 0) continue;
    const { service, sidName, actions, tagOnCreate, user } = ENGINES[engine];
    const users = [...regions].map(
      (region) =>
        `arn:${stack.partition}:${service}:${region}:${stack.account}:${user.resourcePrefix}${names.userPrefix}*`,
    );
    patterns.push(...users);
    // MemoryDB's CreateUser has no resource type: IAM authorizes it on `*`, so the name cannot be
    // scoped there; the request tag every ephemeral user is created with is required instead.
    const createAnywhere = engine === 'memorydb';
    statements.push(
      new iam.PolicyStatement({
        sid: `Ephemeral${sidName}Users`,
        actions: [
          ...(createAnywhere ? [] : [actions.createUser]),
          tagOnCreate,
          actions.setPasswords,
          actions.deleteUser,
          actions.tagsOf,
        ],
        resources: users,
      }),
      ...(createAnywhere
        ? [
            new iam.PolicyStatement({
              sid: `Ephemeral${sidName}Create`,
              actions: [actions.createUser],
              resources: ['*'],
              conditions: { Null: { [`aws:RequestTag/${EPHEMERAL_TAGS.request}`]: 'false' } },
            }),
          ]
        : []),
    );
  }
  const secrets = stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${names.secretPrefix}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  patterns.push(secrets);
  statements.push(
    new iam.PolicyStatement({
      sid: 'EphemeralCredentials',
      actions: [
        'secretsmanager:CreateSecret',
        'secretsmanager:TagResource',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutResourcePolicy',
        'secretsmanager:PutSecretValue',
        'secretsmanager:DeleteSecret',
      ],
      resources: [secrets],
    }),
    new iam.PolicyStatement({
      sid: 'FindEphemeralCredentials',
      actions: ['secretsmanager:ListSecrets'],
      resources: ['*'],
    }),
  );
  return {
    statements,
    acknowledge(policies) {
      for (const pattern of patterns) {
        acknowledgeWildcard(
          policies,
          pattern,
          'Ephemeral users and their secrets are made at run time, one per request, so their names are known only then; the pattern is the prefix of this construct alone.',
        );
      }
      acknowledgeWildcard(
        policies,
        '*',
        'ListSecrets cannot be limited to a resource; it returns names and tags, never values. The sweep uses it to find secrets a crash left behind. MemoryDB authorizes CreateUser on * only; that statement requires the request tag every ephemeral user carries.',
      );
    },
  };
}

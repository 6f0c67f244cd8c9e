import { Annotations, CfnResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ENGINE_NAMES, ENGINES } from '#core/cache/engines';
import { EXCLUDED_PASSWORD_CHARACTERS } from '#core/cache/password';
import { type CacheUser, resourceKey } from '#core/cache/refs';
import { ROTATION_TARGETS_FILE, rotationTargetsFileContent } from '#core/rotation/targets';
import { ENV } from '#core/runtime/env-names';
import { CacheAccessFunction, type FunctionPlacement } from '../cache-access-function';
import { propsError } from '../props-error';
import type { RolePolicies } from '../role-policies';
import type { RotatedUserProps } from './props';

/** A secret and the cache user whose password it holds. */
export interface RotatedSecret {
  /** The cache user whose password rotates. */
  readonly user: CacheUser;
  /** The secret clients read the password from: the one given, or the one this construct created. */
  readonly secret: secretsmanager.ISecret;
  /** True when this construct created the secret rather than adopting an existing one. */
  readonly created: boolean;
}

/** What every unit of one `CredentialRotation` shares. */
export interface RotationSettings {
  readonly schedule: string;
  /** The rotation window as Secrets Manager writes it (`4h`). */
  readonly window?: string;
  readonly passwordLength: number;
  readonly placement?: FunctionPlacement;
}

/** One rotation function, and the secrets and schedules it serves. */
export interface RotationUnit {
  readonly handler: CacheAccessFunction;
  readonly secrets: readonly RotatedSecret[];
}

const DEFAULT_PORT = 6379;

/**
 * One rotation function for `users`: the secrets it may rotate, IAM on exactly those secrets and
 * users, and a Secrets Manager rotation schedule per secret, all added to `scope` itself (the
 * construct, or one of its nested stacks), so the resources keep the logical ids they had as the
 * construct's direct children. `indexOf` gives a user's position in the construct's props, for errors.
 */
export function rotationUnit(
  scope: Construct,
  users: readonly RotatedUserProps[],
  settings: RotationSettings,
  indexOf: (user: RotatedUserProps) => number,
): RotationUnit {
  const stack = Stack.of(scope);
  const rotated = users.map((props) => ({
    props,
    secret: props.secret ?? createSecret(scope, props.user, props.username ?? props.user.id, settings),
    created: props.secret === undefined,
  }));
  const secrets = rotated.map(({ props, secret, created }) => ({ user: props.user, secret, created }));
  const targets = rotated.map(({ props, secret }) => ({
    ...secretRef(scope, secret, indexOf(props)),
    userArn: props.user.arn,
    endpoint: props.endpoint && {
      host: props.endpoint.host,
      port: props.endpoint.port ?? DEFAULT_PORT,
      tls: true,
    },
  }));
  const fromStack = targets.some((target) => 'secretLogicalId' in target);
  const handler = new CacheAccessFunction(scope, 'Rotator', {
    handlerFolder: 'rotate',
    description: 'Rotates ElastiCache and MemoryDB user passwords for Secrets Manager',
    // AWS asks for at least 12 minutes for cache rotations: status changes and propagation are slow.
    timeout: Duration.minutes(15),
    placement: settings.placement,
    environment: {
      [ENV.passwordLength]: String(settings.passwordLength),
      // The stack that holds the created secrets: with nested stacks, the shard's own stack.
      ...(fromStack && { [ENV.rotationStack]: stack.stackId }),
    },
    bundledFiles: { [ROTATION_TARGETS_FILE]: rotationTargetsFileContent(targets) },
  });
  const { function: fn } = handler;

  // Secrets Manager may invoke the function for secrets of this account only. A SourceArn condition
  // would tie the one shared function to a single secret.
  const permission = new lambda.CfnPermission(scope, 'InvokedBySecretsManager', {
    action: 'lambda:InvokeFunction',
    functionName: fn.functionArn,
    principal: 'secretsmanager.amazonaws.com',
    sourceAccount: stack.account,
  });
  const policies = grantRotation(scope, handler, secrets, fromStack);
  for (const { user, secret } of secrets) {
    const rotation = new secretsmanager.CfnRotationSchedule(scope, `Schedule-${resourceKey(user)}`, {
      secretId: secret.secretArn,
      rotationLambdaArn: fn.functionArn,
      rotationRules: { scheduleExpression: settings.schedule, duration: settings.window },
      rotateImmediatelyOnUpdate: true,
    });
    // The first rotation starts as soon as the schedule exists; the function must be callable and allowed by then.
    rotation.node.addDependency(permission, ...policies.all);
  }
  return { handler, secrets };
}

function createSecret(
  scope: Construct,
  user: CacheUser,
  username: string,
  { passwordLength }: RotationSettings,
): secretsmanager.Secret {
  Annotations.of(scope).addWarningV2(
    `cache-access-automation:created-secret:${resourceKey(user)}`,
    `The stack creates the secret of ${user.arn} and rotates it on deploy: the user's current passwords stop working then. Clients must read this secret; to keep a password clients already use, give the existing secret as secretArn instead.`,
  );
  return new secretsmanager.Secret(scope, `Secret-${resourceKey(user)}`, {
    // The secret holds a live password; deleting the stack must not lock the application out.
    removalPolicy: RemovalPolicy.RETAIN,
    description: `Password of ${user.engine} user ${user.id}, rotated by cache-access-automation`,
    generateSecretString: {
      secretStringTemplate: JSON.stringify({ username, user_arn: user.arn }),
      generateStringKey: 'password',
      passwordLength,
      excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS,
      includeSpace: false,
    },
  });
}

/**
 * How the function's allow-list names a secret: by ARN when the ARN is known at synth, else by
 * logical id when the secret is a resource of the function's own stack (its ARN is read from that
 * stack's resource list at run time, which only the stack's deployments can change).
 */
function secretRef(
  scope: Construct,
  secret: secretsmanager.ISecret,
  index: number,
): { secretArn: string } | { secretLogicalId: string } {
  if (!Token.isUnresolved(secret.secretArn)) return { secretArn: secret.secretArn };
  const resource = secret.node.defaultChild;
  if (resource instanceof CfnResource && Stack.of(resource) === Stack.of(scope)) {
    return { secretLogicalId: Stack.of(scope).getLogicalId(resource) };
  }
  throw propsError('CredentialRotation', [
    `users[${index}].secret: give an existing secret by its complete ARN, or a secret created in the same stack; ${secret.node.path} has an ARN known only at deploy time in another stack`,
  ]);
}

/** The rotation protocol's four secret actions and the two user actions, on exactly these secrets and users. */
function grantRotation(
  scope: Construct,
  handler: CacheAccessFunction,
  secrets: readonly RotatedSecret[],
  fromStack: boolean,
): RolePolicies {
  const stack = Stack.of(scope);
  const statements = [
    new iam.PolicyStatement({
      sid: 'RotateConfiguredSecrets',
      actions: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ],
      resources: secrets.map(({ secret }) => secret.secretArn),
    }),
  ];
  for (const engine of ENGINE_NAMES) {
    const { sidName, actions } = ENGINES[engine];
    const resources = secrets.filter(({ user }) => user.engine === engine).map(({ user }) => user.arn);
    if (resources.length === 0) continue;
    statements.push(
      new iam.PolicyStatement({
        sid: `Change${sidName}UserPasswords`,
        actions: [actions.describeUser, actions.setPasswords],
        resources,
      }),
    );
  }
  // A secret encrypted with a customer managed key is read and written through Secrets Manager only.
  const keys = [
    ...new Set(secrets.flatMap(({ secret }) => (secret.encryptionKey ? [secret.encryptionKey.keyArn] : []))),
  ];
  if (keys.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'UseSecretKeysThroughSecretsManager',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: keys,
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.${stack.urlSuffix}` },
        },
      }),
    );
  }
  if (fromStack) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'FindCreatedSecrets',
        actions: ['cloudformation:ListStackResources'],
        resources: [stack.stackId],
      }),
    );
  }
  return handler.grant(scope, 'RotationPolicy', statements);
}

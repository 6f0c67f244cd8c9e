import { Annotations, CfnResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENGINE_NAMES, ENGINES } from '#core/cache/engines';
import { EXCLUDED_PASSWORD_CHARACTERS, PASSWORD_LENGTH } from '#core/cache/password';
import { type CacheUser, resourceKey } from '#core/cache/refs';
import { ROTATION_TARGETS_FILE, rotationTargetsFileContent } from '#core/rotation/targets';
import { ENV } from '#core/runtime/env-names';
import { CacheAccessFunction } from './cache-access-function';
import { propsError } from './props-error';
import type { RolePolicies } from './role-policies';
import { type CredentialRotationProps, validateRotationProps } from './rotation/props';

/** A secret and the cache user whose password it holds. */
export interface RotatedSecret {
  /** The cache user whose password rotates. */
  readonly user: CacheUser;
  /** The secret clients read the password from: the one given, or the one this construct created. */
  readonly secret: secretsmanager.ISecret;
  /** True when this construct created the secret rather than adopting an existing one. */
  readonly created: boolean;
}

const DEFAULT_SCHEDULE = events.Schedule.rate(Duration.days(30));
const DEFAULT_PORT = 6379;

/**
 * One rotation function for every user: the secrets it may rotate, IAM on exactly those secrets and
 * users, and a Secrets Manager rotation schedule per secret.
 */
export class CredentialRotation extends Construct {
  readonly handler: CacheAccessFunction;
  readonly secrets: readonly RotatedSecret[];

  constructor(scope: Construct, id: string, props: CredentialRotationProps) {
    super(scope, id);
    const schedule = (props.schedule ?? DEFAULT_SCHEDULE).expressionString;
    const passwordLength = props.passwordLength ?? PASSWORD_LENGTH.default;
    validateRotationProps(props, schedule, passwordLength);
    const window = props.window && `${props.window.toHours()}h`;

    const rotated = props.users.map(({ user, secret, username, endpoint }) => ({
      user,
      secret: secret ?? this.createSecret(user, username ?? user.id, passwordLength),
      created: secret === undefined,
      endpoint,
    }));
    this.secrets = rotated.map(({ user, secret, created }) => ({ user, secret, created }));
    const targets = rotated.map(({ user, secret, endpoint }, index) => ({
      ...this.secretRef(secret, index),
      userArn: user.arn,
      endpoint: endpoint && { host: endpoint.host, port: endpoint.port ?? DEFAULT_PORT, tls: true },
    }));
    const fromStack = targets.some((target) => 'secretLogicalId' in target);
    this.handler = new CacheAccessFunction(this, 'Rotator', {
      handlerFolder: 'rotate',
      description: 'Rotates ElastiCache and MemoryDB user passwords for Secrets Manager',
      // AWS asks for at least 12 minutes for cache rotations: status changes and propagation are slow.
      timeout: Duration.minutes(15),
      placement: props.vpc && {
        vpc: props.vpc,
        subnets: props.vpcSubnets ?? { subnets: props.vpc.privateSubnets },
        securityGroups: props.securityGroups,
      },
      environment: {
        [ENV.passwordLength]: String(passwordLength),
        ...(fromStack && { [ENV.rotationStack]: Stack.of(this).stackId }),
      },
      bundledFiles: { [ROTATION_TARGETS_FILE]: rotationTargetsFileContent(targets) },
    });
    const { function: fn } = this.handler;

    // Secrets Manager may invoke the function for secrets of this account only. A SourceArn condition
    // would tie the one shared function to a single secret.
    const permission = new lambda.CfnPermission(this, 'InvokedBySecretsManager', {
      action: 'lambda:InvokeFunction',
      functionName: fn.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: Stack.of(this).account,
    });
    const policies = this.grantRotation(fromStack);
    for (const { user, secret } of this.secrets) {
      const rotation = new secretsmanager.CfnRotationSchedule(this, `Schedule-${resourceKey(user)}`, {
        secretId: secret.secretArn,
        rotationLambdaArn: fn.functionArn,
        rotationRules: { scheduleExpression: schedule, duration: window },
        rotateImmediatelyOnUpdate: true,
      });
      // The first rotation starts as soon as the schedule exists; the function must be callable and allowed by then.
      rotation.node.addDependency(permission, ...policies.all);
    }
  }

  private createSecret(user: CacheUser, username: string, length: number): secretsmanager.Secret {
    Annotations.of(this).addWarningV2(
      `cache-access-automation:created-secret:${resourceKey(user)}`,
      `The stack creates the secret of ${user.arn} and rotates it on deploy: the user's current passwords stop working then. Clients must read this secret; to keep a password clients already use, give the existing secret as secretArn instead.`,
    );
    return new secretsmanager.Secret(this, `Secret-${resourceKey(user)}`, {
      // The secret holds a live password; deleting the stack must not lock the application out.
      removalPolicy: RemovalPolicy.RETAIN,
      description: `Password of ${user.engine} user ${user.id}, rotated by cache-access-automation`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username, user_arn: user.arn }),
        generateStringKey: 'password',
        passwordLength: length,
        excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS,
        includeSpace: false,
      },
    });
  }

  /**
   * How the function's allow-list names a secret: by ARN when the ARN is known at synth, else by
   * logical id when the secret is a resource of this stack (its ARN is read from the stack's own
   * resource list at run time, which only the stack's deployments can change).
   */
  private secretRef(
    secret: secretsmanager.ISecret,
    index: number,
  ): { secretArn: string } | { secretLogicalId: string } {
    if (!Token.isUnresolved(secret.secretArn)) return { secretArn: secret.secretArn };
    const resource = secret.node.defaultChild;
    if (resource instanceof CfnResource && Stack.of(resource) === Stack.of(this)) {
      return { secretLogicalId: Stack.of(this).getLogicalId(resource) };
    }
    throw propsError('CredentialRotation', [
      `users[${index}].secret: give an existing secret by its complete ARN, or a secret created in the same stack; ${secret.node.path} has an ARN known only at deploy time in another stack`,
    ]);
  }

  /** The rotation protocol's four secret actions and the two user actions, on exactly these secrets and users. */
  private grantRotation(fromStack: boolean): RolePolicies {
    const statements = [
      new iam.PolicyStatement({
        sid: 'RotateConfiguredSecrets',
        actions: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        resources: this.secrets.map(({ secret }) => secret.secretArn),
      }),
    ];
    for (const engine of ENGINE_NAMES) {
      const { sidName, actions } = ENGINES[engine];
      const resources = this.secrets.filter(({ user }) => user.engine === engine).map(({ user }) => user.arn);
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
      ...new Set(
        this.secrets.flatMap(({ secret }) => (secret.encryptionKey ? [secret.encryptionKey.keyArn] : [])),
      ),
    ];
    if (keys.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'UseSecretKeysThroughSecretsManager',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: keys,
          conditions: {
            StringEquals: {
              'kms:ViaService': `secretsmanager.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`,
            },
          },
        }),
      );
    }
    if (fromStack) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'FindCreatedSecrets',
          actions: ['cloudformation:ListStackResources'],
          resources: [Stack.of(this).stackId],
        }),
      );
    }
    return this.handler.grant(this, 'RotationPolicy', statements);
  }
}

import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { type CacheUserRef, parseUserArn, resourceKey } from '../../lambdas/shared/arn';
import { ENV } from '../../lambdas/shared/env-names';
import { EXCLUDED_PASSWORD_CHARACTERS } from '../../lambdas/shared/password';
import { type RotationTarget, serializeTargets } from '../../lambdas/shared/rotation/targets';
import type { NetworkConfig, RotationConfig } from '../config/schema';
import { CacheAccessFunction, type FunctionPlacement } from './cache-access-function';

export interface CredentialRotationProps {
  /** The validated `rotation` section of the config. */
  readonly config: RotationConfig;
}

/** A secret and the cache user whose password it holds. */
export interface RotatedSecret {
  readonly user: CacheUserRef;
  readonly secret: secretsmanager.ISecret;
  /** True when this stack created the secret rather than adopting an existing one. */
  readonly created: boolean;
}

/**
 * One rotation function for every configured user: the secrets it may rotate, IAM on exactly
 * those secrets and users, and a rotation schedule per secret.
 */
export class CredentialRotation extends Construct {
  readonly handler: CacheAccessFunction;
  readonly secrets: readonly RotatedSecret[];

  constructor(scope: Construct, id: string, props: CredentialRotationProps) {
    super(scope, id);
    const { config } = props;
    const adopted = config.targets.map((target) => {
      const user = parseUserArn(target.userArn);
      const id = `Secret-${resourceKey(user)}`;
      const secret = target.secretArn
        ? secretsmanager.Secret.fromSecretCompleteArn(this, id, target.secretArn)
        : this.createSecret(id, user, target.username ?? user.id, config.passwordLength);
      return {
        rotated: { user, secret, created: target.secretArn === undefined },
        endpoint: target.endpoint,
      };
    });
    this.secrets = adopted.map(({ rotated }) => rotated);
    const targets: RotationTarget[] = adopted.map(({ rotated, endpoint }) => ({
      secretArn: rotated.secret.secretArn,
      userArn: rotated.user.arn,
      endpoint,
    }));
    this.handler = new CacheAccessFunction(this, 'Rotator', {
      handlerFolder: 'rotate',
      description: 'Rotates ElastiCache and MemoryDB user passwords for Secrets Manager',
      // AWS asks for at least 12 minutes for cache rotations: status changes and propagation are slow.
      timeout: Duration.minutes(15),
      placement: config.network && this.placement(config.network),
      environment: {
        [ENV.rotationTargets]: serializeTargets(targets),
        [ENV.passwordLength]: String(config.passwordLength),
      },
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
    const policy = this.grantRotation();
    for (const { user, secret } of this.secrets) {
      const schedule = new secretsmanager.CfnRotationSchedule(this, `Schedule-${resourceKey(user)}`, {
        secretId: secret.secretArn,
        rotationLambdaArn: fn.functionArn,
        rotationRules: { scheduleExpression: config.schedule, duration: config.window },
        rotateImmediatelyOnUpdate: true,
      });
      // The first rotation starts as soon as the schedule exists; the function must be callable and allowed by then.
      schedule.node.addDependency(permission, policy);
    }
  }

  private createSecret(
    id: string,
    user: CacheUserRef,
    username: string,
    length: number,
  ): secretsmanager.Secret {
    Annotations.of(this).addWarningV2(
      `cache-access-automation:created-secret:${resourceKey(user)}`,
      `The stack creates the secret of ${user.arn} and rotates it on deploy: the user's current passwords stop working then. Clients must read this secret; to keep a password clients already use, give the existing secret as secretArn instead.`,
    );
    return new secretsmanager.Secret(this, id, {
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

  private placement(network: NetworkConfig): FunctionPlacement {
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: network.vpcId,
      availabilityZones: network.availabilityZones,
      privateSubnetIds: network.subnetIds,
    });
    for (const subnet of vpc.privateSubnets) {
      Annotations.of(subnet).acknowledgeWarning(
        '@aws-cdk/aws-ec2:noSubnetRouteTableId',
        'The function only places network interfaces in these subnets; it never reads their route tables.',
      );
    }
    return {
      vpc,
      subnets: { subnets: vpc.privateSubnets },
      securityGroups: network.securityGroupIds.map((sgId, index) =>
        ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup${index}`, sgId, { mutable: false }),
      ),
    };
  }

  /** The rotation protocol's four secret actions and the two user actions, on exactly the configured resources. */
  private grantRotation(): iam.Policy {
    const arnsFor = (engine: CacheUserRef['engine']) =>
      this.secrets.filter(({ user }) => user.engine === engine).map(({ user }) => user.arn);
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
    const engines = [
      {
        engine: 'elasticache',
        sid: 'ChangeElastiCacheUserPasswords',
        actions: ['elasticache:DescribeUsers', 'elasticache:ModifyUser'],
      },
      {
        engine: 'memorydb',
        sid: 'ChangeMemoryDbUserPasswords',
        actions: ['memorydb:DescribeUsers', 'memorydb:UpdateUser'],
      },
    ] as const;
    for (const { engine, sid, actions } of engines) {
      const resources = arnsFor(engine);
      if (resources.length > 0)
        statements.push(new iam.PolicyStatement({ sid, actions: [...actions], resources }));
    }
    const policy = new iam.Policy(this, 'RotationPolicy', { statements });
    this.handler.role.attachInlinePolicy(policy);
    return policy;
  }
}

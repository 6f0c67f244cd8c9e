import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { resourceKey } from '#core/cache/refs';
import { durationMs } from '#core/requests/duration';
import type { MembershipConfig } from './config/membership';
import type { NetworkConfig, RotationConfig } from './config/rotation';
import type { CacheAccessConfig } from './config/schema';
import { InvalidConfigError } from './config/validate';
import { CacheAccessDashboard } from './constructs/cache-access-dashboard';
import { CacheMembership, type CacheMembershipProps } from './constructs/cache-membership';
import { CredentialRotation } from './constructs/credential-rotation';
import { FailureAlerts } from './constructs/failure-alerts';
import { OwnedCacheGroups } from './constructs/owned-cache-groups';
import type { CredentialRotationProps } from './constructs/rotation/props';
import { templateProblems } from './stack-limits';

/** The config-driven stack: one validated config, mapped onto the constructs. */
export interface CacheAccessStackProps extends StackProps {
  /** The validated configuration. */
  readonly config: CacheAccessConfig;
  /**
   * The instant one-time membership boundaries are compared with.
   * @default - the time of synthesis
   */
  readonly now?: Date;
}

/**
 * Everything one config asks for, in the account and region its users and groups live in: the config
 * mapped onto the constructs' props, nothing more.
 */
export class CacheAccessStack extends Stack {
  constructor(scope: Construct, id: string, props: CacheAccessStackProps) {
    super(scope, id, { ...props, env: props.env ?? envOf(props.config) });
    this.node.addValidation({ validate: () => templateProblems(this) });
    const { rotation: rotationConfig, membership: membershipConfig } = props.config;
    const rotation =
      rotationConfig && new CredentialRotation(this, 'Rotation', this.rotationProps(rotationConfig));
    const owned =
      membershipConfig && membershipConfig.groups.length > 0
        ? new OwnedCacheGroups(this, 'OwnedGroups', {
            groups: membershipConfig.groups.map(({ group, engine, removalPolicy }) => ({
              group,
              ...(engine && { serverEngine: engine }),
              removalPolicy: removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
            })),
          })
        : undefined;
    const membership =
      membershipConfig &&
      new CacheMembership(this, 'Membership', membershipProps(this, membershipConfig, props.now));
    // The first reconcile after a deploy must find the groups made.
    if (owned && membership) membership.node.addDependency(owned);

    const alerts = new FailureAlerts(this, 'Alerts', {
      functions: {
        ...rotation?.functions,
        ...(membership && { Membership: membership.handler.function }),
        ...(owned && { OwnedGroups: owned.handler.function }),
      },
      rotationFailures: rotation !== undefined,
      deadLetterQueues: membership && { Membership: membership.deadLetterQueue },
      redriveQueues: membership?.requestFailures && { Requests: membership.requestFailures },
    });

    if (props.config.dashboard !== false) {
      const requests = membershipConfig?.requests;
      const dashboard = new CacheAccessDashboard(this, 'Dashboard', {
        rotation: rotation !== undefined,
        membership: membership !== undefined,
        requests: requests !== undefined,
        ephemeralUsers: requests?.rules.some((rule) => rule.ephemeral) === true,
        ownedGroups: owned !== undefined,
        failureQueues: membership && {
          Membership: membership.deadLetterQueue,
          ...(membership.requestFailures && { Requests: membership.requestFailures }),
        },
        ...(membership?.requestQueue && { requestQueue: membership.requestQueue }),
        alarms: alerts.alarms,
      });
      new CfnOutput(this, 'DashboardUrl', {
        value: dashboard.url,
        description:
          'CloudWatch dashboard: rotation, membership and request health, failure queues and alarms',
      });
    }
    if (membership?.requestApi) {
      new CfnOutput(this, 'AccessApiUrl', {
        value: membership.requestApi.url,
        description:
          'The signed request API (IAM auth): npm run access -- request|approve|deny|revoke|pending',
      });
    }
    new CfnOutput(this, 'AlertTopicArn', {
      value: alerts.topic.topicArn,
      description: 'Subscribe to this topic to hear about failed rotations and membership changes',
    });
    for (const { user, secret, created } of rotation?.secrets ?? []) {
      if (created) {
        // In the stack that holds the secret: with nested stacks, its shard's. A parent holds at most
        // 200 outputs, and 1,000 created secrets would need 1,000.
        new CfnOutput(Stack.of(secret), `SecretArn-${resourceKey(user)}`, {
          value: secret.secretArn,
          description: `Secret holding the password of ${user.arn}`,
        });
      }
    }
    for (const { group, groupId } of owned?.groups.values() ?? []) {
      new CfnOutput(this, `OwnedGroupId-${resourceKey(group)}`, {
        value: groupId,
        description: `Id of ${group.arn}, created and owned by this stack, to attach to a cache`,
      });
    }
  }

  private rotationProps(config: RotationConfig): CredentialRotationProps {
    return {
      users: config.targets.map(({ user, secret, username, endpoint, kmsKey }) => ({
        user,
        secret:
          secret &&
          secretsmanager.Secret.fromSecretAttributes(this, `ExistingSecret-${resourceKey(user)}`, {
            secretCompleteArn: secret.arn,
            encryptionKey: kmsKey && kms.Key.fromKeyArn(this, `ExistingKey-${resourceKey(user)}`, kmsKey.arn),
          }),
        username,
        endpoint,
      })),
      schedule: events.Schedule.expression(config.schedule),
      window: config.window === undefined ? undefined : Duration.hours(Number.parseInt(config.window, 10)),
      passwordLength: config.passwordLength,
      nestedStacks: config.nestedStacks,
      ...(config.network && this.placement(config.network)),
    };
  }

  /** The VPC, subnets and security groups as given: nothing is looked up. */
  private placement(
    network: NetworkConfig,
  ): Pick<CredentialRotationProps, 'vpc' | 'vpcSubnets' | 'securityGroups'> {
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
      vpcSubnets: { subnets: vpc.privateSubnets },
      securityGroups: network.securityGroupIds.map((sgId, index) =>
        ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup${index}`, sgId, { mutable: false }),
      ),
    };
  }
}

function membershipProps(
  scope: Construct,
  config: MembershipConfig,
  now: Date | undefined,
): CacheMembershipProps {
  const { requests } = config;
  const notify = requests?.notify;
  return {
    grants: config.grants,
    requests: requests && {
      eventBusName: requests.eventBusName,
      maxDuration: durationOf(requests.maxDuration),
      ...(requests.operators.length > 0 && { operators: requests.operators }),
      ...(notify && {
        notify: notify.topicArn
          ? { topic: sns.Topic.fromTopicArn(scope, 'ChatTopic', notify.topicArn) }
          : { create: true as const },
      }),
      rules: requests.rules.map(({ name, group, users, maxDuration, ephemeral, ...approval }) => ({
        name,
        group,
        ...(users.length > 0 && { users }),
        maxDuration: durationOf(maxDuration),
        ...(ephemeral && { ephemeral }),
        ...(approval.requesters && { requesters: approval.requesters }),
        ...(approval.approvers.length > 0 && { approvers: approval.approvers }),
        approvals: approval.approvals,
        selfApproval: approval.selfApproval,
        pendingFor: durationOf(approval.pendingFor),
        via: approval.via,
      })),
    },
    reconcileEvery: scheduler.ScheduleExpression.expression(config.reconcileEvery),
    now,
    nestedStacks: config.nestedStacks,
  };
}

/** Read as the config check reads it: CDK's own `Duration.parse` knows no weeks, which the config allows. */
function durationOf(iso: string): Duration {
  const ms = durationMs(iso);
  if (typeof ms === 'string') throw new InvalidConfigError(`invalid duration ${iso}: ${ms}`);
  return Duration.millis(ms);
}

/** The validated config puts every user and group in one account and region; the stack deploys there. */
function envOf({ rotation, membership }: CacheAccessConfig) {
  const first =
    rotation?.targets[0]?.user ?? membership?.grants[0]?.group ?? membership?.requests?.rules[0]?.group;
  return { account: first?.account, region: first?.region };
}

import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { parseGroupArn, parseUserArn, resourceKey } from '../lambdas/shared/arn';
import type { CacheAccessConfig } from './config/schema';
import { CredentialRotation } from './constructs/credential-rotation';
import { FailureAlerts } from './constructs/failure-alerts';
import { ScheduledMembership } from './constructs/scheduled-membership';

export interface CacheAccessStackProps extends StackProps {
  /** The validated configuration. */
  readonly config: CacheAccessConfig;
  /**
   * The instant one-time membership boundaries are compared with.
   * @default - the time of synthesis
   */
  readonly now?: Date;
}

/** Everything one config asks for, in the account and region its users and groups live in. */
export class CacheAccessStack extends Stack {
  constructor(scope: Construct, id: string, props: CacheAccessStackProps) {
    super(scope, id, { ...props, env: props.env ?? envOf(props.config) });
    const { rotation: rotationConfig, membership: membershipConfig } = props.config;
    const rotation = rotationConfig && new CredentialRotation(this, 'Rotation', { config: rotationConfig });
    const membership =
      membershipConfig &&
      new ScheduledMembership(this, 'Membership', { config: membershipConfig, now: props.now });

    const alerts = new FailureAlerts(this, 'Alerts', {
      functions: {
        ...(rotation && { Rotation: rotation.handler.function }),
        ...(membership && { Membership: membership.handler.function }),
      },
      secretArns: rotation?.secrets.map(({ secret }) => secret.secretArn) ?? [],
      deadLetterQueues: membership ? { Membership: membership.deadLetterQueue } : {},
    });

    new CfnOutput(this, 'AlertTopicArn', {
      value: alerts.topic.topicArn,
      description: 'Subscribe to this topic to hear about failed rotations and membership changes',
    });
    for (const { user, secret, created } of rotation?.secrets ?? []) {
      if (created) {
        new CfnOutput(this, `SecretArn-${resourceKey(user)}`, {
          value: secret.secretArn,
          description: `Secret holding the password of ${user.arn}`,
        });
      }
    }
  }
}

/** The validated config puts every user and group in one account and region; the stack deploys there. */
function envOf(config: CacheAccessConfig) {
  const first = config.rotation?.targets[0]?.userArn;
  const ref = first ? parseUserArn(first) : parseGroupArn(config.membership?.grants[0]?.groupArn ?? '');
  return { account: ref.account, region: ref.region };
}

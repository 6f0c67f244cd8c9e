import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { parseUserArn, userKey } from '../lambdas/shared/arn';
import type { CacheAccessConfig } from './config/schema';
import { CredentialRotation } from './constructs/credential-rotation';
import { FailureAlerts } from './constructs/rotation-alerts';

export interface CacheAccessStackProps extends StackProps {
  /** The validated configuration. */
  readonly config: CacheAccessConfig;
}

/** Everything one config asks for, in the account and region its cache users live in. */
export class CacheAccessStack extends Stack {
  constructor(scope: Construct, id: string, props: CacheAccessStackProps) {
    super(scope, id, { ...props, env: props.env ?? envOf(props.config) });
    const rotation = new CredentialRotation(this, 'Rotation', { config: props.config.rotation });
    const alerts = new FailureAlerts(this, 'Alerts', {
      functions: [rotation.handler.function],
      secretArns: rotation.secrets.map(({ secret }) => secret.secretArn),
    });

    new CfnOutput(this, 'AlertTopicArn', {
      value: alerts.topic.topicArn,
      description: 'Subscribe to this topic to hear about failed rotations',
    });
    for (const { user, secret, created } of rotation.secrets) {
      if (created) {
        new CfnOutput(this, `SecretArn-${userKey(user)}`, {
          value: secret.secretArn,
          description: `Secret holding the password of ${user.arn}`,
        });
      }
    }
  }
}

/** The validated config puts every user in one account and region; the stack deploys there. */
function envOf(config: CacheAccessConfig) {
  const [first] = config.rotation.targets;
  if (!first) return undefined;
  const { account, region } = parseUserArn(first.userArn);
  return { account, region };
}

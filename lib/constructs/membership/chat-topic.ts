import { CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/**
 * Where chat hears about requests (`requests.notify`): a topic you have, already mapped to a Slack or
 * Teams channel configuration of Amazon Q Developer in chat applications, or one the stack creates
 * for you to map.
 */
export type ChatNotifyProps = { readonly topic: sns.ITopic } | { readonly create: true };

/** The topic the membership function publishes chat notifications to, and the rights that takes. */
export interface ChatTopic {
  readonly topic: sns.ITopic;
  readonly statements: iam.PolicyStatement[];
}

/**
 * A created topic is encrypted with a key of its own, as the alert topic is, and refuses anything but
 * TLS; the function may publish to exactly this topic and use the key only through SNS. A given topic
 * is published to as it is: when its key is a customer managed one, that key's policy must let the
 * function's role use it.
 */
export function chatTopic(scope: Construct, notify: ChatNotifyProps): ChatTopic {
  if ('topic' in notify) return { topic: notify.topic, statements: [publishTo(notify.topic)] };
  const key = new kms.Key(scope, 'ChatTopicKey', {
    description: 'Encrypts cache access request notifications for chat',
    enableKeyRotation: true,
  });
  const topic = new sns.Topic(scope, 'ChatTopic', {
    displayName: 'cache access requests',
    masterKey: key,
    enforceSSL: true,
  });
  new CfnOutput(scope, 'ChatTopicArn', {
    value: topic.topicArn,
    description: 'Map this topic to a Slack or Teams channel in Amazon Q Developer in chat applications',
  });
  return {
    topic,
    statements: [
      publishTo(topic),
      new iam.PolicyStatement({
        sid: 'EncryptChatNotifications',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(scope).region}.amazonaws.com` } },
      }),
    ],
  };
}

function publishTo(topic: sns.ITopic): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'NotifyChat',
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
  });
}

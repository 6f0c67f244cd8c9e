import type { ServiceModule } from '../dispatch';
import { requiredString } from '../wire/input';
import { PENDING_CONFIRMATION, type TopicStore } from './store';

/**
 * SNS over awsQuery: topics, subscriptions and their confirmation, and Publish (the message is kept for
 * the test, never in the call log). ListSubscriptionsByTopic answers in one
 * page; AWS pages by 100, more than an alert topic has.
 */
export function sns(topics: TopicStore): ServiceModule {
  return {
    service: 'sns',
    faults: [
      { shape: 'NotFoundException', queryCode: 'NotFound', status: 404 },
      { shape: 'InvalidParameterException', queryCode: 'InvalidParameter', status: 400 },
    ],
    // An endpoint is an address to deliver to; the confirmation token is what proves ownership of it.
    safeParams: ['Name', 'TopicArn', 'Protocol', 'Endpoint'],
    operations: {
      CreateTopic: (input, { region }) => ({
        TopicArn: topics.create(requiredString(input, 'Name'), region),
      }),
      Subscribe: (input) => {
        const subscription = topics.subscribe(
          requiredString(input, 'TopicArn'),
          requiredString(input, 'Protocol'),
          requiredString(input, 'Endpoint'),
        );
        const showArn = subscription.confirmed || input.boolean('ReturnSubscriptionArn') === true;
        return { SubscriptionArn: showArn ? subscription.arn : 'pending confirmation' };
      },
      ConfirmSubscription: (input) => ({
        SubscriptionArn: topics.confirm(requiredString(input, 'TopicArn'), requiredString(input, 'Token')),
      }),
      Publish: (input) => ({
        MessageId: topics.publish(
          requiredString(input, 'TopicArn'),
          // An empty message is SNS's own InvalidParameter, not a missing one.
          input.string('Message') ?? '',
          input.string('Subject'),
        ),
      }),
      ListSubscriptionsByTopic: (input) => {
        const topicArn = requiredString(input, 'TopicArn');
        return {
          Subscriptions: topics.subscriptionsOf(topicArn).map((subscription) => ({
            SubscriptionArn: subscription.confirmed ? subscription.arn : PENDING_CONFIRMATION,
            Owner: subscription.arn.split(':')[4],
            Protocol: subscription.protocol,
            Endpoint: subscription.endpoint,
            TopicArn: topicArn,
          })),
        };
      },
    },
  };
}

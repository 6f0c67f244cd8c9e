import { randomBytes, randomUUID } from 'node:crypto';
import { ACCOUNT } from '../account';
import { ServiceError } from '../wire/errors';

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const PROTOCOLS = ['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose'];
// SNS sends these endpoints a confirmation message; the subscription waits until the token comes back.
const CONFIRMED_BY_ENDPOINT = new Set(['http', 'https', 'email', 'email-json']);
/** What SNS lists as the ARN of a subscription still waiting for its confirmation. */
export const PENDING_CONFIRMATION = 'PendingConfirmation';

interface Subscription {
  readonly arn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly token: string;
  confirmed: boolean;
}

interface Topic {
  readonly arn: string;
  readonly subscriptions: Subscription[];
  /** The customer managed key the topic is encrypted with (`KmsMasterKeyId`), if any. */
  kmsKeyArn?: string;
  readonly published: PublishedMessage[];
}

/** One message the topic accepted, as its subscribers would receive it. */
export interface PublishedMessage {
  readonly messageId: string;
  readonly message: string;
  readonly subject?: string;
  readonly at: Date;
}

// SNS refuses a message over 256 KB.
const MAX_MESSAGE_BYTES = 262_144;

/** The controls tests get for SNS: what only the subscriber's endpoint would see. */
export interface TopicsHarness {
  /** The token SNS sent `endpoint` to confirm its subscription to the topic, for ConfirmSubscription. */
  confirmationToken(topicArn: string, endpoint: string): string | undefined;
  /**
   * Makes a topic as CloudFormation would (idempotent by name), optionally encrypted with a customer
   * managed key, whose use a publisher then needs. Returns its ARN.
   */
  create(name: string, region: string, options?: { readonly kmsKeyArn?: string }): string;
  /** What Publish delivered to the topic, oldest first. */
  published(topicArn: string): readonly PublishedMessage[];
}

/** Topics and their subscriptions, confirmed or waiting, as SNS keeps them. */
export class TopicStore implements TopicsHarness {
  private readonly topics = new Map<string, Topic>();

  confirmationToken(topicArn: string, endpoint: string): string | undefined {
    return this.topics.get(topicArn)?.subscriptions.find((s) => s.endpoint === endpoint)?.token;
  }

  /** CreateTopic is idempotent: the same name gives the same topic. */
  create(name: string, region: string, options: { readonly kmsKeyArn?: string } = {}): string {
    if (!TOPIC_NAME.test(name)) {
      throw new ServiceError(
        'InvalidParameterException',
        'Invalid parameter: Topic Name must be made of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.',
      );
    }
    const arn = `arn:aws:sns:${region}:${ACCOUNT}:${name}`;
    if (!this.topics.has(arn)) this.topics.set(arn, { arn, subscriptions: [], published: [] });
    if (options.kmsKeyArn !== undefined) this.find(arn).kmsKeyArn = options.kmsKeyArn;
    return arn;
  }

  publish(topicArn: string, message: string, subject: string | undefined): string {
    const topic = this.find(topicArn);
    if (message === '') {
      throw new ServiceError('InvalidParameterException', 'Invalid parameter: Empty message');
    }
    if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES) {
      throw new ServiceError('InvalidParameterException', 'Invalid parameter: Message too long');
    }
    const messageId = randomUUID();
    topic.published.push({ messageId, message, ...(subject !== undefined && { subject }), at: new Date() });
    return messageId;
  }

  published(topicArn: string): readonly PublishedMessage[] {
    return this.topics.get(topicArn)?.published ?? [];
  }

  /** The key a topic is encrypted with, if it exists and has one. */
  keyOf(topicArn: string): string | undefined {
    return this.topics.get(topicArn)?.kmsKeyArn;
  }

  /** Subscribe: endpoints that must confirm are listed as pending until they do; others are confirmed at once. */
  subscribe(topicArn: string, protocol: string, endpoint: string): Subscription {
    const topic = this.find(topicArn);
    if (!PROTOCOLS.includes(protocol)) {
      throw new ServiceError(
        'InvalidParameterException',
        `Invalid parameter: Invalid protocol type: ${protocol}`,
      );
    }
    const existing = topic.subscriptions.find((s) => s.protocol === protocol && s.endpoint === endpoint);
    if (existing) return existing;
    const subscription = {
      arn: `${topicArn}:${randomUUID()}`,
      protocol,
      endpoint,
      token: randomBytes(32).toString('hex'),
      confirmed: !CONFIRMED_BY_ENDPOINT.has(protocol),
    };
    topic.subscriptions.push(subscription);
    return subscription;
  }

  confirm(topicArn: string, token: string): string {
    const subscription = this.find(topicArn).subscriptions.find((s) => s.token === token);
    if (subscription === undefined) {
      throw new ServiceError('InvalidParameterException', 'Invalid parameter: Token');
    }
    subscription.confirmed = true;
    return subscription.arn;
  }

  subscriptionsOf(topicArn: string): readonly Subscription[] {
    return this.find(topicArn).subscriptions;
  }

  private find(topicArn: string): Topic {
    const topic = this.topics.get(topicArn);
    if (topic === undefined) throw new ServiceError('NotFoundException', 'Topic does not exist');
    return topic;
  }
}

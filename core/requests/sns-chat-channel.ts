import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { ChatChannel } from './chat-announcer';
import type { ChatNotification } from './chat-message';

/** Posts to chat through the SNS topic a chat channel configuration of Amazon Q Developer subscribes to. */
export class SnsChatChannel implements ChatChannel {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async post(notification: ChatNotification): Promise<void> {
    await this.client.send(
      new PublishCommand({ TopicArn: this.topicArn, Message: JSON.stringify(notification) }),
    );
  }
}

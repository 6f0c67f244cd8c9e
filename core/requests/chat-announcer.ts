import type { BusEvent } from '#core/membership/bus-event';
import type { DecisionLog } from '#core/runtime/decision-log';
import { type ChatNotification, chatMessage } from './chat-message';

/** Where chat notifications go: an SNS topic a chat channel is mapped to. */
export interface ChatChannel {
  post(notification: ChatNotification): Promise<void>;
}

type Publish = (events: readonly BusEvent[]) => Promise<void>;

/**
 * Publishing that also tells chat: every event goes to the bus first (the record other systems act
 * on), then each one chat hears about (pending, approved, denied, expired, granted, ended) is posted.
 * Chat is told at most once per published event and never holds the bus back: a failed post is
 * logged, not retried, because a retry of the run would publish the bus events again.
 */
export function announcingToChat(publish: Publish, chat: ChatChannel, log: DecisionLog): Publish {
  return async (events) => {
    await publish(events);
    for (const event of events) {
      const notification = chatMessage(event);
      if (notification === undefined) continue;
      try {
        await chat.post(notification);
      } catch (error) {
        log('chat notification not delivered', {
          eventType: event.detailType,
          threadId: notification.metadata.threadId,
          reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
      }
    }
  };
}

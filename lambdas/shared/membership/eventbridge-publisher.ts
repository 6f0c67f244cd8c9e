import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EventPublishError } from '../errors';
import type { ChangePublisher, MembershipChange } from './ports';

export const EVENT_SOURCE = 'cache-access-automation';
const MEMBERSHIP_CHANGED = 'Cache Membership Changed';

/** Publishes each applied change so other systems (chat, SIEM, tickets) can react. */
export class EventBridgePublisher implements ChangePublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(change: MembershipChange): Promise<void> {
    const { FailedEntryCount = 0, Entries = [] } = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: EVENT_SOURCE,
            DetailType: MEMBERSHIP_CHANGED,
            Detail: JSON.stringify(change),
            EventBusName: this.eventBusName,
            Resources: [change.groupArn],
            Time: new Date(change.evaluatedAt),
          },
        ],
      }),
    );
    if (FailedEntryCount > 0) {
      const entry = Entries.find((e) => e.ErrorCode);
      throw new EventPublishError(
        `event bus ${this.eventBusName} refused the change event for ${change.groupArn}: ${entry?.ErrorCode} ${entry?.ErrorMessage ?? ''}`.trim(),
      );
    }
  }
}

import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { EventPublishError } from '#core/runtime/errors';
import { type BusEvent, EVENT_SOURCE } from './bus-event';
import type { ChangePublisher, MembershipChange } from './ports';

const MEMBERSHIP_CHANGED = 'Cache Membership Changed';
/** PutEvents takes at most ten entries per call. */
const ENTRIES_PER_CALL = 10;

/** Publishes what the functions did, so other systems (chat, SIEM, tickets) can react. */
export class EventBridgePublisher implements ChangePublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  publish(changes: readonly MembershipChange[]): Promise<void> {
    return this.put(
      changes.map((change) => ({
        detailType: MEMBERSHIP_CHANGED,
        detail: change,
        resources: [change.groupArn],
        time: new Date(change.evaluatedAt),
      })),
    );
  }

  /** Puts every event, ten to a call; fails naming every entry the bus refused. */
  async put(events: readonly BusEvent[]): Promise<void> {
    const refused: string[] = [];
    for (let start = 0; start < events.length; start += ENTRIES_PER_CALL) {
      const batch = events.slice(start, start + ENTRIES_PER_CALL);
      const entries: PutEventsRequestEntry[] = batch.map((event) => ({
        Source: EVENT_SOURCE,
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
        EventBusName: this.eventBusName,
        Resources: [...event.resources],
        Time: event.time,
      }));
      const { FailedEntryCount = 0, Entries = [] } = await this.client.send(
        new PutEventsCommand({ Entries: entries }),
      );
      if (FailedEntryCount === 0) continue;
      Entries.forEach((entry, index) => {
        const event = batch[index];
        if (entry.ErrorCode && event) {
          refused.push(
            `${event.detailType} for ${event.resources.join(', ')}: ${entry.ErrorCode} ${entry.ErrorMessage ?? ''}`.trim(),
          );
        }
      });
    }
    if (refused.length > 0) {
      throw new EventPublishError(
        `event bus ${this.eventBusName} refused ${refused.length} event(s): ${refused.join('; ')}`,
      );
    }
  }
}

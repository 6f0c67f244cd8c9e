import type { AccessTable } from './dynamodb-table';
import type { LaneRecords } from './request-lane';

const LANE = { pk: 'LANE', sk: 'requests' } as const;

/** The request lane as one item of the access table. */
export class DynamoDbLane implements LaneRecords {
  constructor(private readonly table: AccessTable) {}

  take(holder: string, { nowMs, untilMs }: { readonly nowMs: number; readonly untilMs: number }) {
    return this.table.updateIf({
      Key: LANE,
      UpdateExpression: 'SET holder = :holder, heldUntil = :until',
      ConditionExpression: 'attribute_not_exists(sk) OR holder = :holder OR heldUntil < :now',
      ExpressionAttributeValues: { ':holder': holder, ':until': untilMs, ':now': nowMs },
    });
  }

  async release(holder: string): Promise<void> {
    await this.table.updateIf({
      Key: LANE,
      UpdateExpression: 'SET heldUntil = :free',
      ConditionExpression: 'holder = :holder',
      ExpressionAttributeValues: { ':holder': holder, ':free': 0 },
    });
  }
}

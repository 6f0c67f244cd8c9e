import type { AccessTable } from './dynamodb-table';
import type { EphemeralSlots } from './store';

/**
 * One item per rule with ephemeral users: `holders` maps the requests holding its slots to when each
 * took one. The key keeps the name slots had when tables were first deployed, so those tables still work.
 */
const SLOTS = 'EPHEMERAL_PLACES';

export class DynamoDbSlots implements EphemeralSlots {
  constructor(private readonly table: AccessTable) {}

  async claimSlot(rule: string, requestId: string, max: number, atMs: number): Promise<boolean> {
    const key = { pk: SLOTS, sk: rule };
    // The map must exist before a path inside it can be set.
    await this.table.update({
      Key: key,
      UpdateExpression: 'SET holders = if_not_exists(holders, :none)',
      ExpressionAttributeValues: { ':none': {} },
    });
    return this.table.updateIf({
      Key: key,
      UpdateExpression: 'SET holders.#request = if_not_exists(holders.#request, :at)',
      ConditionExpression: 'attribute_exists(holders.#request) OR size(holders) < :max',
      ExpressionAttributeNames: { '#request': requestId },
      ExpressionAttributeValues: { ':at': atMs, ':max': max },
    });
  }

  async releaseSlot(rule: string, requestId: string): Promise<void> {
    // A rule no slot was ever taken under fails the condition: nothing to give back.
    await this.table.updateIf({
      Key: { pk: SLOTS, sk: rule },
      UpdateExpression: 'REMOVE holders.#request',
      ConditionExpression: 'attribute_exists(holders)',
      ExpressionAttributeNames: { '#request': requestId },
    });
  }

  async slots(): Promise<ReadonlyMap<string, ReadonlyMap<string, number>>> {
    const items = await this.table.all(SLOTS);
    return new Map(
      items.map((item) => [
        item.sk as string,
        new Map(Object.entries((item.holders as Record<string, number> | undefined) ?? {})),
      ]),
    );
  }
}

import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '#core/runtime/aws-errors';

/** How long an ended grant or a settled suspension stays readable before DynamoDB's TTL removes it. */
const RETAIN_MS = 90 * 86_400_000;

/**
 * The access table, as each kind of record uses it. One partition per kind of record (grants,
 * suspensions, managed sets, ephemeral slots), read with strongly consistent queries: a revocation
 * written a moment ago must be seen by the reconcile that follows it, which an index (eventually
 * consistent) would not promise. Records that still matter carry `active`.
 */
export class AccessTable {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly name: string,
    private readonly now: () => number,
  ) {}

  /** One item, strongly consistent. */
  async get(key: Key): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.name, Key: key, ConsistentRead: true }),
    );
    return Item;
  }

  async put(input: InTable<PutCommandInput>): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.name, ...input }));
  }

  async update(input: InTable<UpdateCommandInput>): Promise<Record<string, unknown> | undefined> {
    const { Attributes } = await this.db.send(new UpdateCommand({ TableName: this.name, ...input }));
    return Attributes;
  }

  /** A conditional put; false when its condition did not hold, so nothing was written. */
  putIf(input: InTable<PutCommandInput>): Promise<boolean> {
    return unlessConditionFails(this.put(input));
  }

  /** A conditional update; false when its condition did not hold, so nothing was written. */
  updateIf(input: InTable<UpdateCommandInput>): Promise<boolean> {
    return unlessConditionFails(this.update(input));
  }

  async activeIn(kind: string): Promise<Record<string, unknown>[]> {
    return (await this.all(kind)).filter((item) => item.active === true);
  }

  /** Every record of one kind, every page, strongly consistent. */
  async all(kind: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.name,
          KeyConditionExpression: 'pk = :kind',
          ExpressionAttributeValues: { ':kind': kind },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** When a record that no longer matters is removed: DynamoDB's TTL takes epoch seconds. */
  retireAt(): number {
    return Math.floor((this.now() + RETAIN_MS) / 1000);
  }
}

type Key = { readonly pk: string; readonly sk: string };
type InTable<Input> = Omit<Input, 'TableName'>;

async function unlessConditionFails(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export const isConditionFailure = (error: unknown) => isAwsError(error, 'ConditionalCheckFailedException');

/** A stored item as its record: without its keys and bookkeeping, absent optional fields absent. */
export function recordOf(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, active: _active, retireAt: _retireAt, ...record } = item;
  // DynamoDB stores an absent optional field as null; the records have it absent.
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null));
}

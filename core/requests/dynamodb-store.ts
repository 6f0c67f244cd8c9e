import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '#core/runtime/aws-errors';
import type { RequestedGrant, Suspension } from './records';
import type { AccessStore, GrantEnd } from './store';

/** How long an ended grant or a settled suspension stays readable before DynamoDB's TTL removes it. */
const RETAIN_MS = 90 * 86_400_000;

/**
 * One partition per kind of record (grants, suspensions, managed sets), read with strongly consistent
 * queries: a revocation written a moment ago must be seen by the reconcile that follows it, which an
 * index (eventually consistent) would not promise. Records that still matter carry `active`.
 */
const GRANTS = 'GRANT';
const SUSPENSIONS = 'SUSPENSION';
const MANAGED = 'MANAGED';
/** One item per rule with ephemeral users: the requests holding its places, request id → when taken. */
const PLACES = 'EPHEMERAL_PLACES';

export class DynamoDbAccessStore implements AccessStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async recordGrant(grant: RequestedGrant) {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: GRANTS, sk: grant.requestId, active: true, ...grant },
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
      return { created: true } as const;
    } catch (error) {
      if (!isAwsError(error, 'ConditionalCheckFailedException')) throw error;
      const existing = await this.grant(grant.requestId);
      if (!existing) throw error;
      return { created: false, existing } as const;
    }
  }

  async grant(requestId: string): Promise<RequestedGrant | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: GRANTS, sk: requestId }, ConsistentRead: true }),
    );
    return Item && grantOf(Item);
  }

  async activeGrants(): Promise<RequestedGrant[]> {
    return (await this.activeIn(GRANTS)).map(grantOf);
  }

  async endGrant(requestId: string, end: GrantEnd): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: GRANTS, sk: requestId },
          UpdateExpression:
            'SET #status = :status, endedAt = :endedAt, endedBy = :endedBy, endReason = :endReason',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': end.status,
            ':endedAt': end.endedAt,
            ':endedBy': end.endedBy ?? null,
            ':endReason': end.endReason ?? null,
            ':open': 'open',
          },
        }),
      );
      return true;
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) return false;
      throw error;
    }
  }

  async markPublished(requestId: string, which: 'granted' | 'ended'): Promise<void> {
    const update =
      which === 'granted'
        ? { UpdateExpression: 'SET grantedPublished = :yes', ExpressionAttributeValues: { ':yes': true } }
        : {
            UpdateExpression: 'SET endPublished = :yes, retireAt = :retireAt REMOVE active',
            ExpressionAttributeValues: { ':yes': true, ':retireAt': this.retireAt() },
          };
    await this.db.send(
      new UpdateCommand({ TableName: this.tableName, Key: { pk: GRANTS, sk: requestId }, ...update }),
    );
  }

  async noteEphemeral(
    requestId: string,
    progress: { readonly secretArn: string } | { readonly retired: true },
  ): Promise<void> {
    const [field, value] = 'secretArn' in progress ? ['secretArn', progress.secretArn] : ['retired', true];
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: GRANTS, sk: requestId },
        UpdateExpression: 'SET ephemeral.#field = :value',
        ConditionExpression: 'attribute_exists(ephemeral)',
        ExpressionAttributeNames: { '#field': field },
        ExpressionAttributeValues: { ':value': value },
      }),
    );
  }

  async claimPlace(rule: string, requestId: string, max: number, atMs: number): Promise<boolean> {
    const key = { pk: PLACES, sk: rule };
    // The map must exist before a path inside it can be set.
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET holders = if_not_exists(holders, :none)',
        ExpressionAttributeValues: { ':none': {} },
      }),
    );
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET holders.#request = if_not_exists(holders.#request, :at)',
          ConditionExpression: 'attribute_exists(holders.#request) OR size(holders) < :max',
          ExpressionAttributeNames: { '#request': requestId },
          ExpressionAttributeValues: { ':at': atMs, ':max': max },
        }),
      );
      return true;
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) return false;
      throw error;
    }
  }

  async releasePlace(rule: string, requestId: string): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: PLACES, sk: rule },
          UpdateExpression: 'REMOVE holders.#request',
          ConditionExpression: 'attribute_exists(holders)',
          ExpressionAttributeNames: { '#request': requestId },
        }),
      )
      .catch((error: unknown) => {
        // No place was ever taken under this rule: nothing to give back.
        if (!isAwsError(error, 'ConditionalCheckFailedException')) throw error;
      });
  }

  async places(): Promise<ReadonlyMap<string, ReadonlyMap<string, number>>> {
    const items = await this.all(PLACES);
    return new Map(
      items.map((item) => [
        item.sk as string,
        new Map(Object.entries((item.holders as Record<string, number> | undefined) ?? {})),
      ]),
    );
  }

  async activeSuspensions(): Promise<Suspension[]> {
    return (await this.activeIn(SUSPENSIONS)).map(suspensionOf);
  }

  async suspension(user: string): Promise<Suspension | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: SUSPENSIONS, sk: user }, ConsistentRead: true }),
    );
    return Item && suspensionOf(Item);
  }

  async suspend(suspension: Suspension): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: SUSPENSIONS,
            sk: suspension.user,
            active: true,
            ...suspension,
            owed: toSet(suspension.owed),
          },
          // A user may be suspended again once reinstated; never twice at once.
          ConditionExpression: 'attribute_not_exists(sk) OR #status = :reinstated',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':reinstated': 'reinstated' },
        }),
      );
      return true;
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) return false;
      throw error;
    }
  }

  async reinstate(
    user: string,
    by: { readonly reinstatedBy: string; readonly reason: string; readonly at: string },
  ): Promise<Suspension | undefined> {
    const current = await this.suspension(user);
    if (current?.status !== 'suspended') return undefined;
    const owed = current.removedFrom;
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: SUSPENSIONS, sk: user },
          UpdateExpression: `SET #status = :reinstated, reinstatedAt = :at, reinstatedBy = :by, reinstateReason = :reason${owed.length > 0 ? ', owed = :owed' : ''}`,
          ConditionExpression: '#status = :suspended',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':reinstated': 'reinstated',
            ':suspended': 'suspended',
            ':at': by.at,
            ':by': by.reinstatedBy,
            ':reason': by.reason,
            ...(owed.length > 0 && { ':owed': new Set(owed) }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const suspension = Attributes && suspensionOf(Attributes);
      if (suspension && suspension.owed.length === 0) await this.retireSuspension(user);
      return suspension;
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) return undefined;
      throw error;
    }
  }

  async settleRestore(user: string, groupArn: string): Promise<void> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: SUSPENSIONS, sk: user },
        UpdateExpression: 'DELETE owed :group',
        ExpressionAttributeValues: { ':group': new Set([groupArn]) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (Attributes?.status === 'reinstated' && !(Attributes.owed as Set<string> | undefined)?.size) {
      await this.retireSuspension(user);
    }
  }

  async managedUsers(): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
    const items = await this.all(MANAGED);
    return new Map(
      items.map((item) => [item.sk as string, new Set((item.users as Set<string> | undefined) ?? [])]),
    );
  }

  async addManaged(groupArn: string, users: readonly string[]): Promise<void> {
    if (users.length === 0) return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: MANAGED, sk: groupArn },
        UpdateExpression: 'ADD #users :users',
        ExpressionAttributeNames: { '#users': 'users' },
        ExpressionAttributeValues: { ':users': new Set(users) },
      }),
    );
  }

  async removeManaged(groupArn: string, users: readonly string[]): Promise<void> {
    if (users.length === 0) return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: MANAGED, sk: groupArn },
        UpdateExpression: 'DELETE #users :users',
        ExpressionAttributeNames: { '#users': 'users' },
        ExpressionAttributeValues: { ':users': new Set(users) },
      }),
    );
  }

  private async retireSuspension(user: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: SUSPENSIONS, sk: user },
        UpdateExpression: 'SET retireAt = :retireAt REMOVE active',
        ConditionExpression: '#status = :reinstated',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':retireAt': this.retireAt(), ':reinstated': 'reinstated' },
      }),
    );
  }

  private async activeIn(kind: string): Promise<Record<string, unknown>[]> {
    return (await this.all(kind)).filter((item) => item.active === true);
  }

  /** Every record of one kind, every page, strongly consistent. */
  private async all(kind: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
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

  /** DynamoDB's TTL takes epoch seconds. */
  private retireAt(): number {
    return Math.floor((this.now() + RETAIN_MS) / 1000);
  }
}

const toSet = (values: readonly string[]) => (values.length > 0 ? new Set(values) : undefined);

function grantOf(item: Record<string, unknown>): RequestedGrant {
  const { pk: _pk, sk: _sk, active: _active, retireAt: _retireAt, ...grant } = item;
  return withoutNulls(grant) as unknown as RequestedGrant;
}

function suspensionOf(item: Record<string, unknown>): Suspension {
  const { pk: _pk, sk: _sk, active: _active, retireAt: _retireAt, owed, ...suspension } = item;
  return {
    ...(withoutNulls(suspension) as unknown as Suspension),
    owed: [...((owed as Set<string> | undefined) ?? [])].sort(),
  };
}

/** DynamoDB stores an absent optional field as null; the records have it absent. */
function withoutNulls(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null));
}

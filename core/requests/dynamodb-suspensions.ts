import { type AccessTable, isConditionFailure, recordOf } from './dynamodb-table';
import type { Suspension } from './records';
import type { SuspensionRecords } from './store';

const SUSPENSIONS = 'SUSPENSION';

/** One item per user ever suspended; `active` while suspended or while its reinstatement owes a group. */
export class DynamoDbSuspensions implements SuspensionRecords {
  constructor(private readonly table: AccessTable) {}

  async activeSuspensions(): Promise<Suspension[]> {
    return (await this.table.activeIn(SUSPENSIONS)).map(suspensionOf);
  }

  async suspension(user: string): Promise<Suspension | undefined> {
    const item = await this.table.get({ pk: SUSPENSIONS, sk: user });
    return item && suspensionOf(item);
  }

  async suspend(suspension: Suspension): Promise<boolean> {
    return this.table.putIf({
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
    });
  }

  async reinstate(
    user: string,
    by: { readonly reinstatedBy: string; readonly reason: string; readonly at: string },
  ): Promise<Suspension | undefined> {
    const current = await this.suspension(user);
    if (current?.status !== 'suspended') return undefined;
    const owed = current.removedFrom;
    try {
      const updated = await this.table.update({
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
      });
      const suspension = updated && suspensionOf(updated);
      if (suspension && suspension.owed.length === 0) await this.retireSuspension(user);
      return suspension;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async settleRestore(user: string, groupArn: string): Promise<void> {
    const updated = await this.table.update({
      Key: { pk: SUSPENSIONS, sk: user },
      UpdateExpression: 'DELETE owed :group',
      ExpressionAttributeValues: { ':group': new Set([groupArn]) },
      ReturnValues: 'ALL_NEW',
    });
    if (updated?.status === 'reinstated' && !(updated.owed as Set<string> | undefined)?.size) {
      await this.retireSuspension(user);
    }
  }

  private async retireSuspension(user: string): Promise<void> {
    await this.table.update({
      Key: { pk: SUSPENSIONS, sk: user },
      UpdateExpression: 'SET retireAt = :retireAt REMOVE active',
      ConditionExpression: '#status = :reinstated',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':retireAt': this.table.retireAt(), ':reinstated': 'reinstated' },
    });
  }
}

/** DynamoDB keeps `owed` as a string set, which may not be empty: an empty one is left out. */
const toSet = (values: readonly string[]) => (values.length > 0 ? new Set(values) : undefined);

function suspensionOf(item: Record<string, unknown>): Suspension {
  const { owed, ...suspension } = recordOf(item);
  return {
    ...(suspension as unknown as Suspension),
    owed: [...((owed as Set<string> | undefined) ?? [])].sort(),
  };
}

import type { AccessTable } from './dynamodb-table';
import type { ManagedUserRecords } from './store';

const MANAGED = 'MANAGED';

/** One item per group: the string set of users the stack has put there. */
export class DynamoDbManagedUsers implements ManagedUserRecords {
  constructor(private readonly table: AccessTable) {}

  async managedUsers(): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
    const items = await this.table.all(MANAGED);
    return new Map(
      items.map((item) => [item.sk as string, new Set((item.users as Set<string> | undefined) ?? [])]),
    );
  }

  async addManaged(groupArn: string, users: readonly string[]): Promise<void> {
    await this.change(groupArn, 'ADD', users);
  }

  async removeManaged(groupArn: string, users: readonly string[]): Promise<void> {
    await this.change(groupArn, 'DELETE', users);
  }

  private async change(groupArn: string, action: 'ADD' | 'DELETE', users: readonly string[]): Promise<void> {
    if (users.length === 0) return;
    await this.table.update({
      Key: { pk: MANAGED, sk: groupArn },
      UpdateExpression: `${action} #users :users`,
      ExpressionAttributeNames: { '#users': 'users' },
      ExpressionAttributeValues: { ':users': new Set(users) },
    });
  }
}

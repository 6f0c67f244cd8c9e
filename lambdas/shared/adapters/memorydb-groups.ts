import { DescribeACLsCommand, type MemoryDBClient, UpdateACLCommand } from '@aws-sdk/client-memorydb';
import type { CacheGroupRef } from '../arn';
import { GroupNotFoundError } from '../errors';
import type { MembershipDiff } from '../membership/desired';
import type { GroupDirectory, GroupState } from '../membership/ports';
import { groupFault } from './faults';

export class MemoryDbAcls implements GroupDirectory {
  constructor(private readonly clientFor: (region: string) => MemoryDBClient) {}

  async describe(group: CacheGroupRef): Promise<GroupState | undefined> {
    try {
      const { ACLs = [] } = await this.clientFor(group.region).send(
        new DescribeACLsCommand({ ACLName: group.id }),
      );
      const found = ACLs.find((acl) => acl.Name === group.id);
      return found && { status: found.Status ?? 'unknown', members: found.UserNames ?? [] };
    } catch (error) {
      const fault = groupFault(error, group);
      if (fault instanceof GroupNotFoundError) return undefined;
      throw fault;
    }
  }

  async modify(group: CacheGroupRef, diff: MembershipDiff): Promise<void> {
    try {
      await this.clientFor(group.region).send(
        new UpdateACLCommand({
          ACLName: group.id,
          UserNamesToAdd: diff.add.length > 0 ? [...diff.add] : undefined,
          UserNamesToRemove: diff.remove.length > 0 ? [...diff.remove] : undefined,
        }),
      );
    } catch (error) {
      throw groupFault(error, group);
    }
  }
}

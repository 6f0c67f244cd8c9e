import { DescribeACLsCommand, type MemoryDBClient, UpdateACLCommand } from '@aws-sdk/client-memorydb';
import type { CacheGroupRef } from '../arn';
import type { MembershipDiff } from '../membership/desired';
import type { GroupDirectory, GroupState } from '../membership/ports';
import { groupFault, readOrAbsent, withFaults } from './faults';

export class MemoryDbAcls implements GroupDirectory {
  constructor(private readonly clientFor: (region: string) => MemoryDBClient) {}

  describe(group: CacheGroupRef): Promise<GroupState | undefined> {
    return readOrAbsent(
      async () => {
        const { ACLs = [] } = await this.clientFor(group.region).send(
          new DescribeACLsCommand({ ACLName: group.id }),
        );
        const found = ACLs.find((acl) => acl.Name === group.id);
        return found && { status: found.Status ?? 'unknown', members: found.UserNames ?? [] };
      },
      (error) => groupFault(error, group),
    );
  }

  async modify(group: CacheGroupRef, diff: MembershipDiff): Promise<void> {
    const command = new UpdateACLCommand({
      ACLName: group.id,
      UserNamesToAdd: diff.add.length > 0 ? [...diff.add] : undefined,
      UserNamesToRemove: diff.remove.length > 0 ? [...diff.remove] : undefined,
    });
    await withFaults(
      () => this.clientFor(group.region).send(command),
      (error) => groupFault(error, group),
    );
  }
}

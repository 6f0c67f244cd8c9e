import {
  DescribeUserGroupsCommand,
  type ElastiCacheClient,
  ModifyUserGroupCommand,
} from '@aws-sdk/client-elasticache';
import type { CacheGroupRef } from '../arn';
import type { MembershipDiff } from '../membership/desired';
import type { GroupDirectory, GroupState } from '../membership/ports';
import { groupFault, readOrAbsent, withFaults } from './faults';

export class ElastiCacheGroups implements GroupDirectory {
  constructor(private readonly clientFor: (region: string) => ElastiCacheClient) {}

  describe(group: CacheGroupRef): Promise<GroupState | undefined> {
    return readOrAbsent(
      async () => {
        const command = new DescribeUserGroupsCommand({ UserGroupId: group.id });
        const { UserGroups = [] } = await this.clientFor(group.region).send(command);
        const found = UserGroups.find((g) => g.UserGroupId === group.id);
        return found && { status: found.Status ?? 'unknown', members: found.UserIds ?? [] };
      },
      (error) => groupFault(error, group),
    );
  }

  async modify(group: CacheGroupRef, diff: MembershipDiff): Promise<void> {
    const command = new ModifyUserGroupCommand({
      UserGroupId: group.id,
      UserIdsToAdd: diff.add.length > 0 ? [...diff.add] : undefined,
      UserIdsToRemove: diff.remove.length > 0 ? [...diff.remove] : undefined,
    });
    await withFaults(
      () => this.clientFor(group.region).send(command),
      (error) => groupFault(error, group),
    );
  }
}

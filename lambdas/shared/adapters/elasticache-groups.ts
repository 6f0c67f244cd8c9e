import {
  DescribeUserGroupsCommand,
  type ElastiCacheClient,
  ModifyUserGroupCommand,
} from '@aws-sdk/client-elasticache';
import type { CacheGroupRef } from '../arn';
import { GroupNotFoundError } from '../errors';
import type { MembershipDiff } from '../membership/desired';
import type { GroupDirectory, GroupState } from '../membership/ports';
import { groupFault } from './faults';

export class ElastiCacheGroups implements GroupDirectory {
  constructor(private readonly clientFor: (region: string) => ElastiCacheClient) {}

  async describe(group: CacheGroupRef): Promise<GroupState | undefined> {
    try {
      const { UserGroups = [] } = await this.clientFor(group.region).send(
        new DescribeUserGroupsCommand({ UserGroupId: group.id }),
      );
      const found = UserGroups.find((g) => g.UserGroupId === group.id);
      return found && { status: found.Status ?? 'unknown', members: found.UserIds ?? [] };
    } catch (error) {
      const fault = groupFault(error, group);
      if (fault instanceof GroupNotFoundError) return undefined;
      throw fault;
    }
  }

  async modify(group: CacheGroupRef, diff: MembershipDiff): Promise<void> {
    try {
      await this.clientFor(group.region).send(
        new ModifyUserGroupCommand({
          UserGroupId: group.id,
          UserIdsToAdd: diff.add.length > 0 ? [...diff.add] : undefined,
          UserIdsToRemove: diff.remove.length > 0 ? [...diff.remove] : undefined,
        }),
      );
    } catch (error) {
      throw groupFault(error, group);
    }
  }
}

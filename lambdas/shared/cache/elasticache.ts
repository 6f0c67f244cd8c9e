import {
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  type ElastiCacheClient,
  ModifyUserCommand,
  ModifyUserGroupCommand,
} from '@aws-sdk/client-elasticache';
import type { EngineDescription } from './engine';
import { groupFault, readOrAbsent, userFault, withFaults } from './faults';
import type { CacheDirectory, CacheUserState, GroupState, MembershipDiff } from './ports';
import type { CacheGroupRef, CacheUserRef } from './refs';

export const ELASTICACHE: EngineDescription = {
  engine: 'elasticache',
  service: 'elasticache',
  sidName: 'ElastiCache',
  groupNoun: 'ElastiCache user group',
  user: { resourcePrefix: 'user:', idName: 'userId' },
  group: { resourcePrefix: 'usergroup:', idName: 'userGroupId' },
  actions: {
    describeUser: 'elasticache:DescribeUsers',
    setPasswords: 'elasticache:ModifyUser',
    describeGroup: 'elasticache:DescribeUserGroups',
    modifyGroup: 'elasticache:ModifyUserGroup',
  },
};

/** ElastiCache RBAC users and user groups, over the awsQuery API of each user's region. */
export class ElastiCacheDirectory implements CacheDirectory {
  constructor(private readonly clientFor: (region: string) => ElastiCacheClient) {}

  describeUser(user: CacheUserRef): Promise<CacheUserState | undefined> {
    return readOrAbsent(
      async () => {
        const command = new DescribeUsersCommand({ UserId: user.id });
        const { Users = [] } = await this.clientFor(user.region).send(command);
        const found = Users.find((u) => u.UserId === user.id);
        return (
          found && {
            userName: found.UserName ?? user.id,
            status: found.Status ?? 'unknown',
            authenticationType: found.Authentication?.Type ?? 'unknown',
          }
        );
      },
      (error) => userFault(error, user),
    );
  }

  async setPasswords(user: CacheUserRef, passwords: readonly string[]): Promise<void> {
    const command = new ModifyUserCommand({
      UserId: user.id,
      AuthenticationMode: { Type: 'password', Passwords: [...passwords] },
    });
    await withFaults(
      () => this.clientFor(user.region).send(command),
      (error) => userFault(error, user),
    );
  }

  describeGroup(group: CacheGroupRef): Promise<GroupState | undefined> {
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

  async modifyGroup(group: CacheGroupRef, diff: MembershipDiff): Promise<void> {
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

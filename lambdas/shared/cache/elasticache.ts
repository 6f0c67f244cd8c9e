import {
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  type ElastiCacheClient,
  ModifyUserCommand,
  ModifyUserGroupCommand,
} from '@aws-sdk/client-elasticache';
import type { EngineCalls } from './directory';
import type { EngineDescription } from './engine';
import type { GroupState } from './ports';

export const ELASTICACHE: EngineDescription = {
  engine: 'elasticache',
  service: 'elasticache',
  label: 'ElastiCache',
  sidName: 'ElastiCache',
  groupNoun: 'ElastiCache user group',
  user: { resourcePrefix: 'user:', idName: 'userId' },
  group: { resourcePrefix: 'usergroup:', idName: 'userGroupId' },
  actions: {
    describeUser: 'elasticache:DescribeUsers',
    setPasswords: 'elasticache:ModifyUser',
    describeGroups: 'elasticache:DescribeUserGroups',
    modifyGroup: 'elasticache:ModifyUserGroup',
  },
};

/** ElastiCache RBAC users (known by `UserId`, logging in as `UserName`) and user groups, over awsQuery. */
export const elastiCacheCalls: EngineCalls<ElastiCacheClient> = {
  async describeUser(client, userId) {
    const { Users = [] } = await client.send(new DescribeUsersCommand({ UserId: userId }));
    const found = Users.find((user) => user.UserId === userId);
    return (
      found && {
        userName: found.UserName ?? userId,
        status: found.Status ?? 'unknown',
        authenticationType: found.Authentication?.Type ?? 'unknown',
      }
    );
  },
  setPasswords: (client, userId, passwords) =>
    client.send(
      new ModifyUserCommand({
        UserId: userId,
        AuthenticationMode: { Type: 'password', Passwords: passwords },
      }),
    ),
  async describeGroup(client, groupId) {
    const { UserGroups = [] } = await client.send(new DescribeUserGroupsCommand({ UserGroupId: groupId }));
    const found = UserGroups.find((group) => group.UserGroupId === groupId);
    return found && stateOf(found);
  },
  async listGroups(client, marker) {
    const { UserGroups = [], Marker } = await client.send(
      new DescribeUserGroupsCommand({ MaxRecords: 100, Marker: marker }),
    );
    return {
      groups: UserGroups.map((group) => ({ id: group.UserGroupId ?? '', state: stateOf(group) })),
      next: Marker,
    };
  },
  modifyGroup: (client, groupId, add, remove) =>
    client.send(
      new ModifyUserGroupCommand({ UserGroupId: groupId, UserIdsToAdd: add, UserIdsToRemove: remove }),
    ),
};

function stateOf(group: { Status?: string; UserIds?: string[] }): GroupState {
  return { status: group.Status ?? 'unknown', members: group.UserIds ?? [] };
}

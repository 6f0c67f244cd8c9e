import {
  CreateUserCommand,
  CreateUserGroupCommand,
  DeleteUserCommand,
  DeleteUserGroupCommand,
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  type ElastiCacheClient,
  ListTagsForResourceCommand,
  ModifyUserCommand,
  ModifyUserGroupCommand,
  type UserGroup,
} from '@aws-sdk/client-elasticache';
import type { GroupState, ServerEngine } from '#core/cache/ports';
import type { EngineCalls } from './directory';
import { tagList, tagsFrom } from './tags';

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
  createUser: (client, userId, spec) =>
    client.send(
      new CreateUserCommand({
        UserId: userId,
        UserName: spec.userName,
        Engine: spec.serverEngine ?? 'redis',
        AccessString: spec.accessString,
        AuthenticationMode: { Type: 'password', Passwords: [spec.password] },
        Tags: tagList(spec.tags),
      }),
    ),
  deleteUser: (client, userId) => client.send(new DeleteUserCommand({ UserId: userId })),
  async listUsers(client, marker) {
    const { Users = [], Marker } = await client.send(
      new DescribeUsersCommand({ MaxRecords: 100, Marker: marker }),
    );
    return {
      users: Users.map((user) => ({ id: user.UserId ?? '', status: user.Status ?? 'unknown' })),
      next: Marker,
    };
  },
  async tagsOf(client, arn) {
    const { TagList = [] } = await client.send(new ListTagsForResourceCommand({ ResourceName: arn }));
    return tagsFrom(TagList);
  },
  createGroup: (client, groupId, spec) =>
    client.send(
      new CreateUserGroupCommand({
        UserGroupId: groupId,
        Engine: spec.serverEngine ?? 'redis',
        UserIds: spec.members.length > 0 ? [...spec.members] : undefined,
        Tags: tagList(spec.tags),
      }),
    ),
  deleteGroup: (client, groupId) => client.send(new DeleteUserGroupCommand({ UserGroupId: groupId })),
  exists: { user: 'UserAlreadyExistsFault', group: 'UserGroupAlreadyExistsFault' },
};

function stateOf(group: UserGroup): GroupState {
  return {
    status: group.Status ?? 'unknown',
    members: group.UserIds ?? [],
    ...(isServerEngine(group.Engine) && { serverEngine: group.Engine }),
    attachedTo: [...(group.ReplicationGroups ?? []), ...(group.ServerlessCaches ?? [])],
  };
}

function isServerEngine(engine: string | undefined): engine is ServerEngine {
  return engine === 'redis' || engine === 'valkey';
}

import {
  type ACL,
  CreateACLCommand,
  CreateUserCommand,
  DeleteACLCommand,
  DeleteUserCommand,
  DescribeACLsCommand,
  DescribeUsersCommand,
  ListTagsCommand,
  type MemoryDBClient,
  UpdateACLCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-memorydb';
import type { GroupState } from '#core/cache/ports';
import type { EngineCalls } from './directory';
import { tagList, tagsFrom } from './tags';

/** MemoryDB ACL users (known and logging in by name) and ACLs, over awsJson. */
export const memoryDbCalls: EngineCalls<MemoryDBClient> = {
  async describeUser(client, userName) {
    const { Users = [] } = await client.send(new DescribeUsersCommand({ UserName: userName }));
    const found = Users.find((user) => user.Name === userName);
    return (
      found && {
        userName,
        status: found.Status ?? 'unknown',
        authenticationType: found.Authentication?.Type ?? 'unknown',
      }
    );
  },
  setPasswords: (client, userName, passwords) =>
    client.send(
      new UpdateUserCommand({
        UserName: userName,
        AuthenticationMode: { Type: 'password', Passwords: passwords },
      }),
    ),
  async describeGroup(client, aclName) {
    const { ACLs = [] } = await client.send(new DescribeACLsCommand({ ACLName: aclName }));
    const found = ACLs.find((acl) => acl.Name === aclName);
    return found && stateOf(found);
  },
  async listGroups(client, nextToken) {
    const { ACLs = [], NextToken } = await client.send(
      new DescribeACLsCommand({ MaxResults: 100, NextToken: nextToken }),
    );
    return { groups: ACLs.map((acl) => ({ id: acl.Name ?? '', state: stateOf(acl) })), next: NextToken };
  },
  modifyGroup: (client, aclName, add, remove) =>
    client.send(new UpdateACLCommand({ ACLName: aclName, UserNamesToAdd: add, UserNamesToRemove: remove })),
  createUser: (client, userName, spec) =>
    client.send(
      new CreateUserCommand({
        UserName: userName,
        AccessString: spec.accessString,
        AuthenticationMode: { Type: 'password', Passwords: [spec.password] },
        Tags: tagList(spec.tags),
      }),
    ),
  deleteUser: (client, userName) => client.send(new DeleteUserCommand({ UserName: userName })),
  async listUsers(client, nextToken) {
    const { Users = [], NextToken } = await client.send(
      new DescribeUsersCommand({ MaxResults: 100, NextToken: nextToken }),
    );
    return {
      users: Users.map((user) => ({ id: user.Name ?? '', status: user.Status ?? 'unknown' })),
      next: NextToken,
    };
  },
  async tagsOf(client, arn) {
    const { TagList = [] } = await client.send(new ListTagsCommand({ ResourceArn: arn }));
    return tagsFrom(TagList);
  },
  createGroup: (client, aclName, spec) =>
    client.send(
      new CreateACLCommand({
        ACLName: aclName,
        UserNames: spec.members.length > 0 ? [...spec.members] : undefined,
        Tags: tagList(spec.tags),
      }),
    ),
  deleteGroup: (client, aclName) => client.send(new DeleteACLCommand({ ACLName: aclName })),
  exists: { user: 'UserAlreadyExistsFault', group: 'ACLAlreadyExistsFault' },
};

function stateOf(acl: ACL): GroupState {
  return { status: acl.Status ?? 'unknown', members: acl.UserNames ?? [], attachedTo: acl.Clusters ?? [] };
}

import {
  DescribeACLsCommand,
  DescribeUsersCommand,
  type MemoryDBClient,
  UpdateACLCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-memorydb';
import type { EngineCalls } from './directory';
import type { EngineDescription } from './engine';
import type { GroupState } from './ports';

export const MEMORYDB: EngineDescription = {
  engine: 'memorydb',
  service: 'memorydb',
  label: 'MemoryDB',
  sidName: 'MemoryDb',
  groupNoun: 'MemoryDB ACL',
  user: { resourcePrefix: 'user/', idName: 'userName' },
  group: { resourcePrefix: 'acl/', idName: 'aclName' },
  actions: {
    describeUser: 'memorydb:DescribeUsers',
    setPasswords: 'memorydb:UpdateUser',
    describeGroups: 'memorydb:DescribeACLs',
    modifyGroup: 'memorydb:UpdateACL',
  },
};

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
};

function stateOf(acl: { Status?: string; UserNames?: string[] }): GroupState {
  return { status: acl.Status ?? 'unknown', members: acl.UserNames ?? [] };
}

import {
  DescribeACLsCommand,
  DescribeUsersCommand,
  type MemoryDBClient,
  UpdateACLCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-memorydb';
import type { EngineDescription } from './engine';
import { groupFault, readOrAbsent, userFault, withFaults } from './faults';
import type { CacheDirectory, CacheUserState, GroupState, MembershipDiff } from './ports';
import type { CacheGroupRef, CacheUserRef } from './refs';

export const MEMORYDB: EngineDescription = {
  engine: 'memorydb',
  service: 'memorydb',
  sidName: 'MemoryDb',
  groupNoun: 'MemoryDB ACL',
  user: { resourcePrefix: 'user/', idName: 'userName' },
  group: { resourcePrefix: 'acl/', idName: 'aclName' },
  actions: {
    describeUser: 'memorydb:DescribeUsers',
    setPasswords: 'memorydb:UpdateUser',
    describeGroup: 'memorydb:DescribeACLs',
    modifyGroup: 'memorydb:UpdateACL',
  },
};

/** MemoryDB ACL users and ACLs, over the JSON API of each user's region. Users are known by name only. */
export class MemoryDbDirectory implements CacheDirectory {
  constructor(private readonly clientFor: (region: string) => MemoryDBClient) {}

  describeUser(user: CacheUserRef): Promise<CacheUserState | undefined> {
    return readOrAbsent(
      async () => {
        const command = new DescribeUsersCommand({ UserName: user.id });
        const { Users = [] } = await this.clientFor(user.region).send(command);
        const found = Users.find((u) => u.Name === user.id);
        return (
          found && {
            userName: user.id,
            status: found.Status ?? 'unknown',
            authenticationType: found.Authentication?.Type ?? 'unknown',
          }
        );
      },
      (error) => userFault(error, user),
    );
  }

  async setPasswords(user: CacheUserRef, passwords: readonly string[]): Promise<void> {
    const command = new UpdateUserCommand({
      UserName: user.id,
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
        const command = new DescribeACLsCommand({ ACLName: group.id });
        const { ACLs = [] } = await this.clientFor(group.region).send(command);
        const found = ACLs.find((acl) => acl.Name === group.id);
        return found && { status: found.Status ?? 'unknown', members: found.UserNames ?? [] };
      },
      (error) => groupFault(error, group),
    );
  }

  async modifyGroup(group: CacheGroupRef, diff: MembershipDiff): Promise<void> {
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

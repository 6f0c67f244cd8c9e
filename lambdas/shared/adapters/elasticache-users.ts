import { DescribeUsersCommand, type ElastiCacheClient, ModifyUserCommand } from '@aws-sdk/client-elasticache';
import type { CacheUserRef } from '../arn';
import type { CacheUserState, UserDirectory } from '../rotation/ports';
import { readOrAbsent, userFault, withFaults } from './faults';

export class ElastiCacheUsers implements UserDirectory {
  constructor(private readonly clientFor: (region: string) => ElastiCacheClient) {}

  describe(user: CacheUserRef): Promise<CacheUserState | undefined> {
    return readOrAbsent(
      async () => {
        const { Users = [] } = await this.clientFor(user.region).send(
          new DescribeUsersCommand({ UserId: user.id }),
        );
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
}

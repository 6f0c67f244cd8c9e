import { DescribeUsersCommand, type MemoryDBClient, UpdateUserCommand } from '@aws-sdk/client-memorydb';
import type { CacheUserRef } from '../arn';
import type { CacheUserState, UserDirectory } from '../rotation/ports';
import { readOrAbsent, userFault, withFaults } from './faults';

export class MemoryDbUsers implements UserDirectory {
  constructor(private readonly clientFor: (region: string) => MemoryDBClient) {}

  describe(user: CacheUserRef): Promise<CacheUserState | undefined> {
    return readOrAbsent(
      async () => {
        const { Users = [] } = await this.clientFor(user.region).send(
          new DescribeUsersCommand({ UserName: user.id }),
        );
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
}

import { DescribeUsersCommand, type MemoryDBClient, UpdateUserCommand } from '@aws-sdk/client-memorydb';
import type { CacheUserRef } from '../arn';
import type { CacheUserState, UserDirectory } from '../rotation/ports';
import { userFault } from './faults';
import { isAwsError } from './per-region';

export class MemoryDbUsers implements UserDirectory {
  constructor(private readonly clientFor: (region: string) => MemoryDBClient) {}

  async describe(user: CacheUserRef): Promise<CacheUserState | undefined> {
    try {
      const { Users = [] } = await this.clientFor(user.region).send(
        new DescribeUsersCommand({ UserName: user.id }),
      );
      const found = Users.find((u) => u.Name === user.id);
      if (!found) return undefined;
      return {
        userName: user.id,
        status: found.Status ?? 'unknown',
        authenticationType: found.Authentication?.Type ?? 'unknown',
      };
    } catch (error) {
      if (isAwsError(error, 'UserNotFoundFault')) return undefined;
      throw error;
    }
  }

  async setPasswords(user: CacheUserRef, passwords: readonly string[]): Promise<void> {
    try {
      await this.clientFor(user.region).send(
        new UpdateUserCommand({
          UserName: user.id,
          AuthenticationMode: { Type: 'password', Passwords: [...passwords] },
        }),
      );
    } catch (error) {
      throw userFault(error, user);
    }
  }
}

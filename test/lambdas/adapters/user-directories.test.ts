import {
  DescribeUsersCommand as DescribeElastiCacheUsers,
  InvalidUserStateFault as ElastiCacheBusy,
  ElastiCacheClient,
  UserNotFoundFault as ElastiCacheUserNotFound,
  ModifyUserCommand,
} from '@aws-sdk/client-elasticache';
import {
  DescribeUsersCommand as DescribeMemoryDbUsers,
  MemoryDBClient,
  InvalidUserStateFault as MemoryDbBusy,
  UserNotFoundFault as MemoryDbUserNotFound,
  UpdateUserCommand,
} from '@aws-sdk/client-memorydb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ElastiCacheUsers } from '#shared/adapters/elasticache-users';
import { MemoryDbUsers } from '#shared/adapters/memorydb-users';
import { perRegion } from '#shared/adapters/per-region';
import { parseUserArn } from '#shared/arn';
import { UserBusyError, UserNotFoundError } from '#shared/errors';

const elasticache = mockClient(ElastiCacheClient);
const memorydb = mockClient(MemoryDBClient);
const fault = { $metadata: {}, message: 'busy' };

afterEach(() => {
  elasticache.reset();
  memorydb.reset();
});

describe('ElastiCacheUsers', () => {
  const user = parseUserArn('arn:aws:elasticache:eu-west-1:123456789012:user:app-writer');
  const users = new ElastiCacheUsers(perRegion((region) => new ElastiCacheClient({ region })));

  it('reports the user name, status and authentication type', async () => {
    elasticache.on(DescribeElastiCacheUsers).resolves({
      Users: [
        {
          UserId: 'app-writer',
          UserName: 'writer',
          Status: 'modifying',
          Authentication: { Type: 'password', PasswordCount: 2 },
        },
      ],
    });

    await expect(users.describe(user)).resolves.toEqual({
      userName: 'writer',
      status: 'modifying',
      authenticationType: 'password',
    });
    expect(elasticache.commandCalls(DescribeElastiCacheUsers)[0]?.args[0].input).toEqual({
      UserId: 'app-writer',
    });
  });

  it('reports a missing user as undefined', async () => {
    elasticache.on(DescribeElastiCacheUsers).rejects(new ElastiCacheUserNotFound(fault));

    await expect(users.describe(user)).resolves.toBeUndefined();
  });

  it('replaces the password set with ModifyUser in password mode', async () => {
    elasticache.on(ModifyUserCommand).resolves({});

    await users.setPasswords(user, ['new-password-0123456789', 'old-password-0123456789']);

    expect(elasticache.commandCalls(ModifyUserCommand)[0]?.args[0].input).toEqual({
      UserId: 'app-writer',
      AuthenticationMode: {
        Type: 'password',
        Passwords: ['new-password-0123456789', 'old-password-0123456789'],
      },
    });
  });

  it('turns the state fault into UserBusyError and a missing user into UserNotFoundError', async () => {
    elasticache
      .on(ModifyUserCommand)
      .rejectsOnce(new ElastiCacheBusy(fault))
      .rejectsOnce(new ElastiCacheUserNotFound(fault));

    await expect(users.setPasswords(user, ['p'])).rejects.toThrow(UserBusyError);
    await expect(users.setPasswords(user, ['p'])).rejects.toThrow(UserNotFoundError);
  });

  it('passes other errors through untouched', async () => {
    elasticache.on(ModifyUserCommand).rejects(new Error('AccessDenied'));

    await expect(users.setPasswords(user, ['p'])).rejects.toThrow('AccessDenied');
  });
});

describe('MemoryDbUsers', () => {
  const user = parseUserArn('arn:aws:memorydb:eu-west-1:123456789012:user/app-reader');
  const users = new MemoryDbUsers(perRegion((region) => new MemoryDBClient({ region })));

  it('reports the user by name with status and authentication type', async () => {
    memorydb.on(DescribeMemoryDbUsers).resolves({
      Users: [{ Name: 'app-reader', Status: 'active', Authentication: { Type: 'iam' } }],
    });

    await expect(users.describe(user)).resolves.toEqual({
      userName: 'app-reader',
      status: 'active',
      authenticationType: 'iam',
    });
    expect(memorydb.commandCalls(DescribeMemoryDbUsers)[0]?.args[0].input).toEqual({
      UserName: 'app-reader',
    });
  });

  it('reports a missing user as undefined', async () => {
    memorydb.on(DescribeMemoryDbUsers).rejects(new MemoryDbUserNotFound(fault));

    await expect(users.describe(user)).resolves.toBeUndefined();
  });

  it('replaces the password set with UpdateUser', async () => {
    memorydb.on(UpdateUserCommand).resolves({});

    await users.setPasswords(user, ['new-password-0123456789']);

    expect(memorydb.commandCalls(UpdateUserCommand)[0]?.args[0].input).toEqual({
      UserName: 'app-reader',
      AuthenticationMode: { Type: 'password', Passwords: ['new-password-0123456789'] },
    });
  });

  it('turns the state fault into UserBusyError', async () => {
    memorydb.on(UpdateUserCommand).rejects(new MemoryDbBusy(fault));

    await expect(users.setPasswords(user, ['p'])).rejects.toThrow(UserBusyError);
  });
});

describe('perRegion', () => {
  it('makes one client per region and reuses it', () => {
    const made: string[] = [];
    const clientFor = perRegion((region) => {
      made.push(region);
      return { region };
    });

    expect(clientFor('eu-west-1')).toBe(clientFor('eu-west-1'));
    clientFor('us-east-1');
    expect(made).toEqual(['eu-west-1', 'us-east-1']);
  });
});

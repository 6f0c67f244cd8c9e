import {
  ACLNotFoundFault,
  DescribeACLsCommand,
  DescribeUsersCommand as DescribeMemoryDbUsers,
  InvalidACLStateFault,
  MemoryDBClient,
  InvalidUserStateFault as MemoryDbBusy,
  DuplicateUserNameFault as MemoryDbDuplicateUserName,
  UserNotFoundFault as MemoryDbUserNotFound,
  UpdateACLCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-memorydb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { regional } from '#core/cache/adapters/directories';
import { EngineDirectory } from '#core/cache/adapters/directory';
import { memoryDbCalls } from '#core/cache/adapters/memorydb';
import { parseGroupArn, parseUserArn } from '#core/cache/refs';
import {
  ApiThrottledError,
  GroupBusyError,
  MembershipRefusedError,
  UserBusyError,
  UserNotFoundError,
} from '#core/runtime/errors';
import { fault, unmodeled } from '../../../support/sdk-faults';

const memorydb = mockClient(MemoryDBClient);
const directory = new EngineDirectory(
  memoryDbCalls,
  regional((region) => new MemoryDBClient({ region }), 1_000),
);

afterEach(() => {
  memorydb.reset();
});

describe('EngineDirectory over memoryDbCalls users', () => {
  const users = directory;
  const user = parseUserArn('arn:aws:memorydb:eu-west-1:123456789012:user/app-reader');

  it('reports the user by name with status and authentication type', async () => {
    memorydb.on(DescribeMemoryDbUsers).resolves({
      Users: [{ Name: 'app-reader', Status: 'active', Authentication: { Type: 'iam' } }],
    });

    await expect(users.describeUser(user)).resolves.toEqual({
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

    await expect(users.describeUser(user)).resolves.toBeUndefined();
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

describe('EngineDirectory over memoryDbCalls ACLs', () => {
  const acls = directory;
  const acl = parseGroupArn('arn:aws:memorydb:eu-west-1:123456789012:acl/prod-acl');

  it('describes the ACL by name with its status, member user names and the clusters it is attached to', async () => {
    // Arrange
    memorydb.on(DescribeACLsCommand).resolves({
      ACLs: [{ Name: 'prod-acl', Status: 'active', UserNames: ['bob'], Clusters: ['prod-cluster'] }],
    });

    // Act
    const state = (await acls.describeGroups([acl])).get(acl.arn);

    // Assert
    expect(state).toEqual({ status: 'active', members: ['bob'], attachedTo: ['prod-cluster'] });
    expect(memorydb.commandCalls(DescribeACLsCommand)[0]?.args[0].input).toEqual({ ACLName: 'prod-acl' });
  });

  it('reports ACLNotFoundFault as undefined', async () => {
    // Arrange
    memorydb.on(DescribeACLsCommand).rejects(new ACLNotFoundFault(fault));

    // Act
    const state = (await acls.describeGroups([acl])).get(acl.arn);

    // Assert
    expect(state).toBeUndefined();
  });

  it('reads many groups with one list call per page and keeps only the ones asked for', async () => {
    // Arrange
    const other = parseGroupArn(acl.arn.replace(/(usergroup:|acl\/).*$/, '$1staging-acl'));
    const send = memorydb.on(DescribeACLsCommand);
    send
      .resolvesOnce({
        ACLs: [
          { Name: 'other-acl', Status: 'active', UserNames: [] },
          { Name: 'prod-acl', Status: 'active', UserNames: ['bob'] },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({ ACLs: [{ Name: 'staging-acl', Status: 'modifying', UserNames: ['eve'] }] });

    // Act
    const states = await acls.describeGroups([acl, other]);

    // Assert
    expect([...states.keys()].sort()).toEqual([acl.arn, other.arn].sort());
    expect(states.get(other.arn)?.status).toBe('modifying');
    const calls = memorydb.commandCalls(DescribeACLsCommand).map((call) => call.args[0].input);
    expect(calls).toEqual([
      { MaxResults: 100, NextToken: undefined },
      { ...{ MaxResults: 100, NextToken: undefined }, NextToken: 'page-2' },
    ]);
  });

  it('reads the groups one by one where IAM does not allow the list', async () => {
    // Arrange
    const other = parseGroupArn(acl.arn.replace(/(usergroup:|acl\/).*$/, '$1staging-acl'));
    const send = memorydb.on(DescribeACLsCommand);
    send
      .rejectsOnce(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }))
      .resolves({ ACLs: [{ Name: 'staging-acl', Status: 'modifying', UserNames: ['eve'] }] });

    // Act
    const states = await acls.describeGroups([acl, other]);

    // Assert
    expect([...states.keys()]).toEqual([other.arn]);
    expect(memorydb.commandCalls(DescribeACLsCommand)).toHaveLength(3);
  });

  it('sends additions and removals in one UpdateACL call, leaving empty lists out', async () => {
    // Arrange
    memorydb.on(UpdateACLCommand).resolves({});

    // Act
    await acls.modifyGroup(acl, { add: ['bob'], remove: ['eve'] });
    await acls.modifyGroup(acl, { add: [], remove: ['eve'] });

    // Assert
    expect(memorydb.commandCalls(UpdateACLCommand).map((call) => call.args[0].input)).toEqual([
      { ACLName: 'prod-acl', UserNamesToAdd: ['bob'], UserNamesToRemove: ['eve'] },
      { ACLName: 'prod-acl', UserNamesToRemove: ['eve'] },
    ]);
  });

  it.each([
    ['InvalidACLStateFault', 'GroupBusyError', () => new InvalidACLStateFault(fault), GroupBusyError],
    ['ThrottlingException', 'ApiThrottledError', () => unmodeled('ThrottlingException'), ApiThrottledError],
    ['UserNotFoundFault', 'UserNotFoundError', () => new MemoryDbUserNotFound(fault), UserNotFoundError],
    [
      'DuplicateUserNameFault',
      'MembershipRefusedError',
      () => new MemoryDbDuplicateUserName(fault),
      MembershipRefusedError,
    ],
  ])('turns %s from UpdateACL into %s naming the ACL', async (_, _name, make, type) => {
    // Arrange
    memorydb.on(UpdateACLCommand).rejects(make());

    // Act
    const error = await acls.modifyGroup(acl, { add: ['bob'], remove: [] }).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toContain(acl.arn);
  });
});

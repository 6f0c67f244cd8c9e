import {
  DefaultUserRequired,
  DescribeUsersCommand as DescribeElastiCacheUsers,
  DescribeUserGroupsCommand,
  DuplicateUserNameFault,
  InvalidUserStateFault as ElastiCacheBusy,
  ElastiCacheClient,
  UserNotFoundFault as ElastiCacheUserNotFound,
  InvalidUserGroupStateFault,
  ModifyUserCommand,
  ModifyUserGroupCommand,
  UserGroupNotFoundFault,
} from '@aws-sdk/client-elasticache';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { regional } from '#core/cache/adapters/directories';
import { EngineDirectory } from '#core/cache/adapters/directory';
import { elastiCacheCalls } from '#core/cache/adapters/elasticache';
import { parseGroupArn, parseUserArn } from '#core/cache/refs';
import {
  ApiThrottledError,
  GroupBusyError,
  MembershipRefusedError,
  UserBusyError,
  UserNotFoundError,
} from '#core/runtime/errors';
import { fault, unmodeled } from '../../../support/sdk-faults';

const elasticache = mockClient(ElastiCacheClient);
const directory = new EngineDirectory(
  elastiCacheCalls,
  regional((region) => new ElastiCacheClient({ region }), 1_000),
);

afterEach(() => {
  elasticache.reset();
});

describe('EngineDirectory over elastiCacheCalls users', () => {
  const users = directory;
  const user = parseUserArn('arn:aws:elasticache:eu-west-1:123456789012:user:app-writer');

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

    await expect(users.describeUser(user)).resolves.toEqual({
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

    await expect(users.describeUser(user)).resolves.toBeUndefined();
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

describe('EngineDirectory over elastiCacheCalls user groups', () => {
  const groups = directory;
  const group = parseGroupArn('arn:aws:elasticache:us-east-2:123456789012:usergroup:prod-ug');

  it('describes the group by id with its status, member user ids, engine and the caches it is attached to', async () => {
    // Arrange
    elasticache.on(DescribeUserGroupsCommand).resolves({
      UserGroups: [
        {
          UserGroupId: 'prod-ug',
          Status: 'modifying',
          Engine: 'valkey',
          UserIds: ['default', 'alice'],
          ReplicationGroups: ['prod-rg'],
          ServerlessCaches: ['prod-serverless'],
        },
      ],
    });

    // Act
    const state = (await groups.describeGroups([group])).get(group.arn);

    // Assert
    expect(state).toEqual({
      status: 'modifying',
      members: ['default', 'alice'],
      serverEngine: 'valkey',
      attachedTo: ['prod-rg', 'prod-serverless'],
    });
    expect(elasticache.commandCalls(DescribeUserGroupsCommand)[0]?.args[0].input).toEqual({
      UserGroupId: 'prod-ug',
    });
  });

  it('calls the region of the group ARN', async () => {
    // Arrange
    elasticache.on(DescribeUserGroupsCommand).resolves({ UserGroups: [] });

    // Act
    (await groups.describeGroups([group])).get(group.arn);

    // Assert
    const client = elasticache.commandCalls(DescribeUserGroupsCommand)[0]?.thisValue as ElastiCacheClient;
    await expect(client.config.region()).resolves.toBe('us-east-2');
  });

  it('reports a group missing from the answer as undefined', async () => {
    // Arrange
    elasticache.on(DescribeUserGroupsCommand).resolves({ UserGroups: [{ UserGroupId: 'other-ug' }] });

    // Act
    const state = (await groups.describeGroups([group])).get(group.arn);

    // Assert
    expect(state).toBeUndefined();
  });

  it('reports UserGroupNotFoundFault as undefined', async () => {
    // Arrange
    elasticache.on(DescribeUserGroupsCommand).rejects(new UserGroupNotFoundFault(fault));

    // Act
    const state = (await groups.describeGroups([group])).get(group.arn);

    // Assert
    expect(state).toBeUndefined();
  });

  it('turns throttling of a describe into ApiThrottledError', async () => {
    // Arrange
    elasticache.on(DescribeUserGroupsCommand).rejects(unmodeled('Throttling'));

    // Act
    const describe = groups.describeGroups([group]);

    // Assert
    await expect(describe).rejects.toThrow(ApiThrottledError);
  });

  it('tells its observer of each call that ended throttled, for user and group calls alike, and of no other fault', async () => {
    // Arrange
    let throttled = 0;
    const observed = new EngineDirectory(
      elastiCacheCalls,
      regional(
        (region) => new ElastiCacheClient({ region }),
        1_000,
        () => {
          throttled += 1;
        },
      ),
    );
    const user = parseUserArn('arn:aws:elasticache:eu-west-1:123456789012:user:app-writer');
    elasticache.on(DescribeUserGroupsCommand).rejects(unmodeled('Throttling'));
    elasticache.on(ModifyUserCommand).rejects(unmodeled('ThrottlingException'));
    elasticache.on(ModifyUserGroupCommand).rejects(new InvalidUserGroupStateFault(fault));

    // Act
    const outcomes = await Promise.allSettled([
      observed.describeGroups([group]),
      observed.setPasswords(user, ['new-password-0123456789']),
      observed.modifyGroup(group, { add: ['alice'], remove: [] }),
    ]);

    // Assert
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(throttled).toBe(2);
  });

  it('reads many groups with one list call per page and keeps only the ones asked for', async () => {
    // Arrange
    const other = parseGroupArn(group.arn.replace(/(usergroup:|acl\/).*$/, '$1staging-ug'));
    const send = elasticache.on(DescribeUserGroupsCommand);
    send
      .resolvesOnce({
        UserGroups: [
          { UserGroupId: 'other-ug', Status: 'active', UserIds: [] },
          { UserGroupId: 'prod-ug', Status: 'active', UserIds: ['default'] },
        ],
        Marker: 'page-2',
      })
      .resolvesOnce({
        UserGroups: [{ UserGroupId: 'staging-ug', Status: 'modifying', UserIds: ['default', 'bob'] }],
      });

    // Act
    const states = await groups.describeGroups([group, other]);

    // Assert
    expect([...states.keys()].sort()).toEqual([group.arn, other.arn].sort());
    expect(states.get(other.arn)?.status).toBe('modifying');
    const calls = elasticache.commandCalls(DescribeUserGroupsCommand).map((call) => call.args[0].input);
    expect(calls).toEqual([
      { MaxRecords: 100, Marker: undefined },
      { ...{ MaxRecords: 100, Marker: undefined }, Marker: 'page-2' },
    ]);
  });

  it('reads the groups one by one where IAM does not allow the list', async () => {
    // Arrange
    const other = parseGroupArn(group.arn.replace(/(usergroup:|acl\/).*$/, '$1staging-ug'));
    const send = elasticache.on(DescribeUserGroupsCommand);
    send.rejectsOnce(Object.assign(new Error('not authorized'), { name: 'AccessDenied' })).resolves({
      UserGroups: [{ UserGroupId: 'staging-ug', Status: 'modifying', UserIds: ['default', 'bob'] }],
    });

    // Act
    const states = await groups.describeGroups([group, other]);

    // Assert
    expect([...states.keys()]).toEqual([other.arn]);
    expect(elasticache.commandCalls(DescribeUserGroupsCommand)).toHaveLength(3);
  });

  it('sends additions and removals in one ModifyUserGroup call', async () => {
    // Arrange
    elasticache.on(ModifyUserGroupCommand).resolves({});

    // Act
    await groups.modifyGroup(group, { add: ['alice', 'bob'], remove: ['carol'] });

    // Assert
    const calls = elasticache.commandCalls(ModifyUserGroupCommand);
    expect(calls.map((call) => call.args[0].input)).toEqual([
      { UserGroupId: 'prod-ug', UserIdsToAdd: ['alice', 'bob'], UserIdsToRemove: ['carol'] },
    ]);
  });

  it.each([
    [
      { add: ['alice'], remove: [] },
      { UserGroupId: 'prod-ug', UserIdsToAdd: ['alice'] },
    ],
    [
      { add: [], remove: ['carol'] },
      { UserGroupId: 'prod-ug', UserIdsToRemove: ['carol'] },
    ],
  ])('leaves an empty list out of the request for %j', async (diff, input) => {
    // Arrange
    elasticache.on(ModifyUserGroupCommand).resolves({});

    // Act
    await groups.modifyGroup(group, diff);

    // Assert
    // Undefined fields are left out of the wire request by the SDK.
    expect(elasticache.commandCalls(ModifyUserGroupCommand)[0]?.args[0].input).toEqual(input);
  });

  it.each([
    [
      'InvalidUserGroupStateFault',
      'GroupBusyError',
      () => new InvalidUserGroupStateFault(fault),
      GroupBusyError,
    ],
    ['Throttling', 'ApiThrottledError', () => unmodeled('Throttling'), ApiThrottledError],
    ['ThrottlingException', 'ApiThrottledError', () => unmodeled('ThrottlingException'), ApiThrottledError],
    ['UserNotFoundFault', 'UserNotFoundError', () => new ElastiCacheUserNotFound(fault), UserNotFoundError],
    [
      'DuplicateUserNameFault',
      'MembershipRefusedError',
      () => new DuplicateUserNameFault(fault),
      MembershipRefusedError,
    ],
    [
      'DefaultUserRequired',
      'MembershipRefusedError',
      () => new DefaultUserRequired(fault),
      MembershipRefusedError,
    ],
  ])(
    'turns %s from ModifyUserGroup into %s naming the group, keeping the fault as cause',
    async (_, _name, make, type) => {
      // Arrange
      const cause = make();
      elasticache.on(ModifyUserGroupCommand).rejects(cause);

      // Act
      const error = await groups.modifyGroup(group, { add: ['alice'], remove: [] }).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toContain(group.arn);
      expect((error as Error).cause).toBe(cause);
    },
  );

  it("says why a change was refused in the service's own words", async () => {
    // Arrange
    elasticache
      .on(ModifyUserGroupCommand)
      .rejects(
        new DuplicateUserNameFault({ $metadata: {}, message: 'A user with the name app already exists' }),
      );

    // Act
    const error = await groups.modifyGroup(group, { add: ['alice'], remove: [] }).catch((e: unknown) => e);

    // Assert
    expect((error as Error).message).toBe(
      `elasticache refused the change to group ${group.arn}: A user with the name app already exists`,
    );
  });

  it('passes other errors through untouched', async () => {
    // Arrange
    const denied = unmodeled('AccessDeniedException');
    elasticache.on(ModifyUserGroupCommand).rejects(denied);

    // Act
    const error = await groups.modifyGroup(group, { add: ['alice'], remove: [] }).catch((e: unknown) => e);

    // Assert
    expect(error).toBe(denied);
  });
});

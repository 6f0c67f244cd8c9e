import {
  DefaultUserRequired,
  DescribeUserGroupsCommand,
  DuplicateUserNameFault,
  ElastiCacheClient,
  UserNotFoundFault as ElastiCacheUserNotFound,
  InvalidUserGroupStateFault,
  ModifyUserGroupCommand,
  UserGroupNotFoundFault,
} from '@aws-sdk/client-elasticache';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ACLNotFoundFault,
  DescribeACLsCommand,
  InvalidACLStateFault,
  MemoryDBClient,
  DuplicateUserNameFault as MemoryDbDuplicateUserName,
  UserNotFoundFault as MemoryDbUserNotFound,
  UpdateACLCommand,
} from '@aws-sdk/client-memorydb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ElastiCacheGroups } from '#shared/adapters/elasticache-groups';
import { EventBridgePublisher, EventPublishError } from '#shared/adapters/eventbridge-publisher';
import { MemoryDbAcls } from '#shared/adapters/memorydb-groups';
import { perRegion } from '#shared/adapters/per-region';
import { parseGroupArn } from '#shared/arn';
import { ApiThrottledError, GroupBusyError, MembershipRefusedError, UserNotFoundError } from '#shared/errors';
import type { MembershipChange } from '#shared/membership/ports';

const elasticache = mockClient(ElastiCacheClient);
const memorydb = mockClient(MemoryDBClient);
const eventbridge = mockClient(EventBridgeClient);
const fault = { $metadata: {}, message: 'refused' };

/** An error as the SDK raises it for a fault the service model does not list: only its name is set. */
const unmodeled = (name: string) => Object.assign(new Error(`${name}: Rate exceeded`), { name });

afterEach(() => {
  elasticache.reset();
  memorydb.reset();
  eventbridge.reset();
});

describe('ElastiCacheGroups', () => {
  const group = parseGroupArn('arn:aws:elasticache:us-east-2:123456789012:usergroup:prod-ug');
  const groups = new ElastiCacheGroups(perRegion((region) => new ElastiCacheClient({ region })));

  it('describes the group by id with its status and member user ids', async () => {
    // Arrange
    elasticache.on(DescribeUserGroupsCommand).resolves({
      UserGroups: [{ UserGroupId: 'prod-ug', Status: 'modifying', UserIds: ['default', 'alice'] }],
    });

    // Act
    const state = await groups.describe(group);

    // Assert
    expect(state).toEqual({ status: 'modifying', members: ['default', 'alice'] });
    expect(elasticache.commandCalls(DescribeUserGroupsCommand)[0]?.args[0].input).toEqual({
      UserGroupId: 'prod-ug',
    });
  });

  it('calls the region of the group ARN', async () => {
    // Arrange
    elasticache.on(DescribeUserGroupsCommand).resolves({ UserGroups: [] });

    // Act
    await groups.describe(group);

    // Assert
    const client = elasticache.commandCalls(DescribeUserGroupsCommand)[0]?.thisValue as ElastiCacheClient;
    await expect(client.config.region()).resolves.toBe('us-east-2');
  });

  it('reports a group missing from the answer as undefined', async () => {
    // Arrange
    elasticache.on(DescribeUserGroupsCommand).resolves({ UserGroups: [{ UserGroupId: 'other-ug' }] });

    // Act
    const state = await groups.describe(group);

    // Assert
    expect(state).toBeUndefined();
  });

  it('reports UserGroupNotFoundFault as undefined', async () => {
    // Arrange
    elasticache.on(DescribeUserGroupsCommand).rejects(new UserGroupNotFoundFault(fault));

    // Act
    const state = await groups.describe(group);

    // Assert
    expect(state).toBeUndefined();
  });

  it('turns throttling of a describe into ApiThrottledError', async () => {
    // Arrange
    elasticache.on(DescribeUserGroupsCommand).rejects(unmodeled('Throttling'));

    // Act
    const describe = groups.describe(group);

    // Assert
    await expect(describe).rejects.toThrow(ApiThrottledError);
  });

  it('sends additions and removals in one ModifyUserGroup call', async () => {
    // Arrange
    elasticache.on(ModifyUserGroupCommand).resolves({});

    // Act
    await groups.modify(group, { add: ['alice', 'bob'], remove: ['carol'] });

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
    await groups.modify(group, diff);

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
      const error = await groups.modify(group, { add: ['alice'], remove: [] }).catch((e: unknown) => e);

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
    const error = await groups.modify(group, { add: ['alice'], remove: [] }).catch((e: unknown) => e);

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
    const error = await groups.modify(group, { add: ['alice'], remove: [] }).catch((e: unknown) => e);

    // Assert
    expect(error).toBe(denied);
  });
});

describe('MemoryDbAcls', () => {
  const acl = parseGroupArn('arn:aws:memorydb:eu-west-1:123456789012:acl/prod-acl');
  const acls = new MemoryDbAcls(perRegion((region) => new MemoryDBClient({ region })));

  it('describes the ACL by name with its status and member user names', async () => {
    // Arrange
    memorydb.on(DescribeACLsCommand).resolves({
      ACLs: [{ Name: 'prod-acl', Status: 'active', UserNames: ['bob'] }],
    });

    // Act
    const state = await acls.describe(acl);

    // Assert
    expect(state).toEqual({ status: 'active', members: ['bob'] });
    expect(memorydb.commandCalls(DescribeACLsCommand)[0]?.args[0].input).toEqual({ ACLName: 'prod-acl' });
  });

  it('reports ACLNotFoundFault as undefined', async () => {
    // Arrange
    memorydb.on(DescribeACLsCommand).rejects(new ACLNotFoundFault(fault));

    // Act
    const state = await acls.describe(acl);

    // Assert
    expect(state).toBeUndefined();
  });

  it('sends additions and removals in one UpdateACL call, leaving empty lists out', async () => {
    // Arrange
    memorydb.on(UpdateACLCommand).resolves({});

    // Act
    await acls.modify(acl, { add: ['bob'], remove: ['eve'] });
    await acls.modify(acl, { add: [], remove: ['eve'] });

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
    const error = await acls.modify(acl, { add: ['bob'], remove: [] }).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toContain(acl.arn);
  });
});

describe('EventBridgePublisher', () => {
  const publisher = new EventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'default');
  const change: MembershipChange = {
    groupArn: 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug',
    added: ['alice'],
    removed: ['carol'],
    grants: ['night', 'oncall'],
    evaluatedAt: '2026-06-01T09:00:00.000Z',
    trigger: 'window-boundary',
  };

  it('puts one event with the source, detail type, the change as detail and the group as resource', async () => {
    // Arrange
    eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    // Act
    await publisher.publish(change);

    // Assert
    const calls = eventbridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    const entries = calls[0]?.args[0].input.Entries ?? [];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      Source: 'cache-access-automation',
      DetailType: 'Cache Membership Changed',
      EventBusName: 'default',
      Resources: [change.groupArn],
      Time: new Date('2026-06-01T09:00:00.000Z'),
    });
    expect(JSON.parse(entries[0]?.Detail ?? '')).toEqual(change);
  });

  it('throws EventPublishError naming the bus, the group and the error code when the entry fails', async () => {
    // Arrange
    eventbridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });

    // Act
    const error = await publisher.publish(change).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(EventPublishError);
    expect((error as Error).message).toBe(
      `event bus default refused the change event for ${change.groupArn}: InternalFailure try again`,
    );
  });
});

import {
  DefaultUserRequired,
  DescribeUsersCommand as DescribeCacheUsersCommand,
  DescribeUserGroupsCommand,
  DuplicateUserNameFault,
  InvalidParameterValueException,
  InvalidUserGroupStateFault,
  ModifyUserGroupCommand,
  UserGroupNotFoundFault,
  UserNotFoundFault,
} from '@aws-sdk/client-elasticache';
import {
  ACLNotFoundFault,
  DescribeACLsCommand,
  DescribeUsersCommand as DescribeMemoryDbUsersCommand,
  InvalidACLStateFault,
  InvalidParameterValueException as MemoryDbInvalidParameterValueException,
  UserNotFoundFault as MemoryDbUserNotFoundFault,
  UpdateACLCommand,
} from '@aws-sdk/client-memorydb';
import { describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../local/aws/endpoint';
import { useLocalEngines } from '../support/local-cloud';
import { rejection } from '../support/sdk-env';

const PASSWORD = 'member-password-0123456789';

const local = useLocalEngines();

async function users(engine: Engine, ...ids: string[]): Promise<void> {
  for (const id of ids) {
    await local.aws.users.create({ engine, id, passwords: [PASSWORD] });
  }
}

function modifyUserGroup(id: string, add?: string[], remove?: string[]) {
  return local.elastiCache.send(
    new ModifyUserGroupCommand({ UserGroupId: id, UserIdsToAdd: add, UserIdsToRemove: remove }),
  );
}

function updateAcl(name: string, add?: string[], remove?: string[]) {
  return local.memoryDb.send(
    new UpdateACLCommand({ ACLName: name, UserNamesToAdd: add, UserNamesToRemove: remove }),
  );
}

describe('ElastiCache user groups', () => {
  it('describes a group the way ElastiCache does, with the default user it requires', async () => {
    await users('elasticache', 'ug-describe-b', 'ug-describe-a');
    await local.aws.groups.create({
      engine: 'elasticache',
      id: 'ug-describe',
      members: ['ug-describe-b', 'ug-describe-a'],
    });

    const described = await local.elastiCache.send(
      new DescribeUserGroupsCommand({ UserGroupId: 'ug-describe' }),
    );
    const member = await local.elastiCache.send(new DescribeCacheUsersCommand({ UserId: 'ug-describe-a' }));
    const defaultUser = await local.elastiCache.send(new DescribeCacheUsersCommand({ UserId: 'default' }));

    expect(described.UserGroups).toEqual([
      expect.objectContaining({
        UserGroupId: 'ug-describe',
        Status: 'active',
        Engine: 'redis',
        UserIds: ['default', 'ug-describe-a', 'ug-describe-b'],
        ARN: 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:ug-describe',
      }),
    ]);
    expect(described.UserGroups?.[0]?.PendingChanges).toBeUndefined();
    expect(member.Users?.[0]?.UserGroupIds).toEqual(['ug-describe']);
    expect(defaultUser.Users?.[0]).toMatchObject({
      UserName: 'default',
      Authentication: { Type: 'no-password' },
    });
  });

  it('adds and removes in one call: modifying with the delta at once, members changed after groupDelayMs', async () => {
    await users('elasticache', 'ug-swap-old', 'ug-swap-new');
    await local.aws.groups.create({ engine: 'elasticache', id: 'ug-swap', members: ['ug-swap-old'] });
    local.aws.setDelays({ groupDelayMs: 200 });

    const modified = await modifyUserGroup('ug-swap', ['ug-swap-new'], ['ug-swap-old']);
    const userWhileModifying = local.aws.users.get('elasticache', 'ug-swap-new')?.status;
    await vi.waitFor(() => expect(local.aws.groups.get('elasticache', 'ug-swap')?.status).toBe('active'), {
      timeout: 2_000,
    });
    const after = await local.elastiCache.send(new DescribeUserGroupsCommand({ UserGroupId: 'ug-swap' }));

    expect(modified).toMatchObject({
      Status: 'modifying',
      UserIds: ['default', 'ug-swap-old'],
      PendingChanges: { UserIdsToAdd: ['ug-swap-new'], UserIdsToRemove: ['ug-swap-old'] },
    });
    expect(userWhileModifying).toBe('modifying');
    expect(after.UserGroups?.[0]?.UserIds).toEqual(['default', 'ug-swap-new']);
    expect(after.UserGroups?.[0]?.PendingChanges).toBeUndefined();
    expect(local.aws.users.get('elasticache', 'ug-swap-new')?.status).toBe('active');
  });

  it('fails the whole request when it removes a non-member, adding nobody', async () => {
    await users('elasticache', 'ug-strict-member', 'ug-strict-outsider', 'ug-strict-new');
    await local.aws.groups.create({ engine: 'elasticache', id: 'ug-strict', members: ['ug-strict-member'] });

    const error = await rejection(modifyUserGroup('ug-strict', ['ug-strict-new'], ['ug-strict-outsider']));

    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(local.aws.groups.get('elasticache', 'ug-strict')).toEqual({
      engine: 'elasticache',
      id: 'ug-strict',
      status: 'active',
      members: ['default', 'ug-strict-member'],
      serverEngine: 'redis',
      caches: [],
      serverlessCaches: [],
    });
    expect(local.aws.users.get('elasticache', 'ug-strict-new')?.status).toBe('active');
    expect(local.aws.callsOf('ModifyUserGroup').at(-1)).toMatchObject({
      params: {
        UserGroupId: 'ug-strict',
        UserIdsToAdd: ['ug-strict-new'],
        UserIdsToRemove: ['ug-strict-outsider'],
      },
      error: 'InvalidParameterValueException',
    });
  });

  it('throws InvalidUserGroupStateFault while the group is modifying', async () => {
    await users('elasticache', 'ug-busy-user');
    await local.aws.groups.create({ engine: 'elasticache', id: 'ug-busy' });
    local.aws.groups.holdModifying('elasticache', 'ug-busy', 60_000);

    const error = await rejection(modifyUserGroup('ug-busy', ['ug-busy-user']));
    local.aws.groups.setStatus('elasticache', 'ug-busy', 'active');

    expect(error).toBeInstanceOf(InvalidUserGroupStateFault);
    expect(local.aws.groups.get('elasticache', 'ug-busy')?.members).toEqual(['default']);
  });

  it('throws UserNotFoundFault for an unknown user and UserGroupNotFoundFault for an unknown group', async () => {
    await local.aws.groups.create({ engine: 'elasticache', id: 'ug-unknown' });

    const unknownUser = await rejection(modifyUserGroup('ug-unknown', ['ug-nobody']));
    const unknownGroup = await rejection(
      local.elastiCache.send(new DescribeUserGroupsCommand({ UserGroupId: 'ug-missing' })),
    );
    const modifyUnknownGroup = await rejection(modifyUserGroup('ug-missing', ['default']));

    expect(unknownUser).toBeInstanceOf(UserNotFoundFault);
    expect(unknownGroup).toBeInstanceOf(UserGroupNotFoundFault);
    expect(unknownGroup).toMatchObject({ $metadata: { httpStatusCode: 404 } });
    expect(modifyUnknownGroup).toBeInstanceOf(UserGroupNotFoundFault);
  });

  it('refuses to remove the default user but lets another user named default replace it', async () => {
    await local.aws.users.create({
      engine: 'elasticache',
      id: 'ug-own-default',
      userName: 'default',
      authType: 'no-password',
      passwords: [],
    });
    await local.aws.groups.create({ engine: 'elasticache', id: 'ug-default' });

    const removed = await rejection(modifyUserGroup('ug-default', undefined, ['default']));
    const swapped = await modifyUserGroup('ug-default', ['ug-own-default'], ['default']);

    expect(removed).toBeInstanceOf(DefaultUserRequired);
    expect(swapped.PendingChanges).toEqual({
      UserIdsToAdd: ['ug-own-default'],
      UserIdsToRemove: ['default'],
    });
    await vi.waitFor(() =>
      expect(local.aws.groups.get('elasticache', 'ug-default')?.members).toEqual(['ug-own-default']),
    );
  });

  it('throws DuplicateUserNameFault when an added user shares a member UserName', async () => {
    await local.aws.users.create({
      engine: 'elasticache',
      id: 'ug-second-default',
      userName: 'default',
      authType: 'no-password',
      passwords: [],
    });
    await local.aws.groups.create({ engine: 'elasticache', id: 'ug-duplicate' });

    const error = await rejection(modifyUserGroup('ug-duplicate', ['ug-second-default']));

    expect(error).toBeInstanceOf(DuplicateUserNameFault);
    expect(local.aws.groups.get('elasticache', 'ug-duplicate')?.members).toEqual(['default']);
  });

  it('throws InvalidParameterValueException for a request with nothing to add or remove', async () => {
    await local.aws.groups.create({ engine: 'elasticache', id: 'ug-empty' });

    const error = await rejection(modifyUserGroup('ug-empty', [], []));

    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(local.aws.groups.get('elasticache', 'ug-empty')?.status).toBe('active');
  });
});

describe('MemoryDB ACLs', () => {
  it('describes ACLs the way MemoryDB does, open-access with its default user included', async () => {
    await users('memorydb', 'acl-describe-user');
    await local.aws.groups.create({ engine: 'memorydb', id: 'acl-describe', members: ['acl-describe-user'] });

    const one = await local.memoryDb.send(new DescribeACLsCommand({ ACLName: 'acl-describe' }));
    const all = await local.memoryDb.send(new DescribeACLsCommand({}));
    const user = await local.memoryDb.send(
      new DescribeMemoryDbUsersCommand({ UserName: 'acl-describe-user' }),
    );

    expect(one.ACLs).toEqual([
      expect.objectContaining({
        Name: 'acl-describe',
        Status: 'active',
        UserNames: ['acl-describe-user'],
        ARN: 'arn:aws:memorydb:eu-west-1:123456789012:acl/acl-describe',
      }),
    ]);
    expect(all.ACLs?.find((acl) => acl.Name === 'open-access')?.UserNames).toEqual(['default']);
    expect(user.Users?.[0]?.ACLNames).toEqual(['acl-describe']);
  });

  it('adds and removes in one call, with the delta pending until groupDelayMs has passed', async () => {
    await users('memorydb', 'acl-swap-old', 'acl-swap-new');
    await local.aws.groups.create({ engine: 'memorydb', id: 'acl-swap', members: ['acl-swap-old'] });
    local.aws.setDelays({ groupDelayMs: 200 });

    const updated = await updateAcl('acl-swap', ['acl-swap-new'], ['acl-swap-old']);
    await vi.waitFor(() => expect(local.aws.groups.get('memorydb', 'acl-swap')?.status).toBe('active'), {
      timeout: 2_000,
    });
    const after = await local.memoryDb.send(new DescribeACLsCommand({ ACLName: 'acl-swap' }));

    expect(updated.ACL).toMatchObject({
      Status: 'modifying',
      UserNames: ['acl-swap-old'],
      PendingChanges: { UserNamesToAdd: ['acl-swap-new'], UserNamesToRemove: ['acl-swap-old'] },
    });
    expect(after.ACLs?.[0]?.UserNames).toEqual(['acl-swap-new']);
  });

  it('fails the whole request when it removes a non-member, adding nobody', async () => {
    await users('memorydb', 'acl-strict-outsider', 'acl-strict-new');
    await local.aws.groups.create({ engine: 'memorydb', id: 'acl-strict' });

    const error = await rejection(updateAcl('acl-strict', ['acl-strict-new'], ['acl-strict-outsider']));

    expect(error).toBeInstanceOf(MemoryDbInvalidParameterValueException);
    expect(local.aws.groups.get('memorydb', 'acl-strict')).toMatchObject({ status: 'active', members: [] });
  });

  it('throws InvalidACLStateFault while the ACL is modifying', async () => {
    await users('memorydb', 'acl-busy-user');
    await local.aws.groups.create({ engine: 'memorydb', id: 'acl-busy' });
    local.aws.groups.setStatus('memorydb', 'acl-busy', 'modifying');

    const error = await rejection(updateAcl('acl-busy', ['acl-busy-user']));
    local.aws.groups.setStatus('memorydb', 'acl-busy', 'active');

    expect(error).toBeInstanceOf(InvalidACLStateFault);
  });

  it('throws UserNotFoundFault for an unknown user and ACLNotFoundFault for an unknown ACL', async () => {
    await local.aws.groups.create({ engine: 'memorydb', id: 'acl-unknown' });

    const unknownUser = await rejection(updateAcl('acl-unknown', ['acl-nobody']));
    const unknownAcl = await rejection(
      local.memoryDb.send(new DescribeACLsCommand({ ACLName: 'acl-missing' })),
    );

    expect(unknownUser).toBeInstanceOf(MemoryDbUserNotFoundFault);
    expect(unknownAcl).toBeInstanceOf(ACLNotFoundFault);
  });

  it('refuses any change to open-access', async () => {
    await users('memorydb', 'acl-open-user');

    const error = await rejection(updateAcl('open-access', ['acl-open-user']));

    expect(error).toBeInstanceOf(MemoryDbInvalidParameterValueException);
    expect(local.aws.groups.get('memorydb', 'open-access')?.members).toEqual(['default']);
  });
});

describe.each<[Engine, (group: string, add?: string[], remove?: string[]) => Promise<unknown>]>([
  ['elasticache', modifyUserGroup],
  ['memorydb', updateAcl],
])('membership in redis on %s', (engine, modify) => {
  it('lets a user that no group names log in, as before groups existed', async () => {
    const user = `${engine}-ungoverned`;
    await users(engine, user);

    expect(local.aws.users.get(engine, user)).toMatchObject({ governedByGroups: false, loginAllowed: true });
    expect(await local.redis.authenticates(user, PASSWORD)).toBe(true);
  });

  it('starts a governedByGroups user outside every group unable to log in', async () => {
    const user = `${engine}-governed-outsider`;
    await local.aws.users.create({ engine, id: user, passwords: [PASSWORD], governedByGroups: true });

    expect(await local.redis.authenticates(user, PASSWORD)).toBe(false);
  });

  it('applies an addition and a removal in redis only after the group delay and then the propagation delay', async () => {
    const leaving = `${engine}-leaving`;
    const joining = `${engine}-joining`;
    const group = `${engine}-membership`;
    await users(engine, leaving);
    await local.aws.users.create({ engine, id: joining, passwords: [PASSWORD], governedByGroups: true });
    await local.aws.groups.create({ engine, id: group, members: [leaving] });
    local.aws.setDelays({ groupDelayMs: 150, propagationDelayMs: 300 });

    await modify(group, [joining], [leaving]);
    const whileModifying = [
      await local.redis.authenticates(leaving, PASSWORD),
      await local.redis.authenticates(joining, PASSWORD),
    ];
    await vi.waitFor(() => expect(local.aws.groups.get(engine, group)?.status).toBe('active'), {
      timeout: 2_000,
    });
    const whenActive = [
      await local.redis.authenticates(leaving, PASSWORD),
      await local.redis.authenticates(joining, PASSWORD),
    ];
    await vi.waitFor(async () => expect(await local.redis.authenticates(joining, PASSWORD)).toBe(true), {
      timeout: 2_000,
    });

    expect(whileModifying).toEqual([true, false]);
    expect(whenActive).toEqual([true, false]);
    expect(await local.redis.authenticates(leaving, PASSWORD)).toBe(false);
    expect(local.aws.users.get(engine, leaving)).toMatchObject({
      governedByGroups: true,
      loginAllowed: false,
    });
  });

  it('keeps a user able to log in while another group of its engine still holds it', async () => {
    const user = `${engine}-two-groups`;
    await users(engine, user);
    await local.aws.groups.create({ engine, id: `${engine}-first`, members: [user] });
    await local.aws.groups.create({ engine, id: `${engine}-second`, members: [user] });

    await modify(`${engine}-first`, undefined, [user]);
    await vi.waitFor(() =>
      expect(local.aws.groups.get(engine, `${engine}-first`)?.members).not.toContain(user),
    );

    expect(await local.redis.authenticates(user, PASSWORD)).toBe(true);
  });
});

describe('listing groups in pages', () => {
  it('pages ElastiCache user groups 100 at a time with a Marker, and refuses a page size outside 20-100', async () => {
    // Arrange
    for (let i = 0; i < 130; i++) await local.aws.groups.create({ engine: 'elasticache', id: `paged-${i}` });

    // Act
    const first = await local.elastiCache.send(new DescribeUserGroupsCommand({}));
    const second = await local.elastiCache.send(new DescribeUserGroupsCommand({ Marker: first.Marker }));
    const refused = await rejection(
      local.elastiCache.send(new DescribeUserGroupsCommand({ MaxRecords: 500 })),
    );

    // Assert
    expect(first.UserGroups).toHaveLength(100);
    expect(second.Marker).toBeUndefined();
    const ids = [...(first.UserGroups ?? []), ...(second.UserGroups ?? [])].map((group) => group.UserGroupId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id?.startsWith('paged-'))).toHaveLength(130);
    expect(refused).toBeInstanceOf(InvalidParameterValueException);
  });

  it('pages MemoryDB ACLs with MaxResults and a NextToken', async () => {
    // Arrange
    for (let i = 0; i < 5; i++) await local.aws.groups.create({ engine: 'memorydb', id: `paged-acl-${i}` });

    // Act
    const pages = [];
    let token: string | undefined;
    do {
      const page = await local.memoryDb.send(new DescribeACLsCommand({ MaxResults: 2, NextToken: token }));
      pages.push(page.ACLs?.map((acl) => acl.Name) ?? []);
      token = page.NextToken;
    } while (token !== undefined);

    // Assert
    expect(pages.every((page) => page.length <= 2)).toBe(true);
    expect(pages.flat().filter((name) => name?.startsWith('paged-acl-'))).toHaveLength(5);
  });
});

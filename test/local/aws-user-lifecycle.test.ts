import {
  AddTagsToResourceCommand,
  CreateUserCommand,
  CreateUserGroupCommand,
  DefaultUserAssociatedToUserGroupFault,
  DefaultUserRequired,
  DeleteUserCommand,
  DeleteUserGroupCommand,
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  InvalidUserGroupStateFault,
  InvalidUserStateFault,
  ListTagsForResourceCommand,
  ModifyUserGroupCommand,
  UserAlreadyExistsFault,
  UserGroupAlreadyExistsFault,
  UserGroupNotFoundFault,
  UserNotFoundFault,
} from '@aws-sdk/client-elasticache';
import {
  ACLAlreadyExistsFault,
  ACLNotFoundFault,
  CreateACLCommand,
  CreateUserCommand as CreateMemoryDbUserCommand,
  DeleteACLCommand,
  DeleteUserCommand as DeleteMemoryDbUserCommand,
  DescribeACLsCommand,
  DescribeUsersCommand as DescribeMemoryDbUsersCommand,
  InvalidACLStateFault,
  ListTagsCommand,
  InvalidParameterValueException as MemoryDbInvalidParameterValueException,
  UserAlreadyExistsFault as MemoryDbUserAlreadyExistsFault,
  UserNotFoundFault as MemoryDbUserNotFoundFault,
} from '@aws-sdk/client-memorydb';
import { createClient } from '@redis/client';
import { describe, expect, it, vi } from 'vitest';
import { useLocalEngines } from '../support/local-cloud';
import { rejection } from '../support/sdk-env';

const PASSWORD = 'lifecycle-password-0123456789';
const READ_ONLY = 'on ~* &* -@all +@read';

const local = useLocalEngines();

function createCacheUser(id: string, opts: { engine?: string; accessString?: string } = {}) {
  return local.elastiCache.send(
    new CreateUserCommand({
      UserId: id,
      UserName: id,
      Engine: opts.engine ?? 'redis',
      AccessString: opts.accessString ?? 'on ~* &* +@all',
      AuthenticationMode: { Type: 'password', Passwords: [PASSWORD] },
    }),
  );
}

function createMemoryDbUser(name: string, accessString = 'on ~* &* +@all') {
  return local.memoryDb.send(
    new CreateMemoryDbUserCommand({
      UserName: name,
      AccessString: accessString,
      AuthenticationMode: { Type: 'password', Passwords: [PASSWORD] },
    }),
  );
}

async function waitForUser(engine: 'elasticache' | 'memorydb', id: string, status: string) {
  await vi.waitFor(() => expect(local.aws.users.get(engine, id)?.status).toBe(status), { timeout: 2_000 });
}

async function waitForGroup(engine: 'elasticache' | 'memorydb', id: string, status: string) {
  await vi.waitFor(() => expect(local.aws.groups.get(engine, id)?.status).toBe(status), { timeout: 2_000 });
}

/** Logs in as the user on a fresh connection and answers what GET and SET reply, or the error they get. */
async function readAndWrite(username: string): Promise<{ get: string; set: string }> {
  const client = createClient({
    socket: {
      host: local.redis.host,
      port: local.redis.port,
      tls: true,
      ca: local.redis.caPem,
      reconnectStrategy: false,
    },
  });
  client.on('error', () => {});
  await client.connect();
  const reply = (args: string[]) =>
    client.sendCommand(args).then(
      (value) => String(value),
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
  try {
    await client.sendCommand(['AUTH', username, PASSWORD]);
    return {
      get: await reply(['GET', `${username}:key`]),
      set: await reply(['SET', `${username}:key`, 'v']),
    };
  } finally {
    client.destroy();
  }
}

describe('ElastiCache CreateUser', () => {
  it('creates a user that is creating for statusDelayMs, then active, and may log in only once a group holds it', async () => {
    // Arrange
    await local.aws.groups.create({ engine: 'elasticache', id: 'life-create-group' });
    local.aws.setDelays({ statusDelayMs: 200 });

    // Act
    const created = await createCacheUser('life-create');
    const loginWhileCreating = await local.redis.authenticates('life-create', PASSWORD);
    await waitForUser('elasticache', 'life-create', 'active');
    const loginOutsideGroups = await local.redis.authenticates('life-create', PASSWORD);
    await local.elastiCache.send(
      new ModifyUserGroupCommand({ UserGroupId: 'life-create-group', UserIdsToAdd: ['life-create'] }),
    );
    await vi.waitFor(
      async () => expect(await local.redis.authenticates('life-create', PASSWORD)).toBe(true),
      {
        timeout: 2_000,
      },
    );

    // Assert
    expect(created).toMatchObject({
      UserId: 'life-create',
      UserName: 'life-create',
      Status: 'creating',
      Engine: 'redis',
      AccessString: 'on ~* &* +@all',
      UserGroupIds: [],
      Authentication: { Type: 'password', PasswordCount: 1 },
      ARN: 'arn:aws:elasticache:eu-west-1:123456789012:user:life-create',
    });
    expect(loginWhileCreating).toBe(false);
    expect(loginOutsideGroups).toBe(false);
    expect(local.aws.users.get('elasticache', 'life-create')).toMatchObject({ governedByGroups: true });
    expect(local.aws.callsOf('CreateUser', 'elasticache').at(-1)?.params).toEqual({
      UserId: 'life-create',
      UserName: 'life-create',
      Engine: 'redis',
      AccessString: 'on ~* &* +@all',
    });
  });

  it('applies the access string in redis, so a read-only user can GET but gets NOPERM for SET', async () => {
    // Arrange
    await createCacheUser('life-reader', { accessString: READ_ONLY });
    await local.aws.groups.create({
      engine: 'elasticache',
      id: 'life-reader-group',
      members: ['life-reader'],
    });

    // Act
    const replies = await readAndWrite('life-reader');

    // Assert
    expect(replies.get).toBe('null');
    expect(replies.set).toMatch(/^NOPERM/);
  });

  it('stores the UserId lowercase and refuses a second user with that id with UserAlreadyExistsFault', async () => {
    // Arrange
    const created = await createCacheUser('Life-Twice');

    // Act
    const error = await rejection(createCacheUser('life-twice'));

    // Assert
    expect(created.UserId).toBe('life-twice');
    expect(error).toBeInstanceOf(UserAlreadyExistsFault);
    expect(local.aws.callsOf('CreateUser', 'elasticache').at(-1)?.error).toBe('UserAlreadyExistsFault');
  });

  it('refuses a malformed UserId, an unknown engine and a password-less request with InvalidParameterValueException', async () => {
    // Arrange
    const malformed = ['1-starts-with-digit', 'two--hyphens', 'ends-with-hyphen-', 'x'.repeat(41)];

    // Act
    const idErrors = await Promise.all(malformed.map((id) => rejection(createCacheUser(id))));
    const engineError = await rejection(createCacheUser('life-memcached', { engine: 'memcached' }));
    const noPassword = await rejection(
      local.elastiCache.send(
        new CreateUserCommand({
          UserId: 'life-nopass',
          UserName: 'life-nopass',
          Engine: 'redis',
          AccessString: 'on',
        }),
      ),
    );

    // Assert
    for (const error of [...idErrors, engineError, noPassword]) {
      expect(error).toBeInstanceOf(InvalidParameterValueException);
    }
    expect(local.aws.users.get('elasticache', 'life-nopass')).toBeUndefined();
  });

  it('reports the engine in any case as lowercase and pages DescribeUsers with MaxRecords and a Marker', async () => {
    // Arrange
    await createCacheUser('life-valkey-case', { engine: 'VALKEY' });
    for (let i = 0; i < 25; i++) {
      await local.aws.users.create({ engine: 'elasticache', id: `life-paged-${i}`, passwords: [PASSWORD] });
    }

    // Act
    const first = await local.elastiCache.send(new DescribeUsersCommand({ MaxRecords: 20 }));
    const rest = await local.elastiCache.send(
      new DescribeUsersCommand({ MaxRecords: 100, Marker: first.Marker }),
    );
    const valkey = await local.elastiCache.send(new DescribeUsersCommand({ UserId: 'life-valkey-case' }));
    const refused = await rejection(local.elastiCache.send(new DescribeUsersCommand({ MaxRecords: 10 })));

    // Assert
    expect(first.Users).toHaveLength(20);
    expect(rest.Marker).toBeUndefined();
    const listed = [...(first.Users ?? []), ...(rest.Users ?? [])];
    const ids = listed.map((user) => user.UserId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id?.startsWith('life-paged-'))).toHaveLength(25);
    expect(valkey.Users?.[0]).toMatchObject({ Engine: 'valkey', MinimumEngineVersion: '7.2' });
    expect(listed.find((user) => user.UserId === 'life-paged-0')?.Engine).toBe('redis');
    expect(refused).toBeInstanceOf(InvalidParameterValueException);
  });

  it('fails CreateUser with an injected fault before creating anything', async () => {
    // Arrange
    local.aws.failNext('CreateUser', 'InvalidParameterCombination', 1, 'elasticache');

    // Act
    const error = await rejection(createCacheUser('life-injected'));

    // Assert
    expect(error).toBeInstanceOf(InvalidParameterCombinationException);
    expect(local.aws.users.get('elasticache', 'life-injected')).toBeUndefined();
  });
});

describe('ElastiCache DeleteUser', () => {
  it('puts the user in deleting, takes it out of its groups at once, refuses its password, then forgets it', async () => {
    // Arrange
    await local.aws.users.create({ engine: 'elasticache', id: 'life-leaver', passwords: [PASSWORD] });
    await local.aws.groups.create({
      engine: 'elasticache',
      id: 'life-leaver-group',
      members: ['life-leaver'],
    });
    const loginBefore = await local.redis.authenticates('life-leaver', PASSWORD);
    local.aws.setDelays({ statusDelayMs: 300, propagationDelayMs: 50 });

    // Act
    const deleted = await local.elastiCache.send(new DeleteUserCommand({ UserId: 'life-leaver' }));
    const members = local.aws.groups.get('elasticache', 'life-leaver-group')?.members;
    await vi.waitFor(
      async () => expect(await local.redis.authenticates('life-leaver', PASSWORD)).toBe(false),
      {
        timeout: 2_000,
      },
    );
    const statusAfterLogout = local.aws.users.get('elasticache', 'life-leaver')?.status;
    await vi.waitFor(() => expect(local.aws.users.get('elasticache', 'life-leaver')).toBeUndefined(), {
      timeout: 2_000,
    });
    const described = await rejection(
      local.elastiCache.send(new DescribeUsersCommand({ UserId: 'life-leaver' })),
    );

    // Assert
    expect(loginBefore).toBe(true);
    expect(deleted).toMatchObject({ UserId: 'life-leaver', Status: 'deleting', UserGroupIds: [] });
    expect(members).toEqual(['default']);
    expect(statusAfterLogout).toBe('deleting');
    expect(described).toBeInstanceOf(UserNotFoundFault);
    expect(await local.redis.authenticates('life-leaver', PASSWORD)).toBe(false);
  });

  it('refuses the default user with DefaultUserAssociatedToUserGroupFault and a busy user with InvalidUserStateFault', async () => {
    // Arrange
    await local.aws.groups.create({ engine: 'elasticache', id: 'life-default-group' });
    await local.aws.users.create({ engine: 'elasticache', id: 'life-busy', passwords: [PASSWORD] });
    local.aws.users.setStatus('elasticache', 'life-busy', 'modifying');

    // Act
    const defaultError = await rejection(
      local.elastiCache.send(new DeleteUserCommand({ UserId: 'default' })),
    );
    const busyError = await rejection(local.elastiCache.send(new DeleteUserCommand({ UserId: 'life-busy' })));
    const unknownError = await rejection(
      local.elastiCache.send(new DeleteUserCommand({ UserId: 'life-nobody' })),
    );
    local.aws.users.setStatus('elasticache', 'life-busy', 'active');

    // Assert
    expect(defaultError).toBeInstanceOf(DefaultUserAssociatedToUserGroupFault);
    expect(busyError).toBeInstanceOf(InvalidUserStateFault);
    expect(unknownError).toBeInstanceOf(UserNotFoundFault);
    expect(local.aws.groups.get('elasticache', 'life-default-group')?.members).toEqual(['default']);
  });
});

describe('ElastiCache user group engines', () => {
  it('refuses a valkey user in a redis group with InvalidParameterCombinationException and takes it in a valkey group', async () => {
    // Arrange
    await createCacheUser('life-valkey-user', { engine: 'valkey' });
    await local.aws.groups.create({ engine: 'elasticache', id: 'life-redis-group' });
    await local.aws.groups.create({ engine: 'elasticache', id: 'life-valkey-group', serverEngine: 'valkey' });

    // Act
    const refused = await rejection(
      local.elastiCache.send(
        new ModifyUserGroupCommand({ UserGroupId: 'life-redis-group', UserIdsToAdd: ['life-valkey-user'] }),
      ),
    );
    const accepted = await local.elastiCache.send(
      new ModifyUserGroupCommand({ UserGroupId: 'life-valkey-group', UserIdsToAdd: ['life-valkey-user'] }),
    );
    await waitForGroup('elasticache', 'life-valkey-group', 'active');

    // Assert
    expect(refused).toBeInstanceOf(InvalidParameterCombinationException);
    expect((refused as Error).message).toMatch(/valkey users join only valkey user groups/);
    expect(accepted).toMatchObject({
      Engine: 'valkey',
      PendingChanges: { UserIdsToAdd: ['life-valkey-user'] },
    });
    expect(local.aws.groups.get('elasticache', 'life-valkey-group')?.members).toEqual(['life-valkey-user']);
    expect(await local.redis.authenticates('life-valkey-user', PASSWORD)).toBe(true);
  });

  it('creates a valkey group without a default user but refuses a redis group without one with DefaultUserRequired', async () => {
    // Arrange
    await local.aws.users.create({ engine: 'elasticache', id: 'life-plain', passwords: [PASSWORD] });

    // Act
    const valkey = await local.elastiCache.send(
      new CreateUserGroupCommand({
        UserGroupId: 'life-no-default',
        Engine: 'valkey',
        UserIds: ['life-plain'],
      }),
    );
    const redisError = await rejection(
      local.elastiCache.send(
        new CreateUserGroupCommand({
          UserGroupId: 'life-needs-default',
          Engine: 'redis',
          UserIds: ['life-plain'],
        }),
      ),
    );

    // Assert
    expect(valkey).toMatchObject({
      UserGroupId: 'life-no-default',
      Engine: 'valkey',
      UserIds: ['life-plain'],
    });
    expect(redisError).toBeInstanceOf(DefaultUserRequired);
    expect(local.aws.groups.get('elasticache', 'life-needs-default')).toBeUndefined();
  });
});

describe('ElastiCache CreateUserGroup and DeleteUserGroup', () => {
  it('creates a group that is creating for groupDelayMs, after which its members may log in', async () => {
    // Arrange
    await local.aws.groups.create({ engine: 'elasticache', id: 'life-seed-default' });
    await createCacheUser('life-founder');
    await waitForUser('elasticache', 'life-founder', 'active');
    local.aws.setDelays({ groupDelayMs: 200 });

    // Act
    const created = await local.elastiCache.send(
      new CreateUserGroupCommand({
        UserGroupId: 'Life-Founded',
        Engine: 'REDIS',
        UserIds: ['default', 'life-founder'],
      }),
    );
    const loginWhileCreating = await local.redis.authenticates('life-founder', PASSWORD);
    await waitForGroup('elasticache', 'life-founded', 'active');
    await vi.waitFor(
      async () => expect(await local.redis.authenticates('life-founder', PASSWORD)).toBe(true),
      {
        timeout: 2_000,
      },
    );
    const exists = await rejection(
      local.elastiCache.send(new CreateUserGroupCommand({ UserGroupId: 'life-founded', Engine: 'redis' })),
    );

    // Assert
    expect(created).toMatchObject({
      UserGroupId: 'life-founded',
      Status: 'creating',
      Engine: 'redis',
      UserIds: ['default', 'life-founder'],
      ReplicationGroups: [],
      ServerlessCaches: [],
    });
    expect(loginWhileCreating).toBe(false);
    expect(exists).toBeInstanceOf(UserGroupAlreadyExistsFault);
  });

  it('refuses to delete an attached group with InvalidUserGroupStateFault naming the cache, and deletes it once detached', async () => {
    // Arrange
    await local.aws.users.create({ engine: 'elasticache', id: 'life-attached-user', passwords: [PASSWORD] });
    await local.aws.groups.create({
      engine: 'elasticache',
      id: 'life-attached',
      members: ['life-attached-user'],
    });
    local.aws.groups.attach('elasticache', 'life-attached', 'prod-cache');
    local.aws.groups.attach('elasticache', 'life-attached', 'prod-serverless', { serverless: true });

    // Act
    const described = await local.elastiCache.send(
      new DescribeUserGroupsCommand({ UserGroupId: 'life-attached' }),
    );
    const refused = await rejection(
      local.elastiCache.send(new DeleteUserGroupCommand({ UserGroupId: 'life-attached' })),
    );
    local.aws.groups.detach('elasticache', 'life-attached', 'prod-cache');
    local.aws.groups.detach('elasticache', 'life-attached', 'prod-serverless');
    local.aws.setDelays({ groupDelayMs: 100 });
    const deleted = await local.elastiCache.send(
      new DeleteUserGroupCommand({ UserGroupId: 'life-attached' }),
    );
    await vi.waitFor(() => expect(local.aws.groups.get('elasticache', 'life-attached')).toBeUndefined(), {
      timeout: 2_000,
    });
    const gone = await rejection(
      local.elastiCache.send(new DescribeUserGroupsCommand({ UserGroupId: 'life-attached' })),
    );

    // Assert
    expect(described.UserGroups?.[0]).toMatchObject({
      ReplicationGroups: ['prod-cache'],
      ServerlessCaches: ['prod-serverless'],
    });
    expect(refused).toBeInstanceOf(InvalidUserGroupStateFault);
    expect((refused as Error).message).toMatch(/prod-cache.*prod-serverless/);
    expect(deleted).toMatchObject({ UserGroupId: 'life-attached', Status: 'deleting' });
    expect(gone).toBeInstanceOf(UserGroupNotFoundFault);
    await vi.waitFor(async () =>
      expect(await local.redis.authenticates('life-attached-user', PASSWORD)).toBe(false),
    );
  });
});

describe('ElastiCache tags', () => {
  it('round-trips tags of users and user groups through create, AddTagsToResource and ListTagsForResource', async () => {
    // Arrange
    await local.elastiCache.send(
      new CreateUserCommand({
        UserId: 'life-tagged',
        UserName: 'life-tagged',
        Engine: 'redis',
        AccessString: READ_ONLY,
        Passwords: [PASSWORD],
        Tags: [
          { Key: 'owner', Value: 'team-a' },
          { Key: 'purpose', Value: 'ephemeral' },
        ],
      }),
    );
    await local.elastiCache.send(
      new CreateUserGroupCommand({
        UserGroupId: 'life-tagged-group',
        Engine: 'valkey',
        Tags: [{ Key: 'owner', Value: 'team-b' }],
      }),
    );

    // Act
    const added = await local.elastiCache.send(
      new AddTagsToResourceCommand({
        ResourceName: 'arn:aws:elasticache:eu-west-1:123456789012:user:life-tagged',
        Tags: [{ Key: 'owner', Value: 'team-c' }],
      }),
    );
    const userTags = await local.elastiCache.send(
      new ListTagsForResourceCommand({
        ResourceName: 'arn:aws:elasticache:eu-west-1:123456789012:user:life-tagged',
      }),
    );
    const groupTags = await local.elastiCache.send(
      new ListTagsForResourceCommand({
        ResourceName: 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:life-tagged-group',
      }),
    );
    const unknown = await rejection(
      local.elastiCache.send(
        new ListTagsForResourceCommand({
          ResourceName: 'arn:aws:elasticache:eu-west-1:123456789012:user:life-untagged',
        }),
      ),
    );

    // Assert
    expect(added.TagList).toEqual([
      { Key: 'owner', Value: 'team-c' },
      { Key: 'purpose', Value: 'ephemeral' },
    ]);
    expect(local.aws.users.tagsOf('elasticache', 'life-tagged')).toEqual({
      owner: 'team-c',
      purpose: 'ephemeral',
    });
    expect(userTags.TagList).toEqual(added.TagList);
    expect(groupTags.TagList).toEqual([{ Key: 'owner', Value: 'team-b' }]);
    expect(unknown).toBeInstanceOf(UserNotFoundFault);
  });
});

describe('MemoryDB user lifecycle', () => {
  it('creates a user that is creating, then active, with its access string applied once an ACL holds it', async () => {
    // Arrange
    local.aws.setDelays({ statusDelayMs: 200 });

    // Act
    const created = await createMemoryDbUser('mdb-life-reader', READ_ONLY);
    const duplicate = await rejection(createMemoryDbUser('mdb-life-reader'));
    await waitForUser('memorydb', 'mdb-life-reader', 'active');
    const loginOutsideAcls = await local.redis.authenticates('mdb-life-reader', PASSWORD);
    await local.memoryDb.send(
      new CreateACLCommand({ ACLName: 'mdb-life-acl', UserNames: ['mdb-life-reader'] }),
    );
    await waitForGroup('memorydb', 'mdb-life-acl', 'active');
    // AUTH is refused until the membership reaches redis; the user may not PING, so authenticates() cannot tell.
    const replies = await vi.waitFor(() => readAndWrite('mdb-life-reader'), { timeout: 2_000 });

    // Assert
    expect(created.User).toMatchObject({
      Name: 'mdb-life-reader',
      Status: 'creating',
      AccessString: READ_ONLY,
      ACLNames: [],
      Authentication: { Type: 'password', PasswordCount: 1 },
      ARN: 'arn:aws:memorydb:eu-west-1:123456789012:user/mdb-life-reader',
    });
    expect(duplicate).toBeInstanceOf(MemoryDbUserAlreadyExistsFault);
    expect(loginOutsideAcls).toBe(false);
    expect(replies.get).toBe('null');
    expect(replies.set).toMatch(/^NOPERM/);
  });

  it('deletes a user out of every ACL, then forgets it, but refuses the built-in default user', async () => {
    // Arrange
    await local.aws.users.create({ engine: 'memorydb', id: 'mdb-life-leaver', passwords: [PASSWORD] });
    await local.aws.groups.create({
      engine: 'memorydb',
      id: 'mdb-life-leaver-acl',
      members: ['mdb-life-leaver'],
    });
    local.aws.setDelays({ statusDelayMs: 200 });

    // Act
    const deleted = await local.memoryDb.send(new DeleteMemoryDbUserCommand({ UserName: 'mdb-life-leaver' }));
    const members = local.aws.groups.get('memorydb', 'mdb-life-leaver-acl')?.members;
    await vi.waitFor(() => expect(local.aws.users.get('memorydb', 'mdb-life-leaver')).toBeUndefined(), {
      timeout: 2_000,
    });
    const described = await rejection(
      local.memoryDb.send(new DescribeMemoryDbUsersCommand({ UserName: 'mdb-life-leaver' })),
    );
    const defaultError = await rejection(
      local.memoryDb.send(new DeleteMemoryDbUserCommand({ UserName: 'default' })),
    );

    // Assert
    expect(deleted.User).toMatchObject({ Name: 'mdb-life-leaver', Status: 'deleting', ACLNames: [] });
    expect(members).toEqual([]);
    expect(described).toBeInstanceOf(MemoryDbUserNotFoundFault);
    expect(await local.redis.authenticates('mdb-life-leaver', PASSWORD)).toBe(false);
    expect(defaultError).toBeInstanceOf(MemoryDbInvalidParameterValueException);
    expect(local.aws.groups.get('memorydb', 'open-access')?.members).toEqual(['default']);
  });

  it('pages DescribeUsers with MaxResults and a NextToken', async () => {
    // Arrange
    for (let i = 0; i < 5; i++) {
      await local.aws.users.create({ engine: 'memorydb', id: `mdb-life-paged-${i}`, passwords: [PASSWORD] });
    }

    // Act
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await local.memoryDb.send(
        new DescribeMemoryDbUsersCommand({ MaxResults: 2, NextToken: token }),
      );
      pages.push(page.Users?.map((user) => user.Name ?? '') ?? []);
      token = page.NextToken;
    } while (token !== undefined);

    // Assert
    expect(pages.every((page) => page.length <= 2)).toBe(true);
    expect(pages.flat().filter((name) => name.startsWith('mdb-life-paged-'))).toHaveLength(5);
  });
});

describe('MemoryDB CreateACL and DeleteACL', () => {
  it('creates an ACL without a default user and refuses an existing name with ACLAlreadyExistsFault', async () => {
    // Arrange
    local.aws.setDelays({ groupDelayMs: 100 });

    // Act
    const created = await local.memoryDb.send(
      new CreateACLCommand({ ACLName: 'mdb-life-empty', Tags: [{ Key: 'owner', Value: 'team-a' }] }),
    );
    const exists = await rejection(local.memoryDb.send(new CreateACLCommand({ ACLName: 'mdb-life-empty' })));
    await waitForGroup('memorydb', 'mdb-life-empty', 'active');
    const tags = await local.memoryDb.send(
      new ListTagsCommand({ ResourceArn: 'arn:aws:memorydb:eu-west-1:123456789012:acl/mdb-life-empty' }),
    );

    // Assert
    expect(created.ACL).toMatchObject({
      Name: 'mdb-life-empty',
      Status: 'creating',
      UserNames: [],
      Clusters: [],
    });
    expect(exists).toBeInstanceOf(ACLAlreadyExistsFault);
    expect(tags.TagList).toEqual([{ Key: 'owner', Value: 'team-a' }]);
  });

  it('refuses to delete an attached ACL or open-access, and deletes a detached one', async () => {
    // Arrange
    await local.aws.groups.create({ engine: 'memorydb', id: 'mdb-life-attached' });
    local.aws.groups.attach('memorydb', 'mdb-life-attached', 'prod-cluster');

    // Act
    const described = await local.memoryDb.send(new DescribeACLsCommand({ ACLName: 'mdb-life-attached' }));
    const attached = await rejection(
      local.memoryDb.send(new DeleteACLCommand({ ACLName: 'mdb-life-attached' })),
    );
    const openAccess = await rejection(local.memoryDb.send(new DeleteACLCommand({ ACLName: 'open-access' })));
    local.aws.groups.detach('memorydb', 'mdb-life-attached', 'prod-cluster');
    const deleted = await local.memoryDb.send(new DeleteACLCommand({ ACLName: 'mdb-life-attached' }));
    await vi.waitFor(() => expect(local.aws.groups.get('memorydb', 'mdb-life-attached')).toBeUndefined());
    const gone = await rejection(
      local.memoryDb.send(new DescribeACLsCommand({ ACLName: 'mdb-life-attached' })),
    );

    // Assert
    expect(described.ACLs?.[0]?.Clusters).toEqual(['prod-cluster']);
    expect(attached).toBeInstanceOf(InvalidACLStateFault);
    expect((attached as Error).message).toMatch(/clusters prod-cluster/);
    expect(openAccess).toBeInstanceOf(MemoryDbInvalidParameterValueException);
    expect(deleted.ACL).toMatchObject({ Name: 'mdb-life-attached', Status: 'deleting' });
    expect(gone).toBeInstanceOf(ACLNotFoundFault);
  });

  it('round-trips user tags through CreateUser and ListTags', async () => {
    // Arrange
    await local.memoryDb.send(
      new CreateMemoryDbUserCommand({
        UserName: 'mdb-life-tagged',
        AccessString: READ_ONLY,
        AuthenticationMode: { Type: 'password', Passwords: [PASSWORD] },
        Tags: [{ Key: 'owner', Value: 'team-a' }],
      }),
    );

    // Act
    const tags = await local.memoryDb.send(
      new ListTagsCommand({ ResourceArn: 'arn:aws:memorydb:eu-west-1:123456789012:user/mdb-life-tagged' }),
    );
    const unknown = await rejection(
      local.memoryDb.send(
        new ListTagsCommand({ ResourceArn: 'arn:aws:memorydb:eu-west-1:123456789012:acl/mdb-none' }),
      ),
    );

    // Assert
    expect(tags.TagList).toEqual([{ Key: 'owner', Value: 'team-a' }]);
    expect(unknown).toBeInstanceOf(ACLNotFoundFault);
  });
});

import { describe, expect, it } from 'vitest';
import { parseGroupArn } from '#core/cache/refs';
import { EPHEMERAL_TAGS } from '#core/requests/ephemeral-names';
import { EphemeralUsers, ephemeralUserId, readerOnlyPolicy } from '#core/requests/ephemeral-users';
import type { RequestedGrant } from '#core/requests/records';
import { FakeClock, FakeUsers } from '../../support/fakes';
import { FakeGroups } from '../../support/membership-fakes';
import { FakeVault } from '../../support/vault-fake';

const GROUP = parseGroupArn('arn:aws:memorydb:eu-west-1:123456789012:acl/prod-acl');
const NAMES = {
  userPrefix: 'jit-abc123-',
  secretPrefix: 'cache-access/jit-abc123/',
  functionRoleArn: 'arn:aws:iam::123456789012:role/fn',
};
const RULE = {
  accessString: 'on ~* -@all +@read',
  maxActive: 3,
  readers: ['arn:aws:iam::123456789012:role/oncall'],
};

function setUp() {
  const users = new FakeUsers();
  const groups = new FakeGroups();
  groups.add(GROUP, []);
  const vault = new FakeVault();
  vault.principals.add(RULE.readers[0] ?? '');
  const service = new EphemeralUsers({
    users: { elasticache: users, memorydb: users },
    groups: { elasticache: groups, memorydb: groups },
    vault,
    names: NAMES,
  });
  return { users, vault, service, deadline: new FakeClock().deadline() };
}

function grantFor(service: EphemeralUsers, requestId: string): RequestedGrant {
  const { user, secretName } = service.namesFor(requestId);
  return {
    requestId,
    groupArn: GROUP.arn,
    user,
    requestedBy: 'oncall@example.com',
    reason: 'INC-1',
    duration: 'PT1H',
    fingerprint: 'f',
    grantedAt: '2026-12-02T10:00:00.000Z',
    expiresAt: '2026-12-02T11:00:00.000Z',
    status: 'open',
    grantedPublished: false,
    endPublished: false,
    ephemeral: { rule: 'readonly-debug', reader: RULE.readers[0] ?? '', secretName },
  };
}

const userArn = (id: string) => `arn:aws:memorydb:eu-west-1:123456789012:user/${id}`;

describe('EphemeralUsers', () => {
  it('derives one user id per request, within 40 characters, under the prefix', () => {
    const id = ephemeralUserId(NAMES.userPrefix, 'CHG:1234');
    expect(id).toMatch(/^jit-abc123-[0-9a-f]{16}$/);
    expect(ephemeralUserId(NAMES.userPrefix, 'CHG:1234')).toBe(id);
    expect(ephemeralUserId(NAMES.userPrefix, 'CHG:1235')).not.toBe(id);
  });

  it('makes the secret empty, locks it to the reader, then puts the value, then makes the user with that password', async () => {
    // Arrange
    const { users, vault, service, deadline } = setUp();
    const grant = grantFor(service, 'CHG-1');
    const seenByCreateUser: (string | undefined)[] = [];
    const createUser = users.createUser.bind(users);
    users.createUser = async (user, spec) => {
      seenByCreateUser.push(vault.secrets.get(grant.ephemeral?.secretName ?? '')?.value);
      return createUser(user, spec);
    };

    // Act
    const made = await service.provision(grant, RULE, GROUP, deadline);

    // Assert: the calls in that order, the value only ever behind the policy
    expect(vault.calls).toEqual(['ensure', 'restrict', 'read', 'store']);
    const stored = vault.secrets.get(grant.ephemeral?.secretName ?? '');
    expect(made).toEqual({ secretArn: stored?.arn });
    expect(stored?.valueBeforePolicy).toBe(false);
    expect(seenByCreateUser).toEqual([stored?.value]);
    const value = JSON.parse(stored?.value ?? '{}');
    expect(value).toEqual({
      username: grant.user,
      password: expect.stringMatching(/^.{64}$/),
      user_arn: userArn(grant.user),
      expires_at: grant.expiresAt,
    });
    expect(stored?.token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(users.users.get(userArn(grant.user))?.passwords).toEqual([value.password]);
    expect(stored?.tags).toEqual({
      [EPHEMERAL_TAGS.request]: 'CHG-1',
      [EPHEMERAL_TAGS.expiresAt]: grant.expiresAt,
    });
    expect(JSON.parse(stored?.policy ?? '{}')).toEqual(
      JSON.parse(readerOnlyPolicy(stored?.arn ?? '', RULE.readers[0] ?? '', NAMES.functionRoleArn)),
    );
  });

  it('uses the password an earlier attempt stored when delivered again, making nothing twice', async () => {
    // Arrange
    const { users, vault, service, deadline } = setUp();
    const grant = grantFor(service, 'CHG-2');
    await service.provision(grant, RULE, GROUP, deadline);

    // Act
    await service.provision(grant, RULE, GROUP, deadline);

    // Assert
    expect(vault.secrets.size).toBe(1);
    expect(vault.calls.filter((call) => call === 'store')).toHaveLength(1);
    expect(users.setCalls).toEqual([]);
  });

  it.each([
    ['the policy', 'restrict'],
    ['reading the value back', 'read'],
    ['putting the value', 'store'],
    ['creating the user', 'createUser'],
  ] as const)(
    'converges on a retry after a crash at %s, with one secret and one password that works',
    async (_step, failing) => {
      // Arrange: the step fails once, before it changes anything
      const { users, vault, service, deadline } = setUp();
      const grant = grantFor(service, 'CHG-crash');
      if (failing === 'createUser') {
        const createUser = users.createUser.bind(users);
        users.createUser = async () => {
          users.createUser = createUser;
          throw new Error('createUser failed: ServiceUnavailable');
        };
      } else vault.failNext(failing);

      // Act
      const first = await service.provision(grant, RULE, GROUP, deadline).catch((error: Error) => error);
      const second = await service.provision(grant, RULE, GROUP, deadline);

      // Assert
      expect(first).toBeInstanceOf(Error);
      const stored = vault.secrets.get(grant.ephemeral?.secretName ?? '');
      expect(second).toEqual({ secretArn: stored?.arn });
      expect(vault.secrets.size).toBe(1);
      expect(stored?.valueBeforePolicy).toBe(false);
      expect(users.users.get(userArn(grant.user))?.passwords).toEqual([
        JSON.parse(stored?.value ?? '{}').password,
      ]);
      // A value, once put, is read back on the retry, never made again.
      expect(vault.calls.filter((call) => call === 'store')).toHaveLength(failing === 'store' ? 2 : 1);
    },
  );

  it('keeps one password when two deliveries of the request both find the secret empty at once', async () => {
    // Arrange
    const { users, vault, service, deadline } = setUp();
    const grant = grantFor(service, 'CHG-twice');

    // Act
    const made = await Promise.all([
      service.provision(grant, RULE, GROUP, deadline),
      service.provision(grant, RULE, GROUP, deadline),
    ]);

    // Assert: both stored under the same token, the first value stayed, and the user has it
    expect(vault.calls.filter((call) => call === 'store')).toHaveLength(2);
    const stored = vault.secrets.get(grant.ephemeral?.secretName ?? '');
    expect(made).toEqual([{ secretArn: stored?.arn }, { secretArn: stored?.arn }]);
    expect(users.users.get(userArn(grant.user))?.passwords).toEqual([
      JSON.parse(stored?.value ?? '{}').password,
    ]);
  });

  it('refuses a reader that does not exist, naming it, and leaves neither secret nor user', async () => {
    // Arrange
    const { users, vault, service, deadline } = setUp();
    const grant = grantFor(service, 'CHG-ghost');
    const ghost = 'arn:aws:iam::123456789012:role/oncall-ghost';
    const asked = {
      ...grant,
      ephemeral: { ...(grant.ephemeral ?? { rule: '', secretName: '' }), reader: ghost },
    };

    // Act
    const made = await service.provision(asked, RULE, GROUP, deadline);

    // Assert
    expect(made).toEqual({
      refusal: expect.stringContaining(`reader '${ghost}' is not an existing IAM role or user`),
    });
    expect(vault.calls).toEqual(['ensure', 'restrict', 'remove']);
    expect(vault.secrets.size).toBe(0);
    expect(users.users.size).toBe(0);
  });

  it('deletes a user an earlier attempt made when the reader has since ceased to exist', async () => {
    // Arrange: the first attempt made everything but failed to report it; then the reader role was deleted
    const { users, vault, service, deadline } = setUp();
    const grant = grantFor(service, 'CHG-deleted-reader');
    await service.provision(grant, RULE, GROUP, deadline);
    vault.principals.clear();

    // Act
    const made = await service.provision(grant, RULE, GROUP, deadline);

    // Assert
    expect(made).toHaveProperty('refusal');
    expect(vault.secrets.size).toBe(0);
    expect(users.users.has(userArn(grant.user))).toBe(false);
  });

  it('refuses a secret found damaged from an earlier attempt without its value in the error, and makes no user', async () => {
    // Arrange: someone edited the request's secret by hand and broke its JSON
    const { users, vault, service, deadline } = setUp();
    const grant = grantFor(service, 'CHG-damaged');
    const leaked = 'Pa55word-that-must-not-leak-0123456789';
    vault.secrets.set(grant.ephemeral?.secretName ?? '', {
      arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:damaged-AbCdEf',
      // JSON.parse would quote the part around the error: the password.
      value: `{"password": ${leaked}}`,
      tags: {},
    });

    // Act
    const failure = await service.provision(grant, RULE, GROUP, deadline).catch((error: Error) => error);

    // Assert
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain('is not valid JSON');
    expect(String(failure)).not.toContain(leaked.slice(0, 8));
    expect(users.users.get(userArn(grant.user))).toBeUndefined();
  });

  it('gives a user left behind the password of a secret made anew, so the reader holds a working one', async () => {
    // Arrange: the user exists but its secret was lost
    const { users, vault, service, deadline } = setUp();
    const grant = grantFor(service, 'CHG-3');
    await service.provision(grant, RULE, GROUP, deadline);
    vault.secrets.clear();

    // Act
    await service.provision(grant, RULE, GROUP, deadline);

    // Assert
    const value = JSON.parse(vault.secrets.get(grant.ephemeral?.secretName ?? '')?.value ?? '{}');
    expect(users.users.get(userArn(grant.user))?.passwords).toEqual([value.password]);
  });

  it('deletes the user and then its secret at the end, and does so again without complaint', async () => {
    // Arrange
    const { users, vault, service, deadline } = setUp();
    const grant = grantFor(service, 'CHG-4');
    await service.provision(grant, RULE, GROUP, deadline);

    // Act
    await service.retire(grant, GROUP, deadline);
    await service.retire(grant, GROUP, deadline);

    // Assert
    expect(users.users.has(userArn(grant.user))).toBe(false);
    expect(vault.secrets.size).toBe(0);
  });

  it('sweeps users and secrets of requests that are not open, leaves open and untagged ones, and counts the open ones', async () => {
    // Arrange
    const { users, vault, service, deadline } = setUp();
    const open = grantFor(service, 'CHG-open');
    const ended = grantFor(service, 'CHG-ended');
    await service.provision(open, RULE, GROUP, deadline);
    await service.provision(ended, RULE, GROUP, deadline);
    const stranger = {
      ...GROUP,
      kind: 'user' as const,
      id: 'jit-abc123-untagged',
      arn: userArn('jit-abc123-untagged'),
    };
    await users.createUser(stranger, {
      userName: stranger.id,
      accessString: 'on',
      password: 'x'.repeat(32),
      tags: {},
    });

    // Act
    const swept = await service.sweep(
      [{ engine: 'memorydb', group: GROUP }],
      async (id) => id === 'CHG-open',
      deadline,
    );

    // Assert
    expect(swept).toEqual({ removed: [userArn(ended.user)], alive: 1 });
    expect(users.users.has(userArn(open.user))).toBe(true);
    expect(users.users.has(stranger.arn)).toBe(true);
    expect([...vault.secrets.keys()]).toEqual([open.ephemeral?.secretName]);
  });
});

import {
  CreateSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createClient } from '@redis/client';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Engine, MembershipFunction } from '../../local';
import {
  busEvent,
  EPHEMERAL_NAMES,
  EXPIRY_GROUP,
  GROUP_MODIFY,
  groupArnOf,
  startMembershipFunction,
  uniqueName,
} from '../../local';
import { useLocalCloud } from '../support/local-cloud';

const bundle = inject('bundles').membership ?? '';
const BUS = 'cache-access';
const READER = 'arn:aws:iam::123456789012:role/oncall';
const READ_ONLY = 'on ~* &* -@all +@read +ping';

interface Credentials {
  readonly username: string;
  readonly password: string;
  readonly user_arn: string;
  readonly expires_at: string;
}

describe.each<Engine>(['elasticache', 'memorydb'])(
  'ephemeral users through the bundled membership function on %s',
  (engine) => {
    const cloud = useLocalCloud();
    // Resource policies may name only principals that exist.
    beforeAll(() => cloud.aws.iam.add(READER));
    const secrets = () =>
      new SecretsManagerClient({
        endpoint: cloud.aws.url,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });

    async function group(serverEngine?: 'redis' | 'valkey') {
      const id = uniqueName('grp');
      await cloud.aws.groups.create({ engine, id, ...(serverEngine && { serverEngine }) });
      return { id, arn: groupArnOf(engine, id) };
    }

    /** The bundled function with one ephemeral rule for the group; `tableName` shares an earlier start's table. */
    const startOn = (target: { arn: string }, maxActive: number, tableName?: string) =>
      startMembershipFunction(bundle, cloud.aws, [], {
        requests: {
          eventBusName: BUS,
          rules: [
            {
              name: 'readonly-debug',
              groupArn: target.arn,
              maxDuration: 'PT2H',
              ephemeral: {
                accessString: READ_ONLY,
                maxActive,
                readers: ['arn:aws:iam::123456789012:role/oncall*'],
              },
            },
          ],
        },
        ...(tableName && { tableName }),
      });

    async function start(target: { arn: string }, maxActive = 3): Promise<MembershipFunction> {
      const fn = await startOn(target, maxActive);
      cloud.fn = fn;
      return fn;
    }

    const request = (fn: MembershipFunction, requestId: string, groupArn: string, extra = {}) =>
      fn.invoke(
        busEvent('Cache Access Requested', {
          requestId,
          groupArn,
          ephemeral: { reader: READER },
          duration: 'PT1H',
          requestedBy: 'oncall@example.com',
          reason: 'INC-42: looking at the checkout cache',
          ...extra,
        }),
      );
    const ofRequest = (detailType: string, requestId: string) =>
      cloud.aws.events.entries.filter(
        (event) =>
          event.detailType === detailType &&
          event.eventBusName === BUS &&
          (event.detail as { requestId?: string }).requestId === requestId,
      );
    const grantedDetail = (requestId: string) =>
      ofRequest('Cache Access Granted', requestId)[0]?.detail as
        | { user: string; secretArn: string; expiresAt: string }
        | undefined;
    const credentials = async (secretArn: string): Promise<Credentials> =>
      JSON.parse(
        (await secrets().send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString ?? '',
      );
    const ephemeralUsers = () =>
      cloud.aws.users.list(engine).filter((user) => user.id.startsWith(EPHEMERAL_NAMES.userPrefix));
    /** What Scheduler would deliver once the expiry is due: the schedules fire at minute precision. */
    const fireExpiries = (requestId: string) =>
      cloud.aws.schedules
        .fireDue(new Date(Date.now() + 61_000))
        .filter((firing) => JSON.stringify(firing.input).includes(requestId));

    it('makes a user on request whose secret only the reader may read and whose password logs in, read-only, until the grant expires', async () => {
      // Arrange
      const target = await group();
      const fn = await start(target);
      const requestId = uniqueName('CHG');

      // Act
      // Long enough that a loaded machine still grants before it ends: the grant is checked against the clock.
      const result = await request(fn, requestId, target.arn, { duration: 'PT8S' });

      // Assert: granted, with the secret and the created user named, never a password
      expect(result).toMatchObject({ ok: true, result: { access: 'granted' } });
      const granted = grantedDetail(requestId);
      expect(granted?.user).toMatch(new RegExp(`^${EPHEMERAL_NAMES.userPrefix}[0-9a-f]{16}$`));
      expect(granted?.secretArn).toContain(`:secret:${EPHEMERAL_NAMES.secretPrefix}`);
      const secret = await credentials(granted?.secretArn ?? '');
      expect(secret).toMatchObject({
        username: granted?.user,
        user_arn: expect.stringContaining(granted?.user ?? ''),
      });
      expect(secret.expires_at).toBe(granted?.expiresAt);
      expect(JSON.stringify(cloud.aws.events.entries)).not.toContain(secret.password);
      expect(fn.logs.join('\n')).not.toContain(secret.password);
      // Assert: the user, tagged with its request, in the group with the rule's access string
      expect(cloud.aws.users.get(engine, secret.username)).toMatchObject({
        status: 'active',
        accessString: READ_ONLY,
      });
      expect(cloud.aws.users.tagsOf(engine, secret.username)).toMatchObject({
        'cache-access-automation:request': requestId,
      });
      expect(cloud.aws.groups.get(engine, target.id)?.members).toContain(secret.username);
      // Assert: the policy lets the reader read, and nobody else, whatever their identity policy says
      const { ResourcePolicy } = await secrets().send(
        new GetResourcePolicyCommand({ SecretId: granted?.secretArn }),
      );
      const policy = JSON.parse(ResourcePolicy ?? '{}');
      expect(mayRead(policy, READER, false)).toBe(true);
      expect(mayRead(policy, 'arn:aws:iam::123456789012:role/someone-else', true)).toBe(false);
      expect(mayRead(policy, EPHEMERAL_NAMES.functionRoleArn, true)).toBe(true);
      // Assert: the password logs in and reads, and may not write
      await expect(cloud.redis.authenticates(secret.username, secret.password)).resolves.toBe(true);
      await expect(writeAs(secret)).rejects.toThrow(/NOPERM/);

      // Act: the expiry schedule fires once the grant has ended
      await new Promise((resolve) =>
        setTimeout(resolve, Date.parse(granted?.expiresAt ?? '') - Date.now() + 50),
      );
      const [expiry] = fireExpiries(requestId);
      const ended = await fn.invoke(expiry?.input);

      // Assert: user and secret gone, the password refused, the end announced once
      expect(ended.ok).toBe(true);
      expect(cloud.aws.users.get(engine, secret.username)).toBeUndefined();
      expect(cloud.aws.secrets.exists(granted?.secretArn ?? '')).toBe(false);
      await expect(cloud.redis.authenticates(secret.username, secret.password)).resolves.toBe(false);
      expect(ofRequest('Cache Access Ended', requestId).map((event) => event.detail)).toEqual([
        expect.objectContaining({ requestId, user: secret.username, cause: 'expired' }),
      ]);
    });

    it.each([
      [
        'revoked',
        (requestId: string) =>
          busEvent('Cache Access Revoked', {
            requestId,
            revokedBy: 'lead@example.com',
            reason: 'done early',
          }),
      ],
      [
        'suspended',
        (_requestId: string, user: string) =>
          busEvent('Cache User Suspended', {
            user,
            suspendedBy: 'security@example.com',
            reason: 'INC-7: token leaked',
          }),
      ],
    ] as const)(
      'deletes the user and its secret at once when the grant is %s early',
      async (cause, ending) => {
        // Arrange
        const target = await group();
        const fn = await start(target);
        const requestId = uniqueName('CHG');
        await request(fn, requestId, target.arn);
        const granted = grantedDetail(requestId);
        const secret = await credentials(granted?.secretArn ?? '');

        // Act
        const ended = await fn.invoke(ending(requestId, secret.username));

        // Assert
        expect(ended).toMatchObject({ ok: true, result: { access: cause } });
        expect(cloud.aws.users.get(engine, secret.username)).toBeUndefined();
        expect(cloud.aws.secrets.exists(granted?.secretArn ?? '')).toBe(false);
        await expect(cloud.redis.authenticates(secret.username, secret.password)).resolves.toBe(false);
        expect(cloud.aws.schedules.list(EXPIRY_GROUP).some((s) => s.input?.includes(requestId))).toBe(false);
        expect(ofRequest('Cache Access Ended', requestId).map((event) => event.detail)).toEqual([
          expect.objectContaining({ cause, user: secret.username }),
        ]);
      },
    );

    it('makes one user and one secret when EventBridge delivers the request twice', async () => {
      // Arrange
      const target = await group();
      const fn = await start(target);
      const requestId = uniqueName('CHG');
      const createsBefore = cloud.aws.callsOf('CreateUser', engine).length;

      // Act
      const first = await request(fn, requestId, target.arn);
      const second = await request(fn, requestId, target.arn);

      // Assert
      expect(first).toMatchObject({ ok: true, result: { access: 'granted' } });
      expect(second).toMatchObject({ ok: true, result: { access: 'duplicate' } });
      expect(cloud.aws.callsOf('CreateUser', engine).length - createsBefore).toBe(1);
      expect(ofRequest('Cache Access Granted', requestId)).toHaveLength(1);
    });

    it.each([
      ['CreateSecret', 'secretsmanager'],
      ['PutResourcePolicy', 'secretsmanager'],
      ['PutSecretValue', 'secretsmanager'],
      ['CreateUser', engine],
      [GROUP_MODIFY[engine], engine],
    ] as const)(
      'converges on redelivery when %s fails mid-grant, with a password that works',
      async (operation, service) => {
        // Arrange: the call fails as often as the SDK tries it
        const target = await group();
        const fn = await start(target);
        const requestId = uniqueName('CHG');
        cloud.aws.failNext(operation, 'ServiceUnavailable', 3, service);

        // Act
        const first = await request(fn, requestId, target.arn);
        const second = await request(fn, requestId, target.arn);

        // Assert
        expect(first.ok).toBe(false);
        expect(second).toMatchObject({ ok: true, result: { access: 'granted' } });
        const granted = grantedDetail(requestId);
        const secret = await credentials(granted?.secretArn ?? '');
        expect(ephemeralUsers().filter((user) => user.id === secret.username)).toHaveLength(1);
        await expect(cloud.redis.authenticates(secret.username, secret.password)).resolves.toBe(true);
        expect(ofRequest('Cache Access Granted', requestId)).toHaveLength(1);
      },
    );

    it.each([
      ['DeleteUser', engine],
      ['DeleteSecret', 'secretsmanager'],
    ] as const)(
      'converges on the retried expiry when %s fails at the end, announcing the end once',
      async (operation, service) => {
        // Arrange
        const target = await group();
        const fn = await start(target);
        const requestId = uniqueName('CHG');
        await request(fn, requestId, target.arn, { duration: 'PT1S' });
        const granted = grantedDetail(requestId);
        const [expiry] = fireExpiries(requestId);
        cloud.aws.failNext(operation, 'ServiceUnavailable', 3, service);

        // Act: Lambda retries the failed asynchronous invocation
        const first = await fn.invoke(expiry?.input);
        const second = await fn.invoke(expiry?.input);

        // Assert
        expect(first.ok).toBe(false);
        expect(second.ok).toBe(true);
        expect(cloud.aws.users.get(engine, granted?.user ?? '')).toBeUndefined();
        expect(cloud.aws.secrets.exists(granted?.secretArn ?? '')).toBe(false);
        expect(ofRequest('Cache Access Ended', requestId)).toHaveLength(1);
      },
    );

    it('lets no more than maxActive requests have a user when they arrive at once on two function instances', async () => {
      // Arrange
      const target = await group();
      const fn = await start(target, 2);
      const other = await startOn(target, 2, fn.tableName);
      const ids = [1, 2, 3, 4, 5].map(() => uniqueName('CHG'));

      // Act
      const results = await Promise.all(ids.map((id, n) => request(n % 2 ? other : fn, id, target.arn)));
      // Those that found another event being handled wait in the queue, for a batch.
      await Promise.all([fn.batches?.settled(), other.batches?.settled()]);
      await other.stop();

      // Assert
      expect(results.every((r) => r.ok)).toBe(true);
      expect(ids.filter((id) => ofRequest('Cache Access Granted', id).length === 1)).toHaveLength(2);
      expect(
        ephemeralUsers().filter((user) => cloud.aws.groups.get(engine, target.id)?.members.includes(user.id)),
      ).toHaveLength(2);
      const refusals = ids.flatMap((id) => ofRequest('Cache Access Request Refused', id));
      expect(refusals.map((event) => (event.detail as { refusal: string }).refusal)).toEqual(
        Array(3).fill(expect.stringContaining('maxActive 2')),
      );
    });

    it('sweeps at the periodic reconcile an ephemeral user and secret whose request was never recorded, and leaves untagged ones', async () => {
      // Arrange: what a crash could leave, and a look-alike the stack did not make
      const target = await group();
      const fn = await start(target);
      const orphan = `${EPHEMERAL_NAMES.userPrefix}0123456789abcdef`;
      const lookalike = `${EPHEMERAL_NAMES.userPrefix}fedcba9876543210`;
      await cloud.aws.users.create({
        engine,
        id: orphan,
        passwords: ['orphan-password-0123456789'],
        tags: { 'cache-access-automation:request': 'CHG-never-recorded' },
      });
      await cloud.aws.users.create({ engine, id: lookalike, passwords: ['lookalike-password-0123456789'] });
      const { ARN } = await secrets().send(
        new CreateSecretCommand({
          Name: `${EPHEMERAL_NAMES.secretPrefix}0123456789abcdef`,
          SecretString: '{}',
          Tags: [{ Key: 'cache-access-automation:request', Value: 'CHG-never-recorded' }],
        }),
      );

      // Act
      const swept = await fn.invoke({ trigger: 'reconcile' });

      // Assert
      expect(swept.ok).toBe(true);
      expect(cloud.aws.users.get(engine, orphan)).toBeUndefined();
      expect(cloud.aws.secrets.exists(ARN ?? '')).toBe(false);
      expect(cloud.aws.users.get(engine, lookalike)).toBeDefined();
    });

    it('sweeps a user and secret made again for a request that had already ended, as a provisioning racing a revoke leaves them', async () => {
      // Arrange: the request was revoked and its user deleted; a slower invocation then made them again
      const target = await group();
      const fn = await start(target);
      const requestId = uniqueName('CHG');
      await request(fn, requestId, target.arn);
      const { user, secretArn } = grantedDetail(requestId) ?? { user: '', secretArn: '' };
      await fn.invoke(
        busEvent('Cache Access Revoked', { requestId, revokedBy: 'lead@example.com', reason: 'done' }),
      );
      const tags = { 'cache-access-automation:request': requestId };
      await cloud.aws.users.create({ engine, id: user, passwords: ['late-password-0123456789'], tags });
      const { ARN } = await secrets().send(
        new CreateSecretCommand({
          Name: secretArn.split(':secret:')[1]?.replace(/-[A-Za-z0-9]{6}$/, ''),
          SecretString: '{}',
          Tags: [{ Key: 'cache-access-automation:request', Value: requestId }],
        }),
      );

      // Act
      const swept = await fn.invoke({ trigger: 'reconcile' });

      // Assert
      expect(swept.ok).toBe(true);
      expect(cloud.aws.users.get(engine, user)).toBeUndefined();
      expect(cloud.aws.secrets.exists(ARN ?? '')).toBe(false);
      expect(ofRequest('Cache Access Ended', requestId)).toHaveLength(1);
    });

    if (engine === 'elasticache') {
      it('makes a valkey user for a valkey group, which needs no default user', async () => {
        // Arrange
        const target = await group('valkey');
        const fn = await start(target);
        const requestId = uniqueName('CHG');

        // Act
        const result = await request(fn, requestId, target.arn);

        // Assert
        expect(result).toMatchObject({ ok: true, result: { access: 'granted' } });
        const user = grantedDetail(requestId)?.user ?? '';
        expect(cloud.aws.users.get(engine, user)).toMatchObject({ serverEngine: 'valkey' });
        expect(cloud.aws.groups.get(engine, target.id)?.members).toEqual([user]);
      });
    }

    /** A rule that gives the group to an existing user too, and that user; `tableName` as for `startOn`. */
    async function startWithUser(target: { arn: string }, maxActive = 3) {
      const user = uniqueName('usr');
      const password = 'existing-user-password-0123456789';
      await cloud.aws.users.create({ engine, id: user, passwords: [password], governedByGroups: true });
      const fn = await startMembershipFunction(bundle, cloud.aws, [], {
        requests: {
          eventBusName: BUS,
          rules: [
            {
              name: 'readonly-debug',
              groupArn: target.arn,
              users: [user],
              ephemeral: { accessString: READ_ONLY, maxActive, readers: [READER] },
            },
          ],
        },
      });
      cloud.fn = fn;
      return { fn, user, password };
    }
    const members = (target: { id: string }) => cloud.aws.groups.get(engine, target.id)?.members ?? [];

    it('grants an existing user while another request’s ephemeral user is not made yet, and the periodic reconcile finishes that one', async () => {
      // Arrange: a request whose invocation failed, retries and all, before its user was made
      const target = await group();
      const { fn, user, password } = await startWithUser(target);
      const stuck = uniqueName('CHG');
      cloud.aws.failNext('CreateUser', 'ServiceUnavailable', 3, engine);
      expect((await request(fn, stuck, target.arn)).ok).toBe(false);

      // Act
      const other = await fn.invoke(
        busEvent('Cache Access Requested', {
          requestId: uniqueName('CHG'),
          groupArn: target.arn,
          user,
          duration: 'PT1H',
          requestedBy: 'oncall@example.com',
          reason: 'INC-43',
        }),
      );
      const periodic = await fn.invoke({ trigger: 'reconcile' });

      // Assert: the half-made grant never held up the other, and converged without a redelivery
      expect(other).toMatchObject({ ok: true, result: { access: 'granted' } });
      await expect(cloud.redis.authenticates(user, password)).resolves.toBe(true);
      expect(periodic.ok).toBe(true);
      const granted = grantedDetail(stuck);
      const secret = await credentials(granted?.secretArn ?? '');
      expect(members(target)).toEqual(expect.arrayContaining([user, secret.username]));
      await expect(cloud.redis.authenticates(secret.username, secret.password)).resolves.toBe(true);
    });

    it('still removes other ended grants when an ephemeral user cannot be deleted, fails the run, and keeps its slot', async () => {
      // Arrange: an ephemeral grant and an existing user's grant, both about to expire; one slot only
      const target = await group();
      const { fn, user, password } = await startWithUser(target, 1);
      const ephemeral = uniqueName('CHG');
      await request(fn, ephemeral, target.arn, { duration: 'PT1S' });
      await fn.invoke(
        busEvent('Cache Access Requested', {
          requestId: uniqueName('CHG'),
          groupArn: target.arn,
          user,
          duration: 'PT1S',
          requestedBy: 'oncall@example.com',
          reason: 'INC-44',
        }),
      );
      const secret = await credentials(grantedDetail(ephemeral)?.secretArn ?? '');
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      // DeleteUser fails on every try of this run: at the end of the grant and again in the sweep
      cloud.aws.failNext('DeleteUser', 'ServiceUnavailable', 6, engine);

      // Act
      const periodic = await fn.invoke({ trigger: 'reconcile' });
      const next = await request(fn, uniqueName('CHG'), target.arn);

      // Assert: the failure is raised, but only after both users left the group
      expect(periodic.ok).toBe(false);
      expect(members(target)).not.toContain(user);
      expect(members(target)).not.toContain(secret.username);
      await expect(cloud.redis.authenticates(user, password)).resolves.toBe(false);
      await expect(cloud.redis.authenticates(secret.username, secret.password)).resolves.toBe(false);
      // The user still exists, so it still counts against maxActive
      expect(cloud.aws.users.get(engine, secret.username)).toBeDefined();
      expect(next).toMatchObject({ ok: true, result: { access: 'refused' } });
    });

    it('puts the password into the secret only once the reader-only policy is on it, then makes the user', async () => {
      // Arrange
      const target = await group();
      const fn = await start(target);
      const requestId = uniqueName('CHG');
      const from = cloud.aws.calls.length;

      // Act
      await request(fn, requestId, target.arn);

      // Assert: empty secret, policy, value, user, in that order; the secret has that one version
      const secretArn = grantedDetail(requestId)?.secretArn ?? '';
      const order = cloud.aws.calls
        .slice(from)
        .map((call) => call.operation)
        .filter((op) => ['CreateSecret', 'PutResourcePolicy', 'PutSecretValue', 'CreateUser'].includes(op));
      expect(order).toEqual(['CreateSecret', 'PutResourcePolicy', 'PutSecretValue', 'CreateUser']);
      const [put] = cloud.aws.callsOf('PutSecretValue').slice(-1);
      expect(Object.keys(cloud.aws.secrets.stagesOf(secretArn))).toEqual([put?.params.ClientRequestToken]);
    });

    it('refuses a reader the rule matches but that does not exist, leaving no secret, no user and the slot free', async () => {
      // Arrange: one slot, and a reader the rule's oncall* pattern matches that IAM does not know
      const target = await group();
      const fn = await start(target, 1);
      const ghost = 'arn:aws:iam::123456789012:role/oncall-typo';
      const requestId = uniqueName('CHG');
      const usersBefore = ephemeralUsers().length;

      // Act
      const result = await request(fn, requestId, target.arn, { ephemeral: { reader: ghost } });
      const next = await request(fn, uniqueName('CHG'), target.arn);

      // Assert: an answer naming the reader, not a failure
      expect(result).toMatchObject({ ok: true, result: { access: 'refused' } });
      const [refusal] = ofRequest('Cache Access Request Refused', requestId);
      expect((refusal?.detail as { refusal?: string } | undefined)?.refusal).toContain(
        `reader '${ghost}' is not an existing IAM role or user`,
      );
      expect(ofRequest('Cache Access Granted', requestId)).toEqual([]);
      // Assert: nothing left behind, and the one slot went to the next request
      const secretName = cloud.aws.callsOf('CreateSecret').at(-2)?.params.Name ?? '';
      expect(cloud.aws.secrets.exists(String(secretName))).toBe(false);
      expect(cloud.aws.schedules.list(EXPIRY_GROUP).some((s) => s.input?.includes(requestId))).toBe(false);
      expect(next).toMatchObject({ ok: true, result: { access: 'granted' } });
      expect(ephemeralUsers()).toHaveLength(usersBefore + 1);
    });

    it('refuses a reader the rule does not list, and makes nothing', async () => {
      // Arrange
      const target = await group();
      const fn = await start(target);
      const requestId = uniqueName('CHG');
      const createsBefore = cloud.aws.callsOf('CreateUser', engine).length;

      // Act
      const result = await request(fn, requestId, target.arn, {
        ephemeral: { reader: 'arn:aws:iam::123456789012:role/intern' },
      });

      // Assert
      expect(result).toMatchObject({ ok: true, result: { access: 'refused' } });
      expect(cloud.aws.callsOf('CreateUser', engine).length).toBe(createsBefore);
      expect(
        (ofRequest('Cache Access Request Refused', requestId)[0]?.detail as { refusal?: string } | undefined)
          ?.refusal,
      ).toContain('reader arn:aws:iam::123456789012:role/intern may not receive credentials');
    });

    /** A write over TLS as the user: the read-only access string must refuse it. */
    async function writeAs(secret: Credentials): Promise<void> {
      const client = createClient({
        socket: {
          host: '127.0.0.1',
          port: cloud.redis.port,
          tls: true,
          ca: cloud.redis.caPem,
          reconnectStrategy: false,
        },
        username: secret.username,
        password: secret.password,
      });
      client.on('error', () => undefined);
      await client.connect();
      try {
        await client.set('ephemeral-write-probe', 'x');
      } finally {
        client.destroy();
      }
    }
  },
);

interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal: '*' | { readonly AWS: string | readonly string[] };
  readonly Action: string | readonly string[];
  readonly Condition?: { readonly ArnNotEquals?: Record<string, readonly string[]> };
}

/**
 * IAM's answer for a principal of the secret's own account reading it: an explicit Deny wins; else an
 * Allow in the resource policy naming the principal, or one in its identity policy, lets it read.
 */
function mayRead(
  policy: { Statement: readonly PolicyStatement[] },
  principal: string,
  identityAllows: boolean,
): boolean {
  const applies = (statement: PolicyStatement) => {
    const principals = statement.Principal === '*' ? ['*'] : [statement.Principal.AWS].flat();
    const actions = [statement.Action].flat();
    const notEquals = statement.Condition?.ArnNotEquals?.['aws:PrincipalArn'];
    return (
      (principals.includes('*') || principals.includes(principal)) &&
      actions.includes('secretsmanager:GetSecretValue') &&
      (notEquals === undefined || !notEquals.includes(principal))
    );
  };
  const applying = policy.Statement.filter(applies);
  if (applying.some((statement) => statement.Effect === 'Deny')) return false;
  return identityAllows || applying.some((statement) => statement.Effect === 'Allow');
}

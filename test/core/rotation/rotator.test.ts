import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EXCLUDED_PASSWORD_CHARACTERS } from '#core/cache/password';
import { parseUserArn } from '#core/cache/refs';
import { Rotator } from '#core/rotation/rotator';
import type { RotationStep } from '#core/rotation/steps';
import type { ResolvedTarget } from '#core/rotation/targets';
import {
  DeadlineExceededError,
  MalformedSecretError,
  RotationStateError,
  UnsupportedAuthenticationError,
  UserMismatchError,
  UserNotFoundError,
} from '#core/runtime/errors';
import { FakeClock, FakeCredentials, FakeSecretStore, FakeUsers } from '../../support/fakes';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-writer-AbCdEf';
const USER_ARN = 'arn:aws:elasticache:eu-west-1:123456789012:user:app-writer';
const OLD_PASSWORD = 'old-password-0123456789abcdef';
const TOKEN = 'token-1';

const target: ResolvedTarget = {
  secretArn: SECRET_ARN,
  userArn: USER_ARN,
  user: parseUserArn(USER_ARN),
  endpoint: { host: 'cache.example', port: 6379, tls: true },
};

const secretValue = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({ username: 'app-writer', password: OLD_PASSWORD, user_arn: USER_ARN, ...overrides });

describe('Rotator', () => {
  let clock: FakeClock;
  let secrets: FakeSecretStore;
  let users: FakeUsers;
  let credentials: FakeCredentials;
  let rotator: Rotator;

  const run = (
    step: RotationStep,
    options: { token?: string; deadlineMs?: number; on?: ResolvedTarget } = {},
  ) =>
    rotator.run({
      step,
      target: options.on ?? target,
      token: options.token ?? TOKEN,
      deadline: clock.deadline(options.deadlineMs),
    });

  const pendingPassword = () => JSON.parse(secrets.valueOf(TOKEN) ?? '{}').password as string;

  /** Records every pause the code under test sleeps, in order. */
  const recordPauses = () => {
    const pauses: number[] = [];
    const sleep = clock.sleep;
    clock.sleep = async (ms) => {
      pauses.push(ms);
      await sleep(ms);
    };
    return pauses;
  };

  /** A secret whose current value is `currentValue`, with a rotation under TOKEN just begun. */
  const startWith = (currentValue: string) => {
    secrets = new FakeSecretStore(currentValue);
    rotator = new Rotator({
      secrets,
      users: { elasticache: users, memorydb: users },
      credentials,
      passwordLength: 40,
    });
    secrets.beginRotation(TOKEN);
  };

  beforeEach(() => {
    clock = new FakeClock();
    users = new FakeUsers();
    users.add(target.user, { passwords: [OLD_PASSWORD] });
    credentials = new FakeCredentials(users);
    startWith(secretValue());
  });

  describe('createSecret', () => {
    it('stores a new password of the configured length as AWSPENDING under the token', async () => {
      const outcome = await run('createSecret');

      expect(outcome).toBe('done');
      expect(secrets.stagesOf(TOKEN)).toEqual(['AWSPENDING']);
      const pending = JSON.parse(secrets.valueOf(TOKEN) ?? '');
      expect(pending).toMatchObject({ username: 'app-writer', user_arn: USER_ARN });
      expect(pending.password).toHaveLength(40);
      expect(pending.password).not.toBe(OLD_PASSWORD);
      for (const c of EXCLUDED_PASSWORD_CHARACTERS) expect(pending.password).not.toContain(c);
    });

    it('keeps keys the team added to the secret', async () => {
      startWith(secretValue({ host: 'cache.example', port: 6379 }));

      await run('createSecret');

      expect(JSON.parse(secrets.valueOf(TOKEN) ?? '')).toMatchObject({ host: 'cache.example', port: 6379 });
    });

    it('leaves an existing pending value alone when run again for the same token', async () => {
      await run('createSecret');
      const first = secrets.valueOf(TOKEN);

      const outcome = await run('createSecret');

      expect(outcome).toBe('already-done');
      expect(secrets.valueOf(TOKEN)).toBe(first);
    });

    it('refuses a current secret that names another user and stores nothing', async () => {
      startWith(secretValue({ user_arn: 'arn:aws:elasticache:eu-west-1:123456789012:user:admin' }));

      await expect(run('createSecret')).rejects.toThrow(UserMismatchError);
      await expect(run('createSecret')).rejects.toThrow(/user:admin.*configured for.*user:app-writer/);
      expect(secrets.valueOf(TOKEN)).toBeUndefined();
      expect(secrets.writes).toBe(0);
    });

    it('refuses a current secret that is not JSON without quoting it', async () => {
      startWith(`{"password":"${OLD_PASSWORD}`);

      const error = await run('createSecret').catch((e: Error) => e);

      expect(error).toBeInstanceOf(MalformedSecretError);
      expect((error as Error).message).toMatch(/current version of secret .* is not valid JSON/);
      expect((error as Error).message).not.toContain(OLD_PASSWORD);
      expect(secrets.writes).toBe(0);
    });

    it('refuses a user that does not exist', async () => {
      users.users.clear();

      await expect(run('createSecret')).rejects.toThrow(UserNotFoundError);
      expect(secrets.writes).toBe(0);
    });

    it('refuses a user that authenticates with IAM instead of passwords', async () => {
      users.add(target.user, { authenticationType: 'iam' });

      await expect(run('createSecret')).rejects.toThrow(UnsupportedAuthenticationError);
      expect(secrets.writes).toBe(0);
    });

    it('refuses a secret whose username is not the name the user logs in with', async () => {
      users.add(target.user, { userName: 'writer' });

      await expect(run('createSecret')).rejects.toThrow(/username 'app-writer'.*logs in as 'writer'/);
    });
  });

  describe('setSecret', () => {
    it('gives the user the pending and the current password, pending first', async () => {
      await run('createSecret');

      await run('setSecret');

      expect(users.users.get(USER_ARN)?.passwords).toEqual([pendingPassword(), OLD_PASSWORD]);
    });

    it('sends the passwords without reading the user first when the user is free', async () => {
      await run('createSecret');
      const describeUser = vi.spyOn(users, 'describeUser');

      await run('setSecret');

      expect(describeUser).not.toHaveBeenCalled();
      expect(users.setCalls).toHaveLength(1);
    });

    it('waits until active after a busy refusal and sends again when the user turns busy again', async () => {
      await run('createSecret');
      users.statusQueue.push('modifying', 'modifying');
      users.busyCalls = 2;
      const describeUser = vi.spyOn(users, 'describeUser');

      await run('setSecret');

      expect(users.setCalls).toHaveLength(3);
      // Two modifying polls and one active after the first refusal, one active after the second.
      expect(describeUser).toHaveBeenCalledTimes(4);
      expect(users.users.get(USER_ARN)?.passwords).toEqual([pendingPassword(), OLD_PASSWORD]);
    });

    it('gives up with a deadline error naming the user when it stays busy past the time left', async () => {
      await run('createSecret');
      users.busyCalls = Number.POSITIVE_INFINITY;

      const error = await run('setSecret', { deadlineMs: 30_000 }).catch((e: Error) => e);

      expect(error).toBeInstanceOf(DeadlineExceededError);
      expect((error as Error).message).toContain(USER_ARN);
      expect(users.users.get(USER_ARN)?.passwords).toEqual([OLD_PASSWORD]);
    });

    it('fails at once, without waiting out the deadline, when a refused user is being deleted', async () => {
      await run('createSecret');
      users.busyCalls = 1;
      users.statusQueue.push('deleting');
      const started = clock.now();

      await expect(run('setSecret')).rejects.toThrow(`user ${USER_ARN} is deleting; it cannot be rotated`);
      expect(users.setCalls).toHaveLength(1);
      expect(clock.now() - started).toBeLessThanOrEqual(250);
      expect(users.users.get(USER_ARN)?.passwords).toEqual([OLD_PASSWORD]);
    });

    it('refuses to run before createSecret has stored a pending value', async () => {
      await expect(run('setSecret')).rejects.toThrow(/has no value yet; createSecret must run first/);
      expect(users.setCalls).toHaveLength(0);
    });

    it('sets the same passwords when run twice', async () => {
      await run('createSecret');
      await run('setSecret');

      await run('setSecret');

      expect(users.setCalls).toEqual([
        [pendingPassword(), OLD_PASSWORD],
        [pendingPassword(), OLD_PASSWORD],
      ]);
    });
  });

  describe('testSecret', () => {
    it('authenticates with the pending password against the configured endpoint', async () => {
      await run('createSecret');
      await run('setSecret');

      await run('testSecret');

      expect(credentials.attempts).toEqual([{ host: 'cache.example', username: 'app-writer' }]);
    });

    it('retries while the new password has not reached every node yet', async () => {
      await run('createSecret');
      await run('setSecret');
      credentials.rejections = 3;

      await run('testSecret');

      expect(credentials.attempts).toHaveLength(4);
    });

    it('never reads the user: a refused password costs no control-plane call', async () => {
      await run('createSecret');
      await run('setSecret');
      users.statusQueue.push('modifying', 'modifying', 'modifying');
      credentials.rejections = 20;
      const describeUser = vi.spyOn(users, 'describeUser');

      await run('testSecret');

      expect(describeUser).not.toHaveBeenCalled();
      expect(credentials.attempts).toHaveLength(21);
    });

    it('looks at the user once a minute of refusals, and fails at once when it is being deleted', async () => {
      await run('createSecret');
      await run('setSecret');
      credentials.rejections = 10_000;
      const describeUser = vi.spyOn(users, 'describeUser');
      const started = clock.now();
      users.statusQueue.push('modifying', 'deleting');

      await expect(run('testSecret')).rejects.toThrow(/is deleting; it cannot be rotated/);

      // The first look finds it modifying, the second (a minute later) deleting.
      expect(describeUser).toHaveBeenCalledTimes(2);
      expect(clock.now() - started).toBeGreaterThanOrEqual(120_000);
      expect(clock.now() - started).toBeLessThan(121_000);
    });

    it('tries AUTH again at most 300 ms after a refusal, so it ends soon after the password works', async () => {
      await run('createSecret');
      await run('setSecret');
      credentials.rejections = 40;
      const pauses = recordPauses();

      await run('testSecret');

      expect(pauses).toHaveLength(40);
      expect(Math.min(...pauses)).toBeGreaterThanOrEqual(50);
      expect(Math.max(...pauses)).toBeLessThanOrEqual(300);
    });

    it('fails with a deadline error when the password is never accepted', async () => {
      await run('createSecret');

      const error = await run('testSecret', { deadlineMs: 20_000 }).catch((e: Error) => e);

      expect(error).toBeInstanceOf(DeadlineExceededError);
      expect((error as Error).message).toMatch(
        /cache\.example:6379 to accept the AWSPENDING password of 'app-writer'/,
      );
    });

    it('tests the current password when called alone with an empty pending version', async () => {
      await run('testSecret');

      expect(credentials.attempts).toHaveLength(1);
    });

    it('skips the live check when the target has no endpoint', async () => {
      await run('createSecret');

      await run('testSecret', { on: { ...target, endpoint: undefined } });

      expect(credentials.attempts).toHaveLength(0);
    });

    it('without an endpoint, reads the user once when it is already active', async () => {
      await run('createSecret');
      const describeUser = vi.spyOn(users, 'describeUser');
      const pauses = recordPauses();

      await run('testSecret', { on: { ...target, endpoint: undefined } });

      expect(describeUser).toHaveBeenCalledTimes(1);
      expect(pauses).toEqual([]);
    });

    it('without an endpoint, polls until active no more often than every 10 s', async () => {
      await run('createSecret');
      users.statusQueue.push('modifying', 'modifying');
      const describeUser = vi.spyOn(users, 'describeUser');
      const pauses = recordPauses();

      await run('testSecret', { on: { ...target, endpoint: undefined } });

      // Polls at 0, 10 and 20 s: as many as AWS's template spends at 20 s propagation, never more.
      expect(describeUser).toHaveBeenCalledTimes(3);
      expect(pauses).toHaveLength(2);
      for (const pause of pauses) {
        expect(pause).toBeGreaterThanOrEqual(10_000);
        expect(pause).toBeLessThanOrEqual(10_500);
      }
    });

    it('without an endpoint, fails at once when the user is being deleted', async () => {
      await run('createSecret');
      users.statusQueue.push('deleting');

      await expect(run('testSecret', { on: { ...target, endpoint: undefined } })).rejects.toThrow(
        `user ${USER_ARN} is deleting; it cannot be rotated`,
      );
    });

    it('without an endpoint, gives up with a deadline error when the user stays modifying', async () => {
      await run('createSecret');
      users.add(target.user, { status: 'modifying', passwords: [OLD_PASSWORD] });

      const error = await run('testSecret', {
        on: { ...target, endpoint: undefined },
        deadlineMs: 35_000,
      }).catch((e: Error) => e);

      expect(error).toBeInstanceOf(DeadlineExceededError);
      expect((error as Error).message).toContain(`user ${USER_ARN} to become active`);
    });
  });

  describe('finishSecret', () => {
    it('moves AWSCURRENT to the token and AWSPREVIOUS to the old version', async () => {
      await run('createSecret');

      await run('finishSecret');

      expect(secrets.stagesOf(TOKEN)).toEqual(['AWSCURRENT', 'AWSPENDING']);
      expect(secrets.stagesOf('v0')).toEqual(['AWSPREVIOUS']);
    });

    it('does nothing when run again after it finished', async () => {
      await run('createSecret');
      await run('finishSecret');
      const writes = secrets.writes;

      expect(await run('finishSecret')).toBe('already-done');
      expect(secrets.writes).toBe(writes);
    });

    it('refuses to promote an empty pending version', async () => {
      await expect(run('finishSecret')).rejects.toThrow(RotationStateError);
      expect(secrets.stagesOf('v0')).toEqual(['AWSCURRENT']);
    });
  });

  describe('every step', () => {
    it.each(['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const)(
      '%s does nothing when the token is already AWSCURRENT',
      async (step) => {
        const outcome = await run(step, { token: 'v0' });

        expect(outcome).toBe('already-done');
        expect(secrets.writes).toBe(0);
        expect(users.setCalls).toHaveLength(0);
      },
    );

    it('refuses a token that is not a version of the secret', async () => {
      await expect(run('createSecret', { token: 'nope' })).rejects.toThrow(/token nope is not a version/);
    });

    it('refuses a token whose version is neither current nor pending', async () => {
      await run('createSecret');
      await run('finishSecret');
      secrets.beginRotation('token-2');

      await expect(run('setSecret', { token: 'v0' })).rejects.toThrow(/neither AWSCURRENT nor AWSPENDING/);
    });

    it('refuses a secret whose rotation is disabled', async () => {
      secrets.rotationEnabled = false;

      await expect(run('createSecret')).rejects.toThrow(/rotation is not enabled/);
    });
  });
});

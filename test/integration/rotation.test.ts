import { createServer } from 'node:net';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, inject, it } from 'vitest';
import type { Engine, LambdaHost } from '../../local';
import {
  currentPassword,
  MODIFY_OPERATION,
  type ProvisionedUser,
  provisionUser,
  rotate,
  STEPS,
  secretsClient,
  startRotationFunction,
  uniqueName,
  userArnOf,
} from '../../local';
import { useLocalCloud } from '../support/local-cloud';

const bundle = inject('bundles').rotate ?? '';

describe.each<Engine>(['elasticache', 'memorydb'])('bundled rotation function on %s', (engine) => {
  const cloud = useLocalCloud();

  async function withUser(secretValue?: Parameters<typeof provisionUser>[3]): Promise<ProvisionedUser> {
    const user = await provisionUser(cloud.aws, engine, uniqueName('app'), secretValue);
    cloud.fn = await startRotationFunction(bundle, cloud.aws, cloud.redis, [user]);
    return user;
  }

  const modifyCalls = () => cloud.aws.callsOf(MODIFY_OPERATION[engine], engine).length;
  const writeCalls = () =>
    cloud.aws.callsOf('PutSecretValue').length + cloud.aws.callsOf('UpdateSecretVersionStage').length;

  it('rotates so the new password authenticates over TLS and the previous one still does', async () => {
    const user = await withUser();

    const run = await rotate(cloud.fn as LambdaHost, cloud.aws, user.secretArn);

    expect(run.failed).toBeUndefined();
    const next = await currentPassword(cloud.aws, user.secretArn);
    expect(next).not.toBe(user.initialPassword);
    expect(next).toHaveLength(64);
    await expect(cloud.redis.authenticates(user.name, next)).resolves.toBe(true);
    await expect(cloud.redis.authenticates(user.name, user.initialPassword)).resolves.toBe(true);
    const stages = cloud.aws.secrets.stagesOf(user.secretArn);
    expect(stages[run.token]).toContain('AWSCURRENT');
    expect(
      Object.entries(stages)
        .filter(([, s]) => s.includes('AWSPENDING'))
        .map(([v]) => v),
    ).toEqual([run.token]);
    expect(cloud.aws.users.get(engine, user.name)?.passwordCount).toBe(2);
  });

  it('drops the oldest password on the second rotation', async () => {
    const user = await withUser();

    await rotate(cloud.fn as LambdaHost, cloud.aws, user.secretArn);
    const second = await currentPassword(cloud.aws, user.secretArn);
    const run = await rotate(cloud.fn as LambdaHost, cloud.aws, user.secretArn);

    expect(run.failed).toBeUndefined();
    const third = await currentPassword(cloud.aws, user.secretArn);
    await expect(cloud.redis.authenticates(user.name, third)).resolves.toBe(true);
    await expect(cloud.redis.authenticates(user.name, second)).resolves.toBe(true);
    await expect(cloud.redis.authenticates(user.name, user.initialPassword)).resolves.toBe(false);
  });

  it('reaches the same end state when every step runs twice', async () => {
    const user = await withUser();

    const run = await rotate(cloud.fn as LambdaHost, cloud.aws, user.secretArn, { repeat: 2 });

    expect(run.failed).toBeUndefined();
    expect(run.invocations).toHaveLength(8);
    const next = await currentPassword(cloud.aws, user.secretArn);
    expect(JSON.parse(cloud.aws.secrets.valueOf(user.secretArn, run.token) ?? '{}').password).toBe(next);
    await expect(cloud.redis.authenticates(user.name, next)).resolves.toBe(true);
    await expect(cloud.redis.authenticates(user.name, user.initialPassword)).resolves.toBe(true);
    expect(
      cloud.aws.callsOf('PutSecretValue').filter((c) => c.params.SecretId === user.secretArn),
    ).toHaveLength(1);
    expect(cloud.aws.secrets.stagesOf(user.secretArn)[run.token]).toContain('AWSCURRENT');
  });

  it('waits out a modifying user and retries an injected state fault', async () => {
    const user = await withUser();
    cloud.aws.setDelays({ statusDelayMs: 300 });
    cloud.aws.users.holdModifying(engine, user.name, 1_500);
    cloud.aws.failNext(MODIFY_OPERATION[engine], 'InvalidUserStateFault', 2, engine);
    const before = modifyCalls();

    const run = await rotate(cloud.fn as LambdaHost, cloud.aws, user.secretArn);

    expect(run.failed).toBeUndefined();
    expect(modifyCalls() - before).toBe(3);
    await expect(
      cloud.redis.authenticates(user.name, await currentPassword(cloud.aws, user.secretArn)),
    ).resolves.toBe(true);
  });

  it('refuses a secret whose user_arn was tampered with and changes nothing', async () => {
    const victim = await provisionUser(cloud.aws, engine, uniqueName('admin'));
    const user = await withUser((value) => JSON.stringify({ ...value, user_arn: victim.userArn }));
    const [modifies, writes] = [modifyCalls(), writeCalls()];

    const run = await rotate(cloud.fn as LambdaHost, cloud.aws, user.secretArn);

    expect(run.failed?.step).toBe('createSecret');
    expect(run.failed?.error?.name).toBe('RotationStepError');
    expect(run.failed?.error?.message).toContain(`names user_arn '${victim.userArn}'`);
    expect([modifyCalls(), writeCalls()]).toEqual([modifies, writes]);
    await expect(cloud.redis.authenticates(victim.name, victim.initialPassword)).resolves.toBe(true);
  });

  it('refuses a malformed secret without echoing it and changes nothing', async () => {
    const user = await withUser((value) => `{"username":"${value.username}","password":"${value.password}"`);
    const [modifies, writes] = [modifyCalls(), writeCalls()];

    const run = await rotate(cloud.fn as LambdaHost, cloud.aws, user.secretArn);

    expect(run.failed?.error?.message).toMatch(/current version of secret .* is not valid JSON/);
    expect(run.failed?.error?.message).not.toContain(user.initialPassword);
    expect(cloud.fn?.logs.join('\n')).not.toContain(user.initialPassword);
    expect([modifyCalls(), writeCalls()]).toEqual([modifies, writes]);
  });

  it.each([
    ['its secrets by ARN', false],
    ["created secrets from the stack's resources", true],
  ])('refuses a secret it was not deployed for, when it knows %s', async (_, created) => {
    const user = await provisionUser(cloud.aws, engine, uniqueName('app'));
    cloud.fn = await startRotationFunction(bundle, cloud.aws, cloud.redis, [user], { created });
    const stranger = await provisionUser(cloud.aws, engine, uniqueName('other'));
    const writes = writeCalls();

    const run = await rotate(cloud.fn as LambdaHost, cloud.aws, stranger.secretArn);

    expect(run.failed?.error?.message).toMatch(
      /secret .*other.* is not one of the 1 secrets this function rotates/,
    );
    expect(writeCalls()).toBe(writes);
  });

  it("rotates a secret the stack created, found by its logical id in the stack's own resources", async () => {
    const user = await provisionUser(cloud.aws, engine, uniqueName('created'));
    cloud.fn = await startRotationFunction(bundle, cloud.aws, cloud.redis, [user], { created: true });
    const listsBefore = cloud.aws.callsOf('ListStackResources').length;

    const run = await rotate(cloud.fn as LambdaHost, cloud.aws, user.secretArn);

    expect(run.failed).toBeUndefined();
    await expect(
      cloud.redis.authenticates(user.name, await currentPassword(cloud.aws, user.secretArn)),
    ).resolves.toBe(true);
    // The stack's resource list is read once per container, not once per step.
    expect(cloud.aws.callsOf('ListStackResources').length - listsBefore).toBe(1);
  });

  it('refuses an event that is not a rotation event and counts it as a failed step', async () => {
    await withUser();

    const result = await (cloud.fn as LambdaHost).invoke({ source: 'cloud.aws.scheduler', groupArn: 'x' });

    expect(result.ok).toBe(false);
    expect(result.error?.message).toMatch(
      /rotation event failed: not a Secrets Manager rotation event: missing, empty or out-of-bounds Step/,
    );
    expect(cloud.fn?.logs.some((line) => line.includes('"RotationStepFailed":1'))).toBe(true);
  });

  it('answers a 5 MB SecretId with a short error and short logs, changing nothing', async () => {
    // Arrange
    await withUser();
    const writes = writeCalls();
    const logsBefore = cloud.fn?.logs.length ?? 0;

    // Act
    const result = await (cloud.fn as LambdaHost).invoke({
      Step: 'createSecret',
      SecretId: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${'x'.repeat(5_000_000)}`,
      ClientRequestToken: '3f6c6c1e-8b1f-4f0e-9c3a-2d7e5b9a1c44',
    });

    // Assert
    expect(result.ok).toBe(false);
    expect(result.error?.message.length).toBeLessThan(1_000);
    const logged = (cloud.fn?.logs ?? []).slice(logsBefore).join('\n');
    expect(logged.length).toBeLessThan(10_000);
    expect(writeCalls()).toBe(writes);
  });

  it('refuses a user that does not exist', async () => {
    const ghost = uniqueName('ghost');
    const user = await withUser((value) =>
      JSON.stringify({ ...value, username: ghost, user_arn: userArnOf(engine, ghost) }),
    );
    const tampered = { ...user, userArn: userArnOf(engine, ghost) };
    await cloud.fn?.stop();
    cloud.fn = await startRotationFunction(bundle, cloud.aws, cloud.redis, [tampered]);

    const run = await rotate(cloud.fn, cloud.aws, user.secretArn);

    expect(run.failed?.error?.message).toContain(`user ${tampered.userArn} does not exist`);
  });

  it('stops at testSecret when the cache is unreachable and keeps clients on the current password', async () => {
    const user = await provisionUser(cloud.aws, engine, uniqueName('app'));
    cloud.fn = await startRotationFunction(bundle, cloud.aws, { ...cloud.redis, port: await closedPort() }, [
      user,
    ]);

    const run = await rotate(cloud.fn, cloud.aws, user.secretArn, { timeoutMs: 14_000 });

    expect(run.failed?.step).toBe('testSecret');
    expect(run.failed?.error?.message).toMatch(
      /testSecret for secret .* \(user .*\) failed: gave up waiting for 127\.0\.0\.1:\d+ to accept/,
    );
    expect(run.failed?.error?.message).not.toContain(user.initialPassword);
    expect(await currentPassword(cloud.aws, user.secretArn)).toBe(user.initialPassword);
    await expect(cloud.redis.authenticates(user.name, user.initialPassword)).resolves.toBe(true);
  });

  it('passes testSecret alone, as RotateImmediately=false runs it', async () => {
    const user = await withUser();
    const [modifies, writes] = [modifyCalls(), writeCalls()];

    const run = await rotate(cloud.fn as LambdaHost, cloud.aws, user.secretArn, { steps: ['testSecret'] });

    expect(run.failed).toBeUndefined();
    expect([modifyCalls(), writeCalls()]).toEqual([modifies, writes]);
    expect(
      cloud.aws.callsOf('PutSecretValue').filter((c) => c.params.SecretId === user.secretArn),
    ).toHaveLength(0);
  });

  it('never writes a password to its logs', async () => {
    const user = await withUser();

    await rotate(cloud.fn as LambdaHost, cloud.aws, user.secretArn);
    const next = await currentPassword(cloud.aws, user.secretArn);

    const logs = cloud.fn?.logs ?? [];
    expect(logs.length).toBeGreaterThan(STEPS.length);
    for (const line of logs) {
      expect(line).not.toContain(next);
      expect(line).not.toContain(user.initialPassword);
    }
    expect(logs.some((line) => line.includes('"RotationStepSucceeded"'))).toBe(true);
  });

  it('never fails a client that keeps reading AWSCURRENT and logging in during a slow rotation', async () => {
    const user = await withUser();
    cloud.aws.setDelays({ statusDelayMs: 500, propagationDelayMs: 2_000 });
    const client = secretsClient(cloud.aws);
    let running = true;
    const outcomes: boolean[] = [];
    const loop = (async () => {
      while (running) {
        const { SecretString } = await client.send(
          new GetSecretValueCommand({ SecretId: user.secretArn, VersionStage: 'AWSCURRENT' }),
        );
        const { username, password } = JSON.parse(SecretString ?? '{}');
        outcomes.push(await cloud.redis.authenticates(username, password));
      }
    })();

    const run = await rotate(cloud.fn as LambdaHost, cloud.aws, user.secretArn);
    await new Promise((resolve) => setTimeout(resolve, 500));
    running = false;
    await loop;

    expect(run.failed).toBeUndefined();
    expect(outcomes.length).toBeGreaterThan(20);
    expect(outcomes.filter((ok) => !ok)).toHaveLength(0);
    expect(await currentPassword(cloud.aws, user.secretArn)).not.toBe(user.initialPassword);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from '../../local/redis/server';

const FIRST = 'first-password-0123456789';
const SECOND = 'second-password-0123456789';
const THIRD = 'third-password-0123456789';

describe('startRedis', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await redis.stop();
  });

  it('serves TLS on a random loopback port with a CA the harness hands out', () => {
    expect(redis.host).toBe('127.0.0.1');
    expect(redis.port).toBeGreaterThan(0);
    expect(redis.caPem).toContain('BEGIN CERTIFICATE');
    expect(existsSync(redis.caFile)).toBe(true);
  });

  it('accepts both passwords of a new user and refuses any other', async () => {
    await redis.createUser('two-passwords', [FIRST, SECOND]);

    expect(await redis.authenticates('two-passwords', FIRST)).toBe(true);
    expect(await redis.authenticates('two-passwords', SECOND)).toBe(true);
    expect(await redis.authenticates('two-passwords', THIRD)).toBe(false);
  });

  it('replaces the whole password set on setPasswords', async () => {
    await redis.createUser('replaced', [FIRST, SECOND]);

    await redis.setPasswords('replaced', [THIRD]);

    expect(await redis.authenticates('replaced', THIRD)).toBe(true);
    expect(await redis.authenticates('replaced', FIRST)).toBe(false);
    expect(await redis.authenticates('replaced', SECOND)).toBe(false);
  });

  it('refuses a disabled user until it is enabled again', async () => {
    await redis.createUser('toggled', [FIRST], { enabled: false });
    const whileDisabled = await redis.authenticates('toggled', FIRST);

    await redis.setEnabled('toggled', true);

    expect(whileDisabled).toBe(false);
    expect(await redis.authenticates('toggled', FIRST)).toBe(true);
  });

  it('closes the open connections of a user on disconnect, while the user can still log in again', async () => {
    await redis.createUser('connected', [FIRST]);
    const client = createClient({
      socket: { host: redis.host, port: redis.port, tls: true, ca: redis.caPem, reconnectStrategy: false },
      username: 'connected',
      password: FIRST,
    });
    client.on('error', () => {});
    await client.connect();
    const before = await client.ping();

    await redis.disconnect('connected');
    const after = await client.ping().catch((error: unknown) => error);
    if (client.isOpen) {
      client.destroy();
    }

    expect(before).toBe('PONG');
    expect(after).toBeInstanceOf(Error);
    expect(await redis.authenticates('connected', FIRST)).toBe(true);
  });

  it('refuses a deleted user and a user that never existed', async () => {
    await redis.createUser('deleted', [FIRST]);

    await redis.deleteUser('deleted');

    expect(await redis.authenticates('deleted', FIRST)).toBe(false);
    expect(await redis.authenticates('never-created', FIRST)).toBe(false);
  });

  it('keeps passwords out of the message when an ACL command fails', async () => {
    const error = await redis.createUser('bad name', [FIRST]).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^ACL SETUSER bad name failed/);
    expect((error as Error).message).not.toContain(FIRST);
  });
});

describe('RedisServer.stop', () => {
  it('ends the server process and removes its directory', async () => {
    const redis = await startRedis();

    await redis.stop();

    expect(() => process.kill(redis.pid, 0)).toThrow();
    expect(existsSync(dirname(redis.caFile))).toBe(false);
  });
});

describe('startRedis without redis-server', () => {
  it('fails with the command that installs it', async () => {
    // A PATH that still finds openssl, so the certificates are made and only redis-server is missing.
    const openssl = (process.env.PATH ?? '')
      .split(delimiter)
      .map((dir) => join(dir, 'openssl'))
      .find((file) => existsSync(file));
    const bin = await mkdtemp(join(tmpdir(), 'redis-harness-path-'));
    await symlink(openssl ?? 'openssl', join(bin, 'openssl'));
    const path = process.env.PATH;
    process.env.PATH = bin;

    const error = await startRedis()
      .catch((caught: unknown) => caught)
      .finally(() => {
        process.env.PATH = path;
      });
    await rm(bin, { recursive: true, force: true });

    expect((error as Error).message).toBe(
      'redis-server not found on PATH; install it with: apt-get install -y redis-server',
    );
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedWindow,
  groupArnOf,
  type LocalAws,
  openWindow,
  type RedisServer,
  startLocalAws,
  startRedis,
} from '../../local';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run plan --live', () => {
  let redis: RedisServer;
  let aws: LocalAws;
  let dir: string;

  beforeAll(async () => {
    redis = await startRedis();
    aws = await startLocalAws({ redis });
    dir = mkdtempSync(join(tmpdir(), 'plan-'));
  });

  afterAll(async () => {
    await aws?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the diff against the real group and changes nothing', async () => {
    for (const id of ['alice', 'bob', 'carol']) {
      await aws.users.create({
        engine: 'elasticache',
        id,
        passwords: ['p'.repeat(20)],
        governedByGroups: true,
      });
    }
    await aws.groups.create({ engine: 'elasticache', id: 'prod-ug', members: ['alice', 'carol'] });
    const groupArn = groupArnOf('elasticache', 'prod-ug');
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        membership: {
          grants: [
            { name: 'day', groupArn, users: ['alice'], windows: [closedWindow()] },
            { name: 'night', groupArn, users: ['bob'], windows: [openWindow()] },
          ],
        },
      }),
    );
    const callsBefore = aws.callsOf('ModifyUserGroup').length;

    const { stdout } = await run(
      process.execPath,
      [
        join(root, 'node_modules/tsx/dist/cli.mjs'),
        join(root, 'lib/plan/command.ts'),
        '--live',
        '--config',
        config,
      ],
      { env: { ...process.env, ...aws.env() } },
    );

    expect(stdout).toContain(`${groupArn} (ElastiCache user group)`);
    expect(stdout).toContain('members by plan: bob (night)');
    expect(stdout).toMatch(/live members: +alice, carol, default \(status active\)/);
    expect(stdout).toMatch(/would apply: +add bob; remove alice/);
    expect(aws.callsOf('ModifyUserGroup').length).toBe(callsBefore);
    expect(aws.groups.get('elasticache', 'prod-ug')?.members).toEqual(['alice', 'carol', 'default']);
  });

  it('fails with a clear message for a config without membership', async () => {
    const config = join(dir, 'rotation-only.json');
    writeFileSync(
      config,
      JSON.stringify({
        rotation: { targets: [{ userArn: 'arn:aws:memorydb:eu-west-1:123456789012:user/a' }] },
      }),
    );

    const failure = await run(process.execPath, [
      join(root, 'node_modules/tsx/dist/cli.mjs'),
      join(root, 'lib/plan/command.ts'),
      '--config',
      config,
    ]).catch((error: { code: number; stderr: string }) => error);

    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain('the config has no membership section');
  });
});

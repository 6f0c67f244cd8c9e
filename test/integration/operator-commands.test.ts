import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbAccessStore } from '#core/requests/dynamodb-store';
import type { PendingRequest } from '#core/requests/records';
import {
  accessTableBeside,
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
const TABLE = 'operator-grants';

let redis: RedisServer;
let aws: LocalAws;
let dir: string;
let store: DynamoDbAccessStore;

beforeAll(async () => {
  redis = await startRedis();
  aws = await startLocalAws({ redis });
  dir = mkdtempSync(join(tmpdir(), 'operator-'));
  await aws.dynamo.createTable(accessTableBeside(inject('bundles').membership ?? ''), TABLE);
  const client = new DynamoDBClient({
    region: 'eu-west-1',
    endpoint: aws.dynamo.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  store = new DynamoDbAccessStore(
    DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    TABLE,
  );
});

afterAll(async () => {
  await aws?.stop();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs an operator command the way `npm run` does, against the local endpoint. */
const command = (script: string, args: readonly string[]) =>
  run(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, script), ...args], {
    env: { ...process.env, ...aws.env() },
  });

describe('npm run plan --live', () => {
  it('prints the diff against the real group, counting requested grants, and changes nothing', async () => {
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
    await store.recordGrant(openGrant('CHG-plan', groupArn, 'carol'));
    const callsBefore = aws.callsOf('ModifyUserGroup').length;

    const { stdout } = await command('cli/plan/command.ts', ['--live', '--config', config, '--table', TABLE]);

    expect(stdout).toContain(`${groupArn} (ElastiCache user group)`);
    expect(stdout).toContain('members by plan: bob (night), carol (request CHG-plan)');
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
      join(root, 'cli/plan/command.ts'),
      '--config',
      config,
    ]).catch((error: { code: number; stderr: string }) => error);

    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain('the config has no membership section');
  });
});

describe('npm run plan --html', () => {
  const groupArn = groupArnOf('elasticache', 'page-ug');

  it('draws the live group and the grant table on the timeline page, and changes nothing', async () => {
    // Arrange: erin is a member by request only, frank by a window but suspended.
    for (const id of ['erin', 'frank']) {
      await aws.users.create({
        engine: 'elasticache',
        id,
        passwords: ['p'.repeat(20)],
        governedByGroups: true,
      });
    }
    await aws.groups.create({ engine: 'elasticache', id: 'page-ug', members: ['erin'] });
    const config = join(dir, 'page-config.json');
    const grants = [{ name: 'night', groupArn, users: ['frank'], windows: [openWindow()] }];
    writeFileSync(config, JSON.stringify({ membership: { grants } }));
    await store.recordGrant(openGrant('CHG-page', groupArn, 'erin'));
    await store.suspend(suspensionNow('frank', 'INC-8'));
    // Awaiting approval: erin's request with one of two approvals, and a user to be made, asked on the bus.
    await store.recordRequest(pendingNow('REQ-page', groupArn, { user: 'erin', needed: 2 }));
    const approver = 'arn:aws:iam::123456789012:user/carol';
    expect(
      await store.addApproval('REQ-page', { by: approver, at: new Date().toISOString() }, 0, false),
    ).toBe(true);
    const reader = 'arn:aws:iam::123456789012:role/oncall';
    await store.recordRequest(
      pendingNow('REQ-bot', groupArn, { reader, requestedBy: 'unverified:incident-bot', verified: false }),
    );
    // Denied: no longer pending, so not drawn.
    await store.recordRequest(pendingNow('REQ-denied', groupArn, { user: 'frank' }));
    await store.closeRequest('REQ-denied', { status: 'denied', at: new Date().toISOString(), by: approver });
    const page = join(dir, 'timeline.html');
    const callsBefore = aws.callsOf('ModifyUserGroup').length;

    // Act
    const { stdout } = await command('cli/plan/command.ts', [
      ...['--html', page, '--tz', 'Asia/Tokyo', '--days', '2'],
      ...['--live', '--config', config, '--table', TABLE],
    ]);

    // Assert
    expect(stdout).toContain(`Wrote ${page}: 1 group(s), 2 day(s) in Asia/Tokyo`);
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('the live groups and the grant table');
    expect(html).toContain('<span class="count">live: active</span>');
    expect(html).toContain('<title>erin\na member now</title>');
    expect(html).toContain('<title>frank\nnot a member now</title>');
    expect(html).toContain('<title>default\na member now\nnot managed by the stack: never changed</title>');
    expect(html).toMatch(/<rect class="bar requested"[^>]*><title>erin in page-ug: request CHG-page\n/);
    expect(html).toMatch(/<rect class="bar window"[^>]*><title>frank in page-ug: night\n/);
    expect(html).toContain('suspended by soc@example.com: INC-8');
    expect(html).toMatch(
      /<rect class="bar pending"[^>]*><title>erin in page-ug: request REQ-page\nrequest awaiting a decision\n[^<]*\+09:00 → expires [^<]*\+09:00\nasked by arn:aws:sts::123456789012:assumed-role\/Oncall\/erin: INC-43\nasks for PT2H, under rule page-rule\napprovals 1 of 2: arn:aws:iam::123456789012:user\/carol<\/title>/,
    );
    expect(html).toContain('<title>ephemeral for REQ-bot\nnot a member now</title>');
    expect(html).toContain(
      'asked by incident-bot (unverified: the bus sender&#39;s own words): INC-43\nasks for PT2H for a user made for arn:aws:iam::123456789012:role/oncall',
    );
    expect(html).not.toContain('REQ-denied');
    expect(html).toMatch(/\+09:00/);
    expect(aws.callsOf('ModifyUserGroup').length).toBe(callsBefore);
  });

  it.each([
    [['--tz', 'Mars/Olympus'], "--tz 'Mars/Olympus' is not an IANA time zone"],
    [['--days', '0'], "--days '0' must be from 1 to 62 for --html"],
  ])('refuses %j with a clear message and writes nothing', async (args, why) => {
    const page = join(dir, 'refused.html');

    const failure = await command('cli/plan/command.ts', ['--html', page, ...args]).catch(
      (error: { code: number; stderr: string }) => error,
    );

    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain(why);
    expect(existsSync(page)).toBe(false);
  });
});

describe('npm run access --via bus', () => {
  const groupArn = groupArnOf('elasticache', 'ops-ug');

  it('puts a request on the bus from the operator source, with the fields the function reads', async () => {
    // Act
    const { stdout } = await command('cli/access/command.ts', [
      '--via',
      'bus',
      'request',
      '--group',
      groupArn,
      '--user',
      'alice',
      '--for',
      'PT2H',
      '--reason',
      'INC-42',
      '--id',
      'CHG-op-1',
      '--by',
      'oncall@example.com',
      '--bus',
      'cache-access',
    ]);

    // Assert
    expect(stdout).toContain('put Cache Access Requested for request CHG-op-1 on bus cache-access');
    expect(aws.events.entries.at(-1)).toMatchObject({
      source: 'cache-access.operator',
      detailType: 'Cache Access Requested',
      eventBusName: 'cache-access',
      detail: {
        requestId: 'CHG-op-1',
        groupArn,
        user: 'alice',
        duration: 'PT2H',
        requestedBy: 'oncall@example.com',
        reason: 'INC-42',
      },
    });
  });

  it('puts a request for an ephemeral user with the reader who may fetch its credentials', async () => {
    // Act
    await command('cli/access/command.ts', [
      '--via',
      'bus',
      'request',
      '--group',
      groupArn,
      '--reader',
      'arn:aws:iam::123456789012:role/oncall',
      '--for',
      'PT1H',
      '--reason',
      'INC-43',
      '--id',
      'CHG-op-2',
      '--bus',
      'cache-access',
    ]);

    // Assert
    const { detail } = aws.events.entries.at(-1) ?? {};
    expect(detail).toMatchObject({
      requestId: 'CHG-op-2',
      ephemeral: { reader: 'arn:aws:iam::123456789012:role/oncall' },
      duration: 'PT1H',
    });
    expect(detail).not.toHaveProperty('user');
  });

  it('puts a revocation, a suspension and a reinstatement', async () => {
    // Act
    await command('cli/access/command.ts', [
      '--via',
      'bus',
      'revoke',
      '--request',
      'CHG-op-1',
      '--bus',
      'cache-access',
    ]);
    await command('cli/access/command.ts', [
      '--via',
      'bus',
      'suspend',
      '--user',
      'alice',
      '--reason',
      'INC-7',
      '--bus',
      'cache-access',
    ]);
    await command('cli/access/command.ts', [
      '--via',
      'bus',
      'reinstate',
      '--user',
      'alice',
      '--bus',
      'cache-access',
    ]);

    // Assert
    expect(aws.events.entries.slice(-3).map((event) => event.detailType)).toEqual([
      'Cache Access Revoked',
      'Cache User Suspended',
      'Cache User Reinstated',
    ]);
  });

  it.each([
    [
      'a duration it does not take',
      ['--user', 'alice', '--for', 'P1M'],
      'duration: expected an ISO 8601 duration in weeks, days, hours',
    ],
    [
      'both a user and a reader',
      ['--user', 'alice', '--reader', 'arn:aws:iam::123456789012:role/oncall', '--for', 'PT1H'],
      'expected exactly one of user',
    ],
  ])(
    'refuses a request the function would refuse (%s), puts nothing and says why',
    async (_what, args, why) => {
      // Arrange
      const before = aws.events.entries.length;

      // Act
      const failure = await command('cli/access/command.ts', [
        '--via',
        'bus',
        'request',
        '--group',
        groupArn,
        ...args,
        '--reason',
        'x',
        '--bus',
        'cache-access',
      ]).catch((error: { code: number; stderr: string }) => error);

      // Assert
      expect(failure).toMatchObject({ code: 1 });
      expect((failure as { stderr: string }).stderr).toContain(why);
      expect(aws.events.entries.length).toBe(before);
    },
  );

  it('lists open grants with the time they have left, and suspensions', async () => {
    // Arrange
    await store.recordGrant(openGrant('CHG-list', groupArn, 'dave'));
    await store.suspend(suspensionNow('mallory', 'INC-9'));

    // Act
    const { stdout } = await command('cli/access/command.ts', [
      'list',
      '--table',
      TABLE,
      '--group',
      groupArn,
    ]);

    // Assert
    expect(stdout).toMatch(/CHG-list {2}dave in arn:aws:elasticache:eu-west-1:123456789012:usergroup:ops-ug/);
    expect(stdout).toMatch(/until .* \((1 h 59|2 h 0) min left\), requested by dave@example.com: INC-42/);
    expect(stdout).toContain('mallory since');
    expect(stdout).not.toContain('CHG-plan');
  });
});

/** An open two-hour grant, as the membership function records one. */
function openGrant(requestId: string, groupArn: string, user: string) {
  const now = Date.now();
  return {
    requestId,
    groupArn,
    user,
    requestedBy: `${user}@example.com`,
    reason: 'INC-42',
    duration: 'PT2H',
    fingerprint: requestId,
    grantedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 2 * 3_600_000).toISOString(),
    status: 'open' as const,
    grantedPublished: true,
    endPublished: false,
  };
}

/** A request awaiting one approval for an hour from now, as the membership function records one. */
function pendingNow(requestId: string, groupArn: string, fields: Partial<PendingRequest>): PendingRequest {
  const now = Date.now();
  return {
    requestId,
    rule: 'page-rule',
    groupArn,
    duration: 'PT2H',
    reason: 'INC-43',
    requestedBy: `arn:aws:sts::123456789012:assumed-role/Oncall/${fields.user}`,
    verified: true,
    fingerprint: requestId,
    requestedAt: new Date(now).toISOString(),
    pendingUntil: new Date(now + 3_600_000).toISOString(),
    needed: 1,
    approvals: [],
    status: 'pending',
    version: 0,
    announced: [],
    ...fields,
  };
}

/** A suspension in force from now, as the membership function records one. */
function suspensionNow(user: string, reason: string) {
  return {
    user,
    suspendedBy: 'soc@example.com',
    reason,
    suspendedAt: new Date().toISOString(),
    status: 'suspended' as const,
    removedFrom: [],
    owed: [],
  };
}

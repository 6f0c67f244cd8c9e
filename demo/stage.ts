import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { Bundles } from '../local';
import {
  type Engine,
  groupArnOf,
  type LocalAws,
  type ProvisionedUser,
  provisionUser,
  type RedisServer,
  samplePassword,
  secretsClient,
  startLocalAws,
  startRedis,
  userArnOf,
} from '../local';
import type { Cleanup } from './cleanup';
import { act, ENGINE_LABEL, row, took } from './story';
import { synthesizeInBackground } from './synth';
import { DemoError } from './waits';

/**
 * Slow enough that the story shows the waiting the functions do on AWS (a user `modifying` after a change,
 * a new password reaching the nodes a moment later), fast enough to keep the demo short.
 */
const DELAYS = { statusDelayMs: 300, propagationDelayMs: 600, groupDelayMs: 300 };

/** A user whose logins follow group membership; its secret holds the password it logs in with. */
export interface Member {
  readonly engine: Engine;
  readonly name: string;
  readonly password: string;
}

export interface Group {
  readonly engine: Engine;
  readonly id: string;
  readonly arn: string;
}

export interface Stage {
  readonly redis: RedisServer;
  readonly aws: LocalAws;
  readonly bundles: Bundles;
  readonly rotated: readonly ProvisionedUser[];
  readonly alice: Member;
  readonly bob: Member;
  readonly userGroup: Group;
  readonly acl: Group;
}

const COLUMNS = [22, 8];

/** Act 1: starts redis-server, the local endpoint and the synthesis, and creates the example users and groups. */
export async function setTheStage(cleanup: Cleanup): Promise<Stage> {
  act('Act 1 · Setting the stage');
  row(COLUMNS, ['', 'took'.padStart(8), '']);
  const outdir = await mkdtemp(join(tmpdir(), 'cache-access-demo-'));
  cleanup.add(outdir, () => rm(outdir, { recursive: true, force: true }), { done: `removed ${outdir}` });
  const synthStarted = Date.now();
  const synthesis = synthesizeInBackground(outdir);
  cleanup.add('stack synthesis', () => synthesis.stop());

  const redis = await timed(
    'redis-server',
    () =>
      cleanup.start('redis-server', startRedis, (server) => server.stop(), {
        // stop() also removes the server's directory (certificates, log).
        describe: (server) => ({
          label: `redis-server pid ${server.pid}`,
          done: `stopped redis-server pid ${server.pid}, removed ${dirname(server.caFile)}`,
        }),
      }),
    (r) => `redis-server pid ${r.pid}, TLS only on ${r.host}:${r.port}, one ACL user per cache user`,
  );
  const aws = await timed(
    'local AWS endpoint',
    () =>
      cleanup.start(
        'local AWS endpoint',
        () => startLocalAws({ redis, ...DELAYS }),
        (e) => e.stop(),
      ),
    (e) => `${e.url}: Secrets Manager, ElastiCache, MemoryDB, EventBridge`,
  );
  const users = await timed(
    'users and secrets',
    () => createUsers(aws),
    (u) =>
      [...u.rotated, u.alice, u.bob].map((user) => `${user.name} (${ENGINE_LABEL[user.engine]})`).join(', '),
  );
  const groups = await timed(
    'user group and ACL',
    () => createGroups(aws),
    (g) =>
      [g.userGroup, g.acl]
        .map((group) => `${describeGroup(group)} members: ${members(aws, group).join(', ') || 'none'}`)
        .join('; '),
  );
  const bundles = await synthesis.bundles;
  row(COLUMNS, [
    'synthesize the stack',
    took(Date.now() - synthStarted),
    `bundled functions: ${Object.keys(bundles).sort().join(', ')}, as cdk deploy would upload them`,
  ]);
  row(COLUMNS, ['scratch directories', '', `${outdir} ${dirname(redis.caFile)}`]);
  return { redis, aws, bundles, ...users, ...groups };
}

export function describeGroup(group: Group): string {
  return `${group.id} (${ENGINE_LABEL[group.engine]})`;
}

export function members(aws: LocalAws, group: Group): readonly string[] {
  return aws.groups.get(group.engine, group.id)?.members ?? [];
}

export function bundleOf(stage: Stage, name: string): string {
  const bundle = stage.bundles[name];
  if (!bundle) throw new DemoError(`the synthesized stack has no '${name}' function`);
  return bundle;
}

async function createUsers(aws: LocalAws) {
  // The rotated users start as a team has them before adopting rotation: one password, kept in a secret.
  const rotated = [
    await provisionUser(aws, 'elasticache', 'app-writer'),
    await provisionUser(aws, 'memorydb', 'app-reader'),
  ];
  return {
    rotated,
    alice: await createMember(aws, 'elasticache', 'alice'),
    bob: await createMember(aws, 'memorydb', 'bob'),
  };
}

/** A person whose access the groups decide: without a group that holds them, they cannot log in. */
async function createMember(aws: LocalAws, engine: Engine, name: string): Promise<Member> {
  const password = samplePassword();
  await aws.users.create({ engine, id: name, passwords: [password], governedByGroups: true });
  const value = { username: name, password, user_arn: userArnOf(engine, name) };
  await secretsClient(aws).send(
    new CreateSecretCommand({ Name: `${engine}/${name}`, SecretString: JSON.stringify(value) }),
  );
  return { engine, name, password };
}

async function createGroups(aws: LocalAws) {
  const userGroup = await createGroup(aws, 'elasticache', 'prod-ug');
  const acl = await createGroup(aws, 'memorydb', 'prod-acl');
  return { userGroup, acl };
}

async function createGroup(aws: LocalAws, engine: Engine, id: string): Promise<Group> {
  await aws.groups.create({ engine, id, members: [] });
  return { engine, id, arn: groupArnOf(engine, id) };
}

async function timed<T>(label: string, work: () => Promise<T>, describe: (result: T) => string): Promise<T> {
  const started = Date.now();
  const result = await work();
  row(COLUMNS, [label, took(Date.now() - started), describe(result)]);
  return result;
}

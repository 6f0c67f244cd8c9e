import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeUserGroupsCommand,
  ElastiCacheClient,
  ModifyUserGroupCommand,
} from '@aws-sdk/client-elasticache';
import { DescribeACLsCommand, MemoryDBClient, UpdateACLCommand } from '@aws-sdk/client-memorydb';
import {
  busEvent,
  type Engine,
  GROUP_MODIFY,
  groupArnOf,
  type LocalAws,
  type RedisServer,
  samplePassword,
  startLocalAws,
  startMembershipFunction,
} from '../local';
import { localClientConfig } from './access-timing';
import { type Row, row } from './stats';

export interface BurstBenchOptions {
  readonly bundle: string;
  readonly redis: RedisServer;
  readonly requests: number;
  readonly groups: number;
  readonly log: (line: string) => void;
}

const ENGINES: readonly Engine[] = ['elasticache', 'memorydb'];
/** The account's control-plane rate per engine, and the round trip of every call. */
const RATE_PER_SECOND = 10;
const LATENCY_MS = 50;
/** The burst arrives within this long, spread evenly. */
const ARRIVAL_MS = 1_000;
/** A paged describe reads this many groups at once. */
const PAGE = 100;

interface Team {
  readonly engine: Engine;
  readonly id: string;
  readonly arn: string;
  readonly users: readonly { readonly name: string; readonly password: string }[];
}

/** What one way of handling the burst achieved. */
interface Outcome {
  readonly lastLoginS: number;
  readonly controlPlaneCalls: number;
  readonly groupChanges: number;
  readonly throttled: number;
  readonly granted: number;
  readonly grantedEvents: number;
  readonly duplicates: number;
}

/**
 * A burst of requests (an incident starting, a shift changing) over groups of both engines, at the
 * account's control-plane rate: until the last requester logs in, how many control-plane calls it
 * took, how many were throttled, and whether every request was granted and announced exactly once.
 * The physical limit is one change per group plus the paged reads of the groups, at the rate of each
 * engine (they have separate limits, so they run side by side).
 */
export async function burstBench(options: BurstBenchOptions): Promise<Row[]> {
  options.log(
    `  ours: ${options.requests} requests within ${ARRIVAL_MS} ms over ${options.groups} groups...`,
  );
  const ours = await inFreshCloud(options, (aws, teams) => measureOurs(aws, teams, options));
  options.log('  baseline: one invocation per request, each pacing only itself...');
  const baseline = await inFreshCloud(options, (aws, teams) => measureBaseline(aws, teams, options));
  const perEngine = Math.ceil(options.groups / ENGINES.length);
  const limitS = (perEngine + Math.ceil(perEngine / PAGE)) / RATE_PER_SECOND + LATENCY_MS / 1_000;
  const setting = `${options.requests} requests in ${ARRIVAL_MS / 1_000} s over ${options.groups} groups, ${RATE_PER_SECOND}/s per engine, ${LATENCY_MS} ms latency`;
  return [
    row(
      'burst',
      `time until the last user logs in, ${setting}`,
      's',
      ours.lastLoginS,
      baseline.lastLoginS,
      `physical limit ${limitS.toFixed(2)} s (${perEngine} changes + ${Math.ceil(perEngine / PAGE)} paged read per engine at ${RATE_PER_SECOND}/s); ours is ${(ours.lastLoginS / limitS).toFixed(2)}× it`,
    ),
    row(
      'burst',
      'group changes (ModifyUserGroup + UpdateACL)',
      'calls',
      ours.groupChanges,
      baseline.groupChanges,
      `limit ${options.groups}: one per group`,
    ),
    row('burst', 'control-plane calls', 'calls', ours.controlPlaneCalls, baseline.controlPlaneCalls),
    row(
      'burst',
      'throttled responses',
      '%',
      percent(ours.throttled, ours.controlPlaneCalls),
      percent(baseline.throttled, baseline.controlPlaneCalls),
      `ours ${ours.throttled}, baseline ${baseline.throttled}; goal under 5 %`,
    ),
    row('burst', 'requests granted', 'requests', ours.granted, baseline.granted, `of ${options.requests}`),
    row(
      'burst',
      'Granted events published',
      'events',
      ours.grantedEvents,
      baseline.grantedEvents,
      'the baseline model publishes none',
    ),
    row('burst', 'duplicate Granted events', 'events', ours.duplicates, baseline.duplicates),
  ];
}

const percent = (part: number, whole: number) => (whole === 0 ? 0 : (100 * part) / whole);

/** A local cloud of its own, with the latency and rate limits, and the groups and users of the burst. */
async function inFreshCloud(
  options: BurstBenchOptions,
  measure: (aws: LocalAws, teams: readonly Team[]) => Promise<Outcome>,
): Promise<Outcome> {
  const aws = await startLocalAws({ redis: options.redis, latencyMs: LATENCY_MS });
  try {
    const run = `${Date.now().toString(36)}`;
    const teams: Team[] = [];
    for (let g = 0; g < options.groups; g++) {
      const engine = ENGINES[g % ENGINES.length] ?? 'elasticache';
      const id = `burst-${run}-${g}`;
      await aws.groups.create({ engine, id, members: [] });
      const users = [];
      for (let u = 0; u < Math.ceil(options.requests / options.groups); u++) {
        const name = `burst-${run}-${g}-${u}`;
        const password = samplePassword();
        await aws.users.create({ engine, id: name, passwords: [password], governedByGroups: true });
        users.push({ name, password });
      }
      teams.push({ engine, id, arn: groupArnOf(engine, id), users });
    }
    aws.setThrottle({ requestsPerSecond: RATE_PER_SECOND, services: ENGINES });
    return await measure(aws, teams);
  } finally {
    await aws.stop();
  }
}

interface Ask {
  readonly team: Team;
  readonly user: Team['users'][number];
  readonly requestId: string;
}

const asks = (teams: readonly Team[], count: number): Ask[] =>
  teams
    .flatMap((team) => team.users.map((user) => ({ team, user })))
    .slice(0, count)
    .map(({ team, user }, n) => ({ team, user, requestId: `burst-${n}-${Date.now().toString(36)}` }));

/** The bundled function as deployed: each event invokes it; the lane and the queue decide the rest. */
async function measureOurs(
  aws: LocalAws,
  teams: readonly Team[],
  options: BurstBenchOptions,
): Promise<Outcome> {
  const fn = await startMembershipFunction(options.bundle, aws, [], {
    requests: {
      rules: teams.map((team, n) => ({
        name: `team-${n}`,
        groupArn: team.arn,
        users: team.users.map((u) => u.name),
      })),
    },
  });
  try {
    const burst = asks(teams, options.requests);
    const started = performance.now();
    const invocations = burst.map(async (ask, n) => {
      await sleep((n * ARRIVAL_MS) / burst.length);
      return fn.invoke(
        busEvent('Cache Access Requested', {
          requestId: ask.requestId,
          groupArn: ask.team.arn,
          user: ask.user.name,
          duration: 'PT1H',
          requestedBy: 'incident-bot',
          reason: 'INC-500: all hands',
        }),
      );
    });
    await untilAllMembers(aws, burst);
    const lastLoginS = (performance.now() - started) / 1_000;
    await expectLogins(options.redis, burst);
    await Promise.all(invocations);
    await fn.batches?.settled({ timeoutMs: 120_000 });
    options.log(`  ours: control-plane calls by operation ${JSON.stringify(byOperation(aws))}`);
    const t0 = performance.timeOrigin + started;
    options.log(
      `  ours: batches ${JSON.stringify(fn.batches?.invocations.map((i) => ({ events: i.messageIds.length, failed: i.failures.length, from: ((i.startedAt - t0) / 1_000).toFixed(1), to: ((i.endedAt - t0) / 1_000).toFixed(1) })))}`,
    );
    const granted = aws.events.entries.filter((event) => event.detailType === 'Cache Access Granted');
    const ids = new Set(granted.map((event) => (event.detail as { requestId: string }).requestId));
    return {
      lastLoginS,
      ...controlPlane(aws),
      granted: burst.filter((ask) => ids.has(ask.requestId)).length,
      grantedEvents: granted.length,
      duplicates: granted.length - ids.size,
    };
  } finally {
    await fn.stop();
  }
}

/**
 * The design before the queue: every request its own invocation, which reads its group and changes it
 * at once, pacing only its own calls; a group busy with another invocation's change, or a throttled
 * call, is retried after a pause, as the reconciler does. Modeled with the SDK, since that design is no
 * longer in the bundle.
 */
async function measureBaseline(
  aws: LocalAws,
  teams: readonly Team[],
  options: BurstBenchOptions,
): Promise<Outcome> {
  const elastiCache = new ElastiCacheClient({ ...localClientConfig(aws), maxAttempts: 1 });
  const memoryDb = new MemoryDBClient({ ...localClientConfig(aws), maxAttempts: 1 });
  try {
    const burst = asks(teams, options.requests);
    const started = performance.now();
    const invocations = burst.map(async (ask, n) => {
      await sleep((n * ARRIVAL_MS) / burst.length);
      for (let attempt = 0; ; attempt++) {
        try {
          if (ask.team.engine === 'elasticache') {
            await elastiCache.send(new DescribeUserGroupsCommand({ UserGroupId: ask.team.id }));
            await elastiCache.send(
              new ModifyUserGroupCommand({ UserGroupId: ask.team.id, UserIdsToAdd: [ask.user.name] }),
            );
          } else {
            await memoryDb.send(new DescribeACLsCommand({ ACLName: ask.team.id }));
            await memoryDb.send(
              new UpdateACLCommand({ ACLName: ask.team.id, UserNamesToAdd: [ask.user.name] }),
            );
          }
          return true;
        } catch {
          // Throttled or busy: back off with jitter, as the SDK's standard retry does, up to a minute.
          if (performance.now() - started > 120_000) return false;
          await sleep(Math.min(20_000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2));
        }
      }
    });
    await untilAllMembers(aws, burst);
    const lastLoginS = (performance.now() - started) / 1_000;
    await expectLogins(options.redis, burst);
    const results = await Promise.all(invocations);
    return {
      lastLoginS,
      ...controlPlane(aws),
      granted: results.filter(Boolean).length,
      grantedEvents: 0,
      duplicates: 0,
    };
  } finally {
    elastiCache.destroy();
    memoryDb.destroy();
  }
}

function byOperation(aws: LocalAws): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of aws.calls) {
    if (ENGINES.includes(call.service as Engine)) counts[call.operation] = (counts[call.operation] ?? 0) + 1;
  }
  return counts;
}

function controlPlane(aws: LocalAws) {
  const calls = aws.calls.filter((call) => ENGINES.includes(call.service as Engine));
  return {
    controlPlaneCalls: calls.length,
    groupChanges: calls.filter((call) => Object.values(GROUP_MODIFY).includes(call.operation)).length,
    throttled: aws.throttledCount,
  };
}

/**
 * Until every requester is a member of its group: with no propagation delay, the moment it can log in
 * (each login is tried once afterwards). Trying hundreds of TLS logins every few milliseconds instead
 * would load the machine that also runs the endpoint and slow what is measured.
 */
async function untilAllMembers(aws: LocalAws, asks: readonly Ask[]): Promise<void> {
  const isMember = ({ team, user }: Ask) => aws.groups.get(team.engine, team.id)?.members.includes(user.name);
  while (!asks.every(isMember)) await sleep(20);
}

/** Each requester logs in with its own password: membership was the access asked for. */
async function expectLogins(redis: RedisServer, asks: readonly Ask[]): Promise<void> {
  const refused: string[] = [];
  for (const { user } of asks)
    if (!(await redis.authenticates(user.name, user.password))) refused.push(user.name);
  if (refused.length > 0)
    throw new Error(`${refused.length} requesters could not log in: ${refused.slice(0, 5).join(', ')}`);
}

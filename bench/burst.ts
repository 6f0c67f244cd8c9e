import { setTimeout as sleep } from 'node:timers/promises';
import {
  busEvent,
  groupArnOf,
  type LocalAws,
  type RedisServer,
  samplePassword,
  startLocalAws,
  startMembershipFunction,
} from '../local';
import { measureBaseline } from './burst-baseline';
import {
  ARRIVAL_MS,
  asks,
  byOperation,
  controlPlane,
  ENGINES,
  expectLogins,
  LATENCY_MS,
  type Outcome,
  RATE_PER_SECOND,
  type Team,
  untilAllMembers,
} from './burst-setup';
import { type Row, row } from './stats';

export interface BurstBenchOptions {
  readonly bundle: string;
  readonly redis: RedisServer;
  readonly requests: number;
  readonly groups: number;
  readonly log: (line: string) => void;
}

/** A paged describe reads this many groups at once. */
const PAGE = 100;

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

import { setTimeout as sleep } from 'node:timers/promises';
import { ElastiCacheClient, ModifyUserGroupCommand } from '@aws-sdk/client-elasticache';
import {
  busEvent,
  groupArnOf,
  type LocalAws,
  type RedisServer,
  startLocalAws,
  startMembershipFunction,
} from '../local';
import { median, type Row, row } from './stats';

export interface RequestBenchOptions {
  readonly bundle: string;
  readonly redis: RedisServer;
  /** Requests measured per propagation delay. */
  readonly runs: number;
  readonly log: (line: string) => void;
}

const PROPAGATIONS_MS = [0, 2_000];
/** The baseline: a poller that applies what was requested every 10 s, as cron-driven tools do. */
const POLL_MS = 10_000;
const USER = 'bench-requester';
const PASSWORD = 'bench-requester-password-0123';
const GROUP = 'bench-requests-ug';

interface Timing {
  readonly toLogIn: number;
  readonly toRefused: number;
}

/**
 * From the event to the user's first successful login, and from the revoke to the first refused
 * login, as a user who keeps trying sees it. The physical limit is the propagation delay: the time a
 * membership change takes to reach every node once the group has accepted it.
 */
export async function requestBench(options: RequestBenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  for (const propagationMs of PROPAGATIONS_MS) {
    const aws = await startLocalAws({ redis: options.redis, propagationDelayMs: propagationMs });
    try {
      await aws.users.create({
        engine: 'elasticache',
        id: USER,
        passwords: [PASSWORD],
        governedByGroups: true,
      });
      await aws.groups.create({ engine: 'elasticache', id: GROUP });
      const ours = await measureOurs(aws, options);
      const baseline = await measureBaseline(aws, options);
      const limitS = propagationMs / 1000;
      const label = `${limitS} s propagation`;
      const gap = (value: number) =>
        `physical limit ${limitS} s; ours is ${(value - limitS).toFixed(2)} s over it`;
      const oursIn = median(ours.map((t) => t.toLogIn)) / 1000;
      const oursOut = median(ours.map((t) => t.toRefused)) / 1000;
      rows.push(
        row(
          'requests',
          `request event → user logs in, ${label}`,
          's',
          oursIn,
          median(baseline.map((t) => t.toLogIn)) / 1000,
          gap(oursIn),
        ),
        row(
          'requests',
          `revoke event → user refused, ${label}`,
          's',
          oursOut,
          median(baseline.map((t) => t.toRefused)) / 1000,
          gap(oursOut),
        ),
      );
      options.log(`  ${label}: ours ${oursIn.toFixed(2)} s in / ${oursOut.toFixed(2)} s out`);
    } finally {
      await aws.stop();
    }
  }
  return rows;
}

/** The bundled function, handed each event the moment it is put, as the rule on the bus does. */
async function measureOurs(aws: LocalAws, options: RequestBenchOptions): Promise<Timing[]> {
  const groupArn = groupArnOf('elasticache', GROUP);
  const fn = await startMembershipFunction(options.bundle, aws, [], {
    requests: { rules: [{ name: 'bench', groupArn, users: [USER] }] },
  });
  try {
    const timings: Timing[] = [];
    for (let run = 0; run < options.runs; run++) {
      const requestId = `bench-${Date.now()}-${run}`;
      const requested = performance.now();
      void fn.invoke(
        busEvent('Cache Access Requested', {
          requestId,
          groupArn,
          user: USER,
          duration: 'PT1H',
          requestedBy: 'bench',
          reason: 'bench',
        }),
      );
      await until(options.redis, true);
      const toLogIn = performance.now() - requested;
      const revoked = performance.now();
      void fn.invoke(busEvent('Cache Access Revoked', { requestId, revokedBy: 'bench', reason: 'bench' }));
      await until(options.redis, false);
      timings.push({ toLogIn, toRefused: performance.now() - revoked });
      await sleep(200);
    }
    return timings;
  } finally {
    await fn.stop();
  }
}

/**
 * A poller that looks for new requests and revocations every 10 s and applies them then. The events
 * arrive at different points of its cycle, so each run starts at another phase.
 */
async function measureBaseline(aws: LocalAws, options: RequestBenchOptions): Promise<Timing[]> {
  const client = new ElastiCacheClient({
    region: 'eu-west-1',
    endpoint: aws.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    const timings: Timing[] = [];
    for (let run = 0; run < options.runs; run++) {
      const phase = ((run + 0.5) / options.runs) * POLL_MS;
      const requested = performance.now();
      await sleep(POLL_MS - phase);
      await client.send(new ModifyUserGroupCommand({ UserGroupId: GROUP, UserIdsToAdd: [USER] }));
      await until(options.redis, true);
      const toLogIn = performance.now() - requested;
      const revoked = performance.now();
      await sleep(POLL_MS - phase);
      await waitActive(aws);
      await client.send(new ModifyUserGroupCommand({ UserGroupId: GROUP, UserIdsToRemove: [USER] }));
      await until(options.redis, false);
      timings.push({ toLogIn, toRefused: performance.now() - revoked });
      await waitActive(aws);
    }
    return timings;
  } finally {
    client.destroy();
  }
}

/** Polls a fresh login every 25 ms until it has the outcome wanted, as a user retrying would. */
async function until(redis: RedisServer, loggedIn: boolean): Promise<void> {
  while ((await redis.authenticates(USER, PASSWORD)) !== loggedIn) await sleep(25);
}

async function waitActive(aws: LocalAws): Promise<void> {
  while (aws.groups.get('elasticache', GROUP)?.status !== 'active') await sleep(25);
}

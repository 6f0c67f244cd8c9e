import { setTimeout as sleep } from 'node:timers/promises';
import { type LocalAws, type LocalAwsOptions, type RedisServer, startLocalAws } from '../local';
import { median, type Row, row } from './stats';

/** What the access benches (requests, ephemeral users) are given. */
export interface AccessBenchOptions {
  readonly bundle: string;
  readonly redis: RedisServer;
  /** Requests measured per propagation delay. */
  readonly runs: number;
  readonly log: (line: string) => void;
}

/** No delay, and the 2 s a change can take to reach every node of a real cache. */
export const PROPAGATIONS_MS = [0, 2_000];

/** An SDK client's settings for the local endpoint, with the fake credentials it takes. */
export const localClientConfig = (aws: LocalAws) => ({
  region: 'eu-west-1',
  endpoint: aws.url,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

/** Milliseconds from the ask to the first login, and from the end to the first refused login. */
export interface Timing {
  readonly toLogIn: number;
  readonly toRefused: number;
}

export interface Login {
  readonly username: string;
  readonly password: string;
}

/** Polls a fresh login every 25 ms until it has the outcome wanted, as a user retrying would. */
export async function untilLogin(redis: RedisServer, login: Login, loggedIn: boolean): Promise<void> {
  while ((await redis.authenticates(login.username, login.password)) !== loggedIn) await sleep(25);
}

export async function untilGroupActive(aws: LocalAws, groupId: string): Promise<void> {
  while (aws.groups.get('elasticache', groupId)?.status !== 'active') await sleep(25);
}

/** One access bench: how the local cloud is set up, and the two ways of getting a user in and out. */
export interface AccessComparison {
  readonly section: string;
  /** What logs in: `user` or `new user`. */
  readonly who: string;
  /** The local cloud's delays for a propagation delay. */
  readonly delays: (propagationMs: number) => Partial<LocalAwsOptions>;
  readonly arrange: (aws: LocalAws) => Promise<void>;
  /** The physical limits, in seconds, with what makes them. */
  readonly limits: (propagationS: number) => { readonly in: Limit; readonly out: Limit };
  readonly ours: (aws: LocalAws) => Promise<Timing[]>;
  readonly baseline: (aws: LocalAws) => Promise<Timing[]>;
}

interface Limit {
  readonly seconds: number;
  readonly of: string;
}

/** Both ways at each propagation delay, in a fresh local cloud, as two rows: in, and out. */
export async function compareAccess(options: AccessBenchOptions, bench: AccessComparison): Promise<Row[]> {
  const rows: Row[] = [];
  for (const propagationMs of PROPAGATIONS_MS) {
    const aws = await startLocalAws({ redis: options.redis, ...bench.delays(propagationMs) });
    try {
      await bench.arrange(aws);
      const ours = await bench.ours(aws);
      const baseline = await bench.baseline(aws);
      const propagationS = propagationMs / 1000;
      const limits = bench.limits(propagationS);
      const label = `${propagationS} s propagation`;
      const seconds = (timings: readonly Timing[], of: keyof Timing) =>
        median(timings.map((timing) => timing[of])) / 1000;
      const gap = (value: number, limit: Limit) =>
        `physical limit ${limit.seconds} s (${limit.of}); ours is ${(value - limit.seconds).toFixed(2)} s over it`;
      const oursIn = seconds(ours, 'toLogIn');
      const oursOut = seconds(ours, 'toRefused');
      rows.push(
        row(
          bench.section,
          `request event → ${bench.who} logs in, ${label}`,
          's',
          oursIn,
          seconds(baseline, 'toLogIn'),
          gap(oursIn, limits.in),
        ),
        row(
          bench.section,
          `revoke event → ${bench.who} refused, ${label}`,
          's',
          oursOut,
          seconds(baseline, 'toRefused'),
          gap(oursOut, limits.out),
        ),
      );
      options.log(`  ${label}: ours ${oursIn.toFixed(2)} s in / ${oursOut.toFixed(2)} s out`);
    } finally {
      await aws.stop();
    }
  }
  return rows;
}

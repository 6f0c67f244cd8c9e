import { randomUUID } from 'node:crypto';
import type { LambdaHost, LocalAws, RedisServer } from '../local';
import { provisionUser, rotate, startRotationFunction, uniqueName } from '../local';
import { BASELINE_POLL_MS, baselineRotation } from './baseline-rotation';
import { median, type Row, row } from './stats';

export interface RotationBenchOptions {
  readonly bundle: string;
  readonly aws: LocalAws;
  readonly redis: RedisServer;
  /** Simulated propagation delay → how many rotations to measure at it. */
  readonly repeats: ReadonlyMap<number, number>;
  readonly log: (line: string) => void;
}

interface Sample {
  readonly wallMs: number;
  readonly billedMs: number;
  readonly calls: number;
}

/**
 * Rotation completion time, API calls and billed Lambda time per rotation at each simulated
 * propagation delay (the user stays `modifying` and the new password reaches the cache after it),
 * for a target with an endpoint (the live AUTH check) and one without (status only), both against
 * the same baseline runs.
 */
export async function rotationBench({
  bundle,
  aws,
  redis,
  repeats,
  log,
}: RotationBenchOptions): Promise<Row[]> {
  const total = [...repeats.values()].reduce((a, b) => a + b, 0);
  const users = await Promise.all(
    Array.from({ length: total }, () => provisionUser(aws, 'elasticache', uniqueName('bench'))),
  );
  const statusOnlyUsers = await Promise.all(
    Array.from({ length: total }, () => provisionUser(aws, 'elasticache', uniqueName('bench-noep'))),
  );
  const baselineUsers = await Promise.all(
    Array.from({ length: total }, () => provisionUser(aws, 'elasticache', uniqueName('base'))),
  );
  const fn = await startRotationFunction(bundle, aws, redis, users);
  const statusOnlyFn = await startRotationFunction(bundle, aws, redis, statusOnlyUsers, { endpoint: false });
  const rotateWith = (host: LambdaHost, secretArn: string) => async () => {
    const run = await rotate(host, aws, secretArn, { timeoutMs: 900_000 });
    if (run.failed) throw new Error(`rotation failed at ${run.failed.step}: ${run.failed.error?.message}`);
    return run.invocations.reduce((sum, invocation) => sum + invocation.durationMs, 0);
  };
  const rows: Row[] = [];
  try {
    let next = 0;
    for (const [delayMs, count] of repeats) {
      aws.setDelays({ statusDelayMs: delayMs, propagationDelayMs: delayMs });
      const ours: Sample[] = [];
      const statusOnly: Sample[] = [];
      const baseline: Sample[] = [];
      for (let i = 0; i < count; i++, next++) {
        const user = users[next];
        const statusOnlyUser = statusOnlyUsers[next];
        const baseUser = baselineUsers[next];
        if (!user || !statusOnlyUser || !baseUser) throw new Error('not enough provisioned users');
        ours.push(await measure(aws, rotateWith(fn, user.secretArn)));
        statusOnly.push(await measure(aws, rotateWith(statusOnlyFn, statusOnlyUser.secretArn)));
        baseline.push(
          await measure(aws, async () => {
            const token = randomUUID();
            aws.secrets.beginRotation(baseUser.secretArn, token);
            const steps = await baselineRotation(
              { endpointUrl: aws.url, redis },
              baseUser.secretArn,
              baseUser.name,
              token,
            );
            return steps.reduce((a, b) => a + b, 0);
          }),
        );
        log(
          `  rotation at ${delayMs / 1000}s delay, run ${i + 1}/${count}: ${ms(ours.at(-1))}, without endpoint ${ms(statusOnly.at(-1))}, vs baseline ${ms(baseline.at(-1))}`,
        );
      }
      const label = `${delayMs / 1000}s propagation`;
      const pick = (samples: Sample[], key: keyof Sample) => median(samples.map((s) => s[key]));
      const overLimit = pick(ours, 'wallMs') / 1000 - delayMs / 1000;
      rows.push(
        row(
          'rotation',
          `completion time, ${label}`,
          's',
          pick(ours, 'wallMs') / 1000,
          pick(baseline, 'wallMs') / 1000,
          `median of ${count}; physical limit ${delayMs / 1000} s; ours is ${overLimit.toFixed(2)} s over it`,
        ),
        row('rotation', `API calls, ${label}`, 'calls', pick(ours, 'calls'), pick(baseline, 'calls')),
        row(
          'rotation',
          `completion time, ${label}, no endpoint`,
          's',
          pick(statusOnly, 'wallMs') / 1000,
          pick(baseline, 'wallMs') / 1000,
          `median of ${count}; status polls only, no live AUTH check`,
        ),
        row(
          'rotation',
          `API calls, ${label}, no endpoint`,
          'calls',
          pick(statusOnly, 'calls'),
          pick(baseline, 'calls'),
        ),
        row(
          'lambda',
          `billed time per rotation, ${label}`,
          's',
          pick(ours, 'billedMs') / 1000,
          pick(baseline, 'billedMs') / 1000,
        ),
      );
    }
  } finally {
    aws.setDelays({ statusDelayMs: 0, propagationDelayMs: 0 });
    await Promise.all([fn.stop(), statusOnlyFn.stop()]);
  }
  log(`  baseline polls every ${BASELINE_POLL_MS / 1000}s`);
  return rows;
}

async function measure(aws: LocalAws, run: () => Promise<number>): Promise<Sample> {
  const callsBefore = aws.calls.length;
  const started = performance.now();
  const billedMs = await run();
  return { wallMs: performance.now() - started, billedMs, calls: aws.calls.length - callsBefore };
}

const ms = (sample: Sample | undefined) => `${((sample?.wallMs ?? 0) / 1000).toFixed(2)}s`;

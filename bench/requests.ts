import { setTimeout as sleep } from 'node:timers/promises';
import { ElastiCacheClient, ModifyUserGroupCommand } from '@aws-sdk/client-elasticache';
import { busEvent, groupArnOf, type LocalAws, startMembershipFunction } from '../local';
import {
  type AccessBenchOptions,
  compareAccess,
  localClientConfig,
  type Timing,
  untilGroupActive,
  untilLogin,
} from './access-timing';
import type { Row } from './stats';

/** The baseline: a poller that applies what was requested every 10 s, as cron-driven tools do. */
const POLL_MS = 10_000;
const USER = 'bench-requester';
const PASSWORD = 'bench-requester-password-0123';
const LOGIN = { username: USER, password: PASSWORD };
const GROUP = 'bench-requests-ug';

/**
 * From the event to the user's first successful login, and from the revoke to the first refused
 * login, as a user who keeps trying sees it. The physical limit is the propagation delay: the time a
 * membership change takes to reach every node once the group has accepted it.
 */
export function requestBench(options: AccessBenchOptions): Promise<Row[]> {
  return compareAccess(options, {
    section: 'requests',
    who: 'user',
    delays: (propagationMs) => ({ propagationDelayMs: propagationMs }),
    arrange: async (aws) => {
      await aws.users.create({
        engine: 'elasticache',
        id: USER,
        passwords: [PASSWORD],
        governedByGroups: true,
      });
      await aws.groups.create({ engine: 'elasticache', id: GROUP });
    },
    limits: (propagationS) => ({
      in: { seconds: propagationS, of: 'group change' },
      out: { seconds: propagationS, of: 'group change' },
    }),
    ours: (aws) => measureOurs(aws, options),
    baseline: (aws) => measureBaseline(aws, options),
  });
}

/** The bundled function, handed each event the moment it is put, as the rule on the bus does. */
async function measureOurs(aws: LocalAws, options: AccessBenchOptions): Promise<Timing[]> {
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
      await untilLogin(options.redis, LOGIN, true);
      const toLogIn = performance.now() - requested;
      const revoked = performance.now();
      void fn.invoke(busEvent('Cache Access Revoked', { requestId, revokedBy: 'bench', reason: 'bench' }));
      await untilLogin(options.redis, LOGIN, false);
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
async function measureBaseline(aws: LocalAws, options: AccessBenchOptions): Promise<Timing[]> {
  const client = new ElastiCacheClient(localClientConfig(aws));
  try {
    const timings: Timing[] = [];
    for (let run = 0; run < options.runs; run++) {
      const phase = ((run + 0.5) / options.runs) * POLL_MS;
      const requested = performance.now();
      await sleep(POLL_MS - phase);
      await client.send(new ModifyUserGroupCommand({ UserGroupId: GROUP, UserIdsToAdd: [USER] }));
      await untilLogin(options.redis, LOGIN, true);
      const toLogIn = performance.now() - requested;
      const revoked = performance.now();
      await sleep(POLL_MS - phase);
      await untilGroupActive(aws, GROUP);
      await client.send(new ModifyUserGroupCommand({ UserGroupId: GROUP, UserIdsToRemove: [USER] }));
      await untilLogin(options.redis, LOGIN, false);
      timings.push({ toLogIn, toRefused: performance.now() - revoked });
      await untilGroupActive(aws, GROUP);
    }
    return timings;
  } finally {
    client.destroy();
  }
}

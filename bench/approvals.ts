import { setTimeout as sleep } from 'node:timers/promises';
import { ElastiCacheClient, ModifyUserGroupCommand } from '@aws-sdk/client-elasticache';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type SignedRequest, signedFetch } from '../cli/signed-fetch';
import {
  groupArnOf,
  type LocalAws,
  type LocalCredentials,
  startLocalAws,
  startMembershipFunction,
} from '../local';
import {
  type AccessBenchOptions,
  localClientConfig,
  PROPAGATIONS_MS,
  untilGroupActive,
  untilLogin,
} from './access-timing';
import { median, type Row, row } from './stats';

/** The baseline: an approval tool polled every 10 s, as cron-driven request tools check for approvals. */
const POLL_MS = 10_000;
const ACCOUNT = '123456789012';
const USER = 'bench-approved';
const LOGIN = { username: USER, password: 'bench-approved-password-0123' };
const GROUP = 'bench-approvals-ug';
const BUS = 'cache-access';

interface ApprovalTiming {
  /** From the signed request to its `Cache Access Pending` event on the bus. */
  readonly toPending: number;
  /** From the approval to the user's first successful login. */
  readonly toLogIn: number;
}

/**
 * Approvals: a request through the signed API until the bus hears it is pending, and an approval until
 * the user logs in, beside a poller that looks for requests and approvals every 10 s. The physical limit
 * of the approval is the propagation delay; of the pending event, nothing but the calls themselves.
 */
export async function approvalBench(options: AccessBenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  for (const propagationMs of PROPAGATIONS_MS) {
    const aws = await startLocalAws({ redis: options.redis, propagationDelayMs: propagationMs });
    try {
      await aws.users.create({
        engine: 'elasticache',
        id: USER,
        passwords: [LOGIN.password],
        governedByGroups: true,
      });
      await aws.groups.create({ engine: 'elasticache', id: GROUP });
      const ours = await measureOurs(aws, options);
      const baseline = await measureBaseline(aws, options);
      const s = (timings: readonly ApprovalTiming[], of: keyof ApprovalTiming) =>
        median(timings.map((timing) => timing[of])) / 1000;
      const label = `${propagationMs / 1000} s propagation`;
      const pending = s(ours, 'toPending');
      const loggedIn = s(ours, 'toLogIn');
      rows.push(
        row(
          'approvals',
          `request → pending event, ${label}`,
          's',
          pending,
          s(baseline, 'toPending'),
          'physical limit: the signed call, one conditional write and PutEvents',
        ),
        row(
          'approvals',
          `approve → user logs in, ${label}`,
          's',
          loggedIn,
          s(baseline, 'toLogIn'),
          `physical limit ${propagationMs / 1000} s (group change); ours is ${(loggedIn - propagationMs / 1000).toFixed(2)} s over it`,
        ),
      );
      options.log(`  ${label}: ours ${pending.toFixed(2)} s to pending / ${loggedIn.toFixed(2)} s to login`);
    } finally {
      await aws.stop();
    }
  }
  return rows;
}

/** The bundled function behind its URL; the requester and the approver sign their own calls. */
async function measureOurs(aws: LocalAws, options: AccessBenchOptions): Promise<ApprovalTiming[]> {
  const groupArn = groupArnOf('elasticache', GROUP);
  const fn = await startMembershipFunction(options.bundle, aws, [], {
    requests: {
      eventBusName: BUS,
      rules: [
        {
          name: 'bench',
          groupArn,
          users: [USER],
          requesters: [`arn:aws:iam::${ACCOUNT}:role/dev`],
          approvers: [`arn:aws:iam::${ACCOUNT}:role/lead`],
          approvals: 1,
        },
      ],
    },
  });
  const as = (role: string) => {
    aws.iam.add(`arn:aws:iam::${ACCOUNT}:role/${role}`);
    const credentials = aws.iam.credentialsFor(`arn:aws:sts::${ACCOUNT}:assumed-role/${role}/bench`);
    return (request: SignedRequest) => call(fn.accessApiUrl ?? '', request, credentials);
  };
  const dev = as('dev');
  const lead = as('lead');
  try {
    const timings: ApprovalTiming[] = [];
    for (let run = 0; run < options.runs; run++) {
      const requestId = `bench-${Date.now()}-${run}`;
      const requested = performance.now();
      const asked = dev({
        method: 'POST',
        path: 'requests',
        body: { requestId, groupArn, user: USER, duration: 'PT1H', reason: 'bench' },
      });
      const [, pendingAt] = await Promise.all([asked, untilEvent(aws, 'Cache Access Pending', requestId)]);
      const approved = performance.now();
      const approving = lead({ method: 'POST', path: `requests/${requestId}/approve`, body: {} });
      const [, loggedInAt] = await Promise.all([
        approving,
        untilLogin(options.redis, LOGIN, true).then(() => performance.now()),
      ]);
      timings.push({ toPending: pendingAt - requested, toLogIn: loggedInAt - approved });
      await dev({ method: 'POST', path: `requests/${requestId}/revoke`, body: { reason: 'bench' } });
      await untilLogin(options.redis, LOGIN, false);
      await sleep(200);
    }
    return timings;
  } finally {
    await fn.stop();
  }
}

/**
 * A poller that, every 10 s, announces the requests it found and applies the approvals it found. The
 * request and the approval arrive at different points of its cycle, so each run starts at another phase.
 */
async function measureBaseline(aws: LocalAws, options: AccessBenchOptions): Promise<ApprovalTiming[]> {
  const cache = new ElastiCacheClient(localClientConfig(aws));
  const bus = new EventBridgeClient(localClientConfig(aws));
  try {
    const timings: ApprovalTiming[] = [];
    for (let run = 0; run < options.runs; run++) {
      const phase = ((run + 0.5) / options.runs) * POLL_MS;
      const requestId = `poll-${Date.now()}-${run}`;
      const requested = performance.now();
      await sleep(POLL_MS - phase);
      await bus.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: BUS,
              Source: 'poller',
              DetailType: 'Cache Access Pending',
              Detail: JSON.stringify({ requestId }),
            },
          ],
        }),
      );
      const toPending = (await untilEvent(aws, 'Cache Access Pending', requestId)) - requested;
      const approved = performance.now();
      await sleep(POLL_MS - phase);
      await cache.send(new ModifyUserGroupCommand({ UserGroupId: GROUP, UserIdsToAdd: [USER] }));
      await untilLogin(options.redis, LOGIN, true);
      timings.push({ toPending, toLogIn: performance.now() - approved });
      await untilGroupActive(aws, GROUP);
      await cache.send(new ModifyUserGroupCommand({ UserGroupId: GROUP, UserIdsToRemove: [USER] }));
      await untilLogin(options.redis, LOGIN, false);
      await untilGroupActive(aws, GROUP);
    }
    return timings;
  } finally {
    cache.destroy();
    bus.destroy();
  }
}

async function call(url: string, request: SignedRequest, credentials: LocalCredentials) {
  const answer = await signedFetch(url, request, { identity: async () => credentials, region: 'eu-west-1' });
  if (answer.status !== 200)
    throw new Error(`${request.path}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer;
}

/** When the event reached the bus, polled every 5 ms; fails after 30 s rather than waiting forever. */
async function untilEvent(aws: LocalAws, detailType: string, requestId: string): Promise<number> {
  const seen = () =>
    aws.events.entries.some(
      (event) =>
        event.detailType === detailType && (event.detail as { requestId?: string }).requestId === requestId,
    );
  const deadline = performance.now() + 30_000;
  while (!seen()) {
    if (performance.now() > deadline) throw new Error(`no ${detailType} for ${requestId} within 30 s`);
    await sleep(5);
  }
  return performance.now();
}

import {
  DescribeUserGroupsCommand,
  ElastiCacheClient,
  ModifyUserGroupCommand,
} from '@aws-sdk/client-elasticache';
import { parseGroupArn } from '#core/cache/refs';
import { desiredMembership } from '#core/membership/desired';
import type { GrantSpec } from '#core/membership/grant';
import type { LambdaHost, RedisServer } from '../local';
import {
  closedWindow,
  grantsOf,
  groupArnOf,
  type LocalAws,
  openWindow,
  startLocalAws,
  startMembershipFunction,
} from '../local';
import { type Row, row } from './stats';

export interface ScaleOptions {
  readonly bundle: string;
  readonly redis: RedisServer;
  readonly groups: number;
  /** Warm instances the one-invocation-per-group baseline gets. */
  readonly concurrency: number;
  readonly log: (line: string) => void;
}

const LATENCY_MS = 50;
const REQUESTS_PER_SECOND = 10;
const GROUP_DELAY_MS = 100;
/** Per group: users the grants add and remove. */
const ADDED = 3;
const REMOVED = 2;
/** ElastiCache lists 100 user groups per page. */
const GROUPS_PER_PAGE = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  readonly wallMs: number;
  readonly calls: number;
  readonly throttledResponses: number;
  readonly failures: number;
  readonly wrongGroups: number;
}

/**
 * Many groups changing at once through a slow, rate-limited control plane. This project: one
 * invocation reconciles every group (batched reads, paced calls, one modify per group). Baselines:
 * the previous design (one invocation per group, `concurrency` warm instances) and one modify call
 * per changed user, group after group. The physical limit is the calls that cannot be avoided (one
 * modify per group, the list pages of a read and of a check) divided by the rate.
 */
export async function reconcileScaleBench(options: ScaleOptions): Promise<Row[]> {
  const ours = await scenario(options, 'ours', async (aws, grants) => {
    const host = await startMembershipFunction(options.bundle, aws, grants);
    try {
      const result = await host.invoke({ trigger: 'reconcile' });
      return result.ok ? 0 : 1;
    } finally {
      await host.stop();
    }
  });
  const perGroup = await scenario(options, 'grp', async (aws, grants, groupIds) => {
    const hosts = await Promise.all(
      Array.from({ length: options.concurrency }, () => startMembershipFunction(options.bundle, aws, grants)),
    );
    try {
      const queue = [...groupIds];
      let failures = 0;
      await Promise.all(
        hosts.map(async (host: LambdaHost) => {
          for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
            const result = await host.invoke({
              groupArn: groupArnOf('elasticache', id),
              trigger: 'reconcile',
            });
            if (!result.ok) failures++;
          }
        }),
      );
      return failures;
    } finally {
      await Promise.all(hosts.map((host) => host.stop()));
    }
  });
  const perUser = await scenario(options, 'usr', async (aws, grants, groupIds) => {
    const client = new ElastiCacheClient({
      region: 'eu-west-1',
      endpoint: aws.url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    let failures = 0;
    try {
      for (const id of groupIds) {
        await perUserReconcile(client, id, grants).catch(() => failures++);
      }
    } finally {
      client.destroy();
    }
    return failures;
  });
  const label = `${options.groups} groups`;
  const pages = Math.ceil(options.groups / GROUPS_PER_PAGE);
  const limitS = (options.groups + 2 * pages) / REQUESTS_PER_SECOND;
  const against = (name: string, baseline: Outcome) => [
    row(
      'reconcile',
      `wall time, ${label}, vs ${name}`,
      's',
      ours.wallMs / 1000,
      baseline.wallMs / 1000,
      `physical limit ${limitS.toFixed(1)} s (${options.groups} modifies + ${2 * pages} list pages at ${REQUESTS_PER_SECOND} req/s, ${LATENCY_MS} ms latency); ours is ${(ours.wallMs / 1000 / limitS).toFixed(2)}x of it`,
    ),
    row('reconcile', `API calls, ${label}, vs ${name}`, 'calls', ours.calls, baseline.calls),
    row(
      'reconcile',
      `throttled responses, ${label}, vs ${name}`,
      'responses',
      ours.throttledResponses,
      baseline.throttledResponses,
      `ours: ${((100 * ours.throttledResponses) / Math.max(1, ours.calls)).toFixed(1)} % of calls (goal under 5 %)`,
    ),
    row(
      'reconcile',
      `errors reaching the caller, vs ${name}`,
      'errors',
      ours.failures,
      baseline.failures,
      'must be 0',
    ),
    row(
      'reconcile',
      `groups left wrong, vs ${name}`,
      'groups',
      ours.wrongGroups,
      baseline.wrongGroups,
      'must be 0',
    ),
  ];
  return [...against('one invocation per group', perGroup), ...against('one call per user', perUser)];
}

/** The baseline's way: wait for the group, then one ModifyUserGroup per changed user. */
async function perUserReconcile(
  client: ElastiCacheClient,
  id: string,
  grants: readonly GrantSpec[],
): Promise<void> {
  const describe = async () =>
    (await client.send(new DescribeUserGroupsCommand({ UserGroupId: id }))).UserGroups?.[0];
  const desired = desiredMembership(
    grantsOf(grants),
    parseGroupArn(groupArnOf('elasticache', id)),
    Date.now(),
  );
  const members = new Set((await describe())?.UserIds ?? []);
  const changes = [
    ...[...desired.grantedBy.keys()].filter((u) => !members.has(u)).map((u) => ({ UserIdsToAdd: [u] })),
    ...[...desired.managed]
      .filter((u) => members.has(u) && !desired.grantedBy.has(u))
      .map((u) => ({ UserIdsToRemove: [u] })),
  ];
  for (const change of changes) {
    while ((await describe())?.Status !== 'active') await sleep(250);
    await client.send(new ModifyUserGroupCommand({ UserGroupId: id, ...change }));
  }
}

async function scenario(
  { redis, groups, log }: ScaleOptions,
  prefix: string,
  /** Runs the strategy; returns how many runs or calls failed for good. */
  reconcile: (aws: LocalAws, grants: GrantSpec[], groupIds: string[]) => Promise<number>,
): Promise<Outcome> {
  const aws = await startLocalAws({ redis, latencyMs: LATENCY_MS, groupDelayMs: GROUP_DELAY_MS });
  try {
    const { grants, groupIds } = await provision(aws, prefix, groups);
    aws.setThrottle({ requestsPerSecond: REQUESTS_PER_SECOND });
    const callsBefore = aws.calls.length;
    const started = performance.now();
    const failures = await reconcile(aws, grants, groupIds);
    const wallMs = performance.now() - started;
    // The control plane the limit applies to; the change events go to EventBridge, paced apart.
    const controlPlane = aws.calls.slice(callsBefore).filter((call) => call.service === 'elasticache');
    const calls = controlPlane.length;
    const throttledResponses = controlPlane.filter((call) => call.error === 'ThrottlingException').length;
    aws.setThrottle(undefined);
    await sleep(GROUP_DELAY_MS * 3);
    const resolved = grantsOf(grants);
    const wrongGroups = groupIds.filter((id) => {
      const desired = desiredMembership(resolved, parseGroupArn(groupArnOf('elasticache', id)), Date.now());
      const members = new Set(aws.groups.get('elasticache', id)?.members ?? []);
      return [...desired.managed].some((user) => members.has(user) !== desired.grantedBy.has(user));
    }).length;
    log(
      `  ${{ ours: 'this project', grp: 'one invocation per group', usr: 'one call per user' }[prefix]}: ${(wallMs / 1000).toFixed(1)} s, ${calls} calls, ${throttledResponses} throttled, ${failures} failed, ${wrongGroups} groups wrong`,
    );
    return { wallMs, calls, throttledResponses, failures, wrongGroups };
  } finally {
    await aws.stop();
  }
}

/** Groups of 20 to 100 users; each needs ADDED users added and REMOVED users removed. */
async function provision(aws: LocalAws, prefix: string, count: number) {
  const grants: GrantSpec[] = [];
  const groupIds: string[] = [];
  for (let g = 0; g < count; g++) {
    const size = 20 + ((g * 37) % 81);
    const users = Array.from({ length: size }, (_, u) => `${prefix}${g}u${u}`);
    for (const id of users) {
      await aws.users.create({
        engine: 'elasticache',
        id,
        passwords: ['bench-password-0123456789'],
        governedByGroups: true,
      });
    }
    const half = Math.floor(size / 2);
    const id = `${prefix}-group-${g}`;
    await aws.groups.create({
      engine: 'elasticache',
      id,
      members: [...users.slice(0, half), ...users.slice(size - REMOVED)],
    });
    const groupArn = groupArnOf('elasticache', id);
    grants.push(
      { name: `${id}-open`, groupArn, users: users.slice(0, half + ADDED), windows: [openWindow()] },
      { name: `${id}-closed`, groupArn, users: users.slice(half + ADDED), windows: [closedWindow()] },
    );
    groupIds.push(id);
  }
  return { grants, groupIds };
}

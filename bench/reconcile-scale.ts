import {
  DescribeUserGroupsCommand,
  ElastiCacheClient,
  ModifyUserGroupCommand,
} from '@aws-sdk/client-elasticache';
import { parseGroupArn } from '../lambdas/shared/cache/refs';
import { desiredMembership } from '../lambdas/shared/membership/desired';
import type { GrantSpec } from '../lambdas/shared/membership/grant';
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
  /** Lambda concurrency available to the membership function. */
  readonly concurrency: number;
  readonly log: (line: string) => void;
}

const LATENCY_MS = 50;
const REQUESTS_PER_SECOND = 10;
const GROUP_DELAY_MS = 100;
/** Per group: users the plan adds and removes. */
const ADDED = 3;
const REMOVED = 2;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  readonly wallMs: number;
  readonly calls: number;
  readonly throttledResponses: number;
  readonly throttlingFailures: number;
  readonly wrongGroups: number;
}

/**
 * Many groups changing at once through a slow, rate-limited control plane: this project's function
 * (one modify per group, `concurrency` warm instances) against one modify call per changed user,
 * group after group.
 */
export async function reconcileScaleBench(options: ScaleOptions): Promise<Row[]> {
  const ours = await scenario(options, 'ours', async (aws, grants, groupIds) => {
    const hosts = await Promise.all(
      Array.from({ length: options.concurrency }, () => startMembershipFunction(options.bundle, aws, grants)),
    );
    try {
      const queue = [...groupIds];
      let throttlingFailures = 0;
      await Promise.all(
        hosts.map(async (host: LambdaHost) => {
          for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
            const result = await host.invoke({
              groupArn: groupArnOf('elasticache', id),
              trigger: 'reconcile',
            });
            if (!result.ok && /thrott/i.test(`${result.error?.name} ${result.error?.message}`))
              throttlingFailures++;
          }
        }),
      );
      return throttlingFailures;
    } finally {
      await Promise.all(hosts.map((host) => host.stop()));
    }
  });
  const baseline = await scenario(options, 'base', async (aws, grants, groupIds) => {
    const client = new ElastiCacheClient({
      region: 'eu-west-1',
      endpoint: aws.url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    let throttlingFailures = 0;
    try {
      for (const id of groupIds) {
        try {
          await perUserReconcile(client, id, grants);
        } catch (error) {
          if (/thrott/i.test(String((error as Error).name))) throttlingFailures++;
          else throw error;
        }
      }
    } finally {
      client.destroy();
    }
    return throttlingFailures;
  });
  const label = `${options.groups} groups`;
  return [
    row(
      'reconcile',
      `wall time, ${label}`,
      's',
      ours.wallMs / 1000,
      baseline.wallMs / 1000,
      `${LATENCY_MS} ms latency, ${REQUESTS_PER_SECOND} req/s`,
    ),
    row('reconcile', `API calls, ${label}`, 'calls', ours.calls, baseline.calls),
    row(
      'reconcile',
      `throttled responses, ${label}`,
      'responses',
      ours.throttledResponses,
      baseline.throttledResponses,
    ),
    row(
      'reconcile',
      `throttling errors reaching the caller`,
      'errors',
      ours.throttlingFailures,
      baseline.throttlingFailures,
      'must be 0',
    ),
    row('reconcile', `groups left wrong`, 'groups', ours.wrongGroups, baseline.wrongGroups, 'must be 0'),
  ];
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
  reconcile: (aws: LocalAws, grants: GrantSpec[], groupIds: string[]) => Promise<number>,
): Promise<Outcome> {
  const aws = await startLocalAws({ redis, latencyMs: LATENCY_MS, groupDelayMs: GROUP_DELAY_MS });
  try {
    const { grants, groupIds } = await provision(aws, prefix, groups);
    aws.setThrottle({ requestsPerSecond: REQUESTS_PER_SECOND });
    const [callsBefore, throttledBefore] = [aws.calls.length, aws.throttledCount];
    const started = performance.now();
    const throttlingFailures = await reconcile(aws, grants, groupIds);
    const wallMs = performance.now() - started;
    const calls = aws.calls.length - callsBefore;
    const throttledResponses = aws.throttledCount - throttledBefore;
    aws.setThrottle(undefined);
    await sleep(GROUP_DELAY_MS * 3);
    const resolved = grantsOf(grants);
    const wrongGroups = groupIds.filter((id) => {
      const desired = desiredMembership(resolved, parseGroupArn(groupArnOf('elasticache', id)), Date.now());
      const members = new Set(aws.groups.get('elasticache', id)?.members ?? []);
      return [...desired.managed].some((user) => members.has(user) !== desired.grantedBy.has(user));
    }).length;
    log(
      `  ${prefix === 'ours' ? 'this project' : 'baseline'}: ${(wallMs / 1000).toFixed(1)} s, ${calls} calls, ${throttledResponses} throttled`,
    );
    return { wallMs, calls, throttledResponses, throttlingFailures, wrongGroups };
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

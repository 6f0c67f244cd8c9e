import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeUserGroupsCommand,
  ElastiCacheClient,
  ModifyUserGroupCommand,
} from '@aws-sdk/client-elasticache';
import { DescribeACLsCommand, MemoryDBClient, UpdateACLCommand } from '@aws-sdk/client-memorydb';
import type { LocalAws, RedisServer } from '../local';
import { localClientConfig } from './access-timing';
import {
  ARRIVAL_MS,
  asks,
  controlPlane,
  expectLogins,
  type Outcome,
  type Team,
  untilAllMembers,
} from './burst-setup';

/**
 * The design before the queue: every request its own invocation, which reads its group and changes it
 * at once, pacing only its own calls; a group busy with another invocation's change, or a throttled
 * call, is retried after a pause, as the reconciler does. Modeled with the SDK, since that design is no
 * longer in the bundle.
 */
export async function measureBaseline(
  aws: LocalAws,
  teams: readonly Team[],
  options: { readonly redis: RedisServer; readonly requests: number },
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

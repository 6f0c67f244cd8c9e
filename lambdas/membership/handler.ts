import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { MemoryDBClient } from '@aws-sdk/client-memorydb';
import type { Context } from 'aws-lambda';
import { ElastiCacheGroups } from '#shared/adapters/elasticache-groups';
import { ElastiCacheUsers } from '#shared/adapters/elasticache-users';
import { EventBridgePublisher } from '#shared/adapters/eventbridge-publisher';
import { MemoryDbAcls } from '#shared/adapters/memorydb-groups';
import { MemoryDbUsers } from '#shared/adapters/memorydb-users';
import { perRegion } from '#shared/adapters/per-region';
import { Deadline, systemClock } from '#shared/deadline';
import { requireEnv } from '#shared/env';
import { ENV, MEMBERSHIP_PLAN_FILENAME } from '#shared/env-names';
import { CacheAccessError, ConfigurationError, InvalidEventError } from '#shared/errors';
import { evaluationTime, parseMembershipEvent } from '#shared/membership/event';
import { parseGrants } from '#shared/membership/grants';
import { MembershipReconciler } from '#shared/membership/reconciler';
import { observabilityFor, withObservability } from '#shared/observability';

/** Kept back from the Lambda timeout so a run that runs out of time still reports why. */
const RESERVE_MS = 10_000;

const { logger, metrics } = observabilityFor('cache-membership');
const planFile =
  process.env[ENV.membershipPlanFile] ??
  join(dirname(fileURLToPath(import.meta.url)), MEMBERSHIP_PLAN_FILENAME);
const grants = parseGrants(readPlan(planFile), planFile);
const configuredGroups = [...new Set(grants.map((grant) => grant.groupArn))];
const elasticache = perRegion((region) => new ElastiCacheClient({ region }));
const memorydb = perRegion((region) => new MemoryDBClient({ region }));

const reconciler = new MembershipReconciler({
  groups: { elasticache: new ElastiCacheGroups(elasticache), memorydb: new MemoryDbAcls(memorydb) },
  users: { elasticache: new ElastiCacheUsers(elasticache), memorydb: new MemoryDbUsers(memorydb) },
  publisher: new EventBridgePublisher(new EventBridgeClient({}), requireEnv(ENV.eventBusName)),
  onEvent: (message, data) => logger.info(message, { ...data }),
});

function readPlan(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `cannot read the membership plan ${file}; redeploy the stack to restore it`,
      {
        cause: error,
      },
    );
  }
}

export interface MembershipResult {
  readonly groupArn: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly members: readonly string[];
}

async function reconcile(event: unknown, context: Context): Promise<MembershipResult> {
  try {
    const request = parseMembershipEvent(event);
    const { group, trigger } = request;
    logger.appendKeys({ groupArn: group.arn, trigger });
    if (!configuredGroups.includes(group.arn)) {
      throw new InvalidEventError(
        `group ${group.arn} is not in this function's plan; configured groups: ${configuredGroups.join(', ')}`,
      );
    }
    const atMs = evaluationTime(request, Date.now());
    const deadline = Deadline.after(systemClock, context.getRemainingTimeInMillis(), RESERVE_MS);
    const { change, members } = await reconciler.reconcile({ group, grants, atMs, trigger, deadline });
    metrics.addMetric('MembershipReconciled', MetricUnit.Count, 1);
    metrics.addMetric('MembersAdded', MetricUnit.Count, change?.added.length ?? 0);
    metrics.addMetric('MembersRemoved', MetricUnit.Count, change?.removed.length ?? 0);
    if (!change)
      logger.info('group already matches the plan', { members, evaluatedAt: new Date(atMs).toISOString() });
    return { groupArn: group.arn, added: change?.added ?? [], removed: change?.removed ?? [], members };
  } catch (error) {
    metrics.addMetric('MembershipReconcileFailed', MetricUnit.Count, 1);
    logger.error('membership reconcile failed', {
      reason: error instanceof CacheAccessError ? error.name : 'UnexpectedError',
      error: error as Error,
    });
    throw error;
  }
}

export const handler = withObservability(reconcile, { logger, metrics });

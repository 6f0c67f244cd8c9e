import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { cacheDirectories } from '#shared/cache/engines';
import { requireEnv } from '#shared/env';
import { ENV } from '#shared/env-names';
import { DeployedConfigError, InvalidEventError, MembershipRunError } from '#shared/errors';
import { defineHandler } from '#shared/handler';
import { parseMembershipEvent } from '#shared/membership/event';
import { EventBridgePublisher } from '#shared/membership/eventbridge-publisher';
import { GRANTS_FILE, readGrantsFile } from '#shared/membership/grants-file';
import { MembershipReconciler } from '#shared/membership/reconciler';
import { shown } from '#shared/shown';

const fn = defineHandler({
  serviceName: 'cache-membership',
  activity: 'membership reconcile',
  subject: 'membership event',
  succeededMetric: 'MembershipReconciled',
  failedMetric: 'MembershipReconcileFailed',
  failure: MembershipRunError,
});

const grantsFile = process.env[ENV.grantsFile] ?? join(dirname(fileURLToPath(import.meta.url)), GRANTS_FILE);
const grants = readGrantsFile(readBundledFile(grantsFile), grantsFile);
const configuredGroups = [...new Set(grants.map((grant) => grant.group.arn))];
const cache = cacheDirectories();

const reconciler = new MembershipReconciler({
  groups: cache,
  users: cache,
  publisher: new EventBridgePublisher(new EventBridgeClient({}), requireEnv(ENV.eventBusName)),
  note: fn.note,
});

function readBundledFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new DeployedConfigError(`cannot read the grants file ${file}; redeploy the stack to restore it`, {
      cause: error,
    });
  }
}

export interface MembershipResult {
  readonly groupArn: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly members: readonly string[];
}

export const handler = fn.handler(
  async (event, { deadline, metrics, workingOn }): Promise<MembershipResult> => {
    const { group, trigger, scheduledTime } = parseMembershipEvent(event, Date.now());
    workingOn(`reconcile of group ${group.arn}`, { groupArn: group.arn, trigger });
    if (!configuredGroups.includes(group.arn)) {
      throw new InvalidEventError(
        `group ${shown(group.arn)} is not in this function's grants; configured groups: ${configuredGroups.join(', ')}`,
      );
    }
    const { change, members, evaluatedAt } = await reconciler.reconcile({
      group,
      grants,
      notBeforeMs: scheduledTime,
      trigger,
      deadline,
    });
    metrics.addMetric('MembersAdded', MetricUnit.Count, change?.added.length ?? 0);
    metrics.addMetric('MembersRemoved', MetricUnit.Count, change?.removed.length ?? 0);
    if (!change) fn.logger.info('group already matches the plan', { members, evaluatedAt });
    return { groupArn: group.arn, added: change?.added ?? [], removed: change?.removed ?? [], members };
  },
);

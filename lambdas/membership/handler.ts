import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { cacheDirectories } from '#shared/cache/engines';
import { requireEnv } from '#shared/env';
import { ENV } from '#shared/env-names';
import {
  DeployedConfigError,
  GroupsFailedError,
  InvalidEventError,
  MembershipRunError,
} from '#shared/errors';
import { defineHandler } from '#shared/handler';
import { parseMembershipEvent } from '#shared/membership/event';
import { EventBridgePublisher } from '#shared/membership/eventbridge-publisher';
import { GRANTS_FILE, readGrantsFile } from '#shared/membership/grants-file';
import { type GroupOutcome, MembershipReconciler } from '#shared/membership/reconciler';
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
const configuredGroups = [...new Map(grants.map(({ group }) => [group.arn, group])).values()];
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
  readonly groups: readonly {
    readonly groupArn: string;
    readonly status: GroupOutcome['status'];
    readonly added: readonly string[];
    readonly removed: readonly string[];
  }[];
}

export const handler = fn.handler(
  async (event, { deadline, metrics, workingOn }): Promise<MembershipResult> => {
    const { group, trigger, scheduledTime } = parseMembershipEvent(event, Date.now());
    if (group && !configuredGroups.some((configured) => configured.arn === group.arn)) {
      throw new InvalidEventError(
        `group ${shown(group.arn)} is not in this function's grants; configured groups: ${configuredGroups.map((g) => g.arn).join(', ')}`,
      );
    }
    const groups = group ? [group] : configuredGroups;
    workingOn(group ? `reconcile of group ${group.arn}` : `reconcile of ${groups.length} groups`, {
      trigger,
      ...(group && { groupArn: group.arn }),
    });
    const outcomes = await reconciler.reconcile({
      groups,
      grants,
      notBeforeMs: scheduledTime,
      trigger,
      deadline,
    });

    const changes = outcomes.flatMap((outcome) => (outcome.change ? [outcome.change] : []));
    metrics.addMetric('GroupsChanged', MetricUnit.Count, changes.length);
    metrics.addMetric('MembersAdded', MetricUnit.Count, sum(changes.map((change) => change.added.length)));
    metrics.addMetric(
      'MembersRemoved',
      MetricUnit.Count,
      sum(changes.map((change) => change.removed.length)),
    );
    const failed = outcomes.filter((outcome) => outcome.status === 'failed');
    fn.logger.info('reconcile finished', {
      groups: outcomes.length,
      changed: changes.length,
      unchanged: outcomes.filter((outcome) => outcome.status === 'unchanged').length,
      failed: failed.length,
    });
    for (const { group: failedGroup, error } of failed) {
      fn.logger.error('group not reconciled', { groupArn: failedGroup.arn, reason: error.name, error });
    }
    const [only] = failed;
    if (only && failed.length === 1) {
      workingOn(`reconcile of group ${only.group.arn}`);
      throw only.error;
    }
    if (failed.length > 1) {
      throw new GroupsFailedError(
        `${failed.length} of ${outcomes.length} groups failed: ${failed.map(({ group: g, error }) => `${g.arn}: ${error.message}`).join('; ')}`,
      );
    }
    return {
      groups: outcomes.map((outcome) => ({
        groupArn: outcome.group.arn,
        status: outcome.status,
        added: outcome.change?.added ?? [],
        removed: outcome.change?.removed ?? [],
      })),
    };
  },
);

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { cacheDirectories } from '#core/cache/adapters/directories';
import type { CacheGroupRef } from '#core/cache/refs';
import { parseMembershipEvent } from '#core/membership/event';
import { EventBridgePublisher } from '#core/membership/eventbridge-publisher';
import { type GroupOutcome, MembershipReconciler } from '#core/membership/reconciler';
import { AccessBatch, isQueueBatch } from '#core/requests/access-batch';
import { AccessService } from '#core/requests/access-service';
import type { UrlAnswer } from '#core/requests/api/answers';
import { RequestApi } from '#core/requests/api/request-api';
import { isUrlEvent } from '#core/requests/api/url-event';
import { announcingToChat } from '#core/requests/chat-announcer';
import { MEMBERSHIP_CONFIG_FILE, readMembershipConfigFile } from '#core/requests/config-file';
import { StoredCoverage } from '#core/requests/coverage';
import { SecretsManagerVault } from '#core/requests/credential-vault';
import { DynamoDbLane } from '#core/requests/dynamodb-lane';
import { DynamoDbAccessStore } from '#core/requests/dynamodb-store';
import { AccessTable } from '#core/requests/dynamodb-table';
import { EphemeralUsers } from '#core/requests/ephemeral-users';
import { isBusEvent, parseAccessEvent } from '#core/requests/events-in';
import { SchedulerExpiry } from '#core/requests/expiry';
import { RequestLane } from '#core/requests/request-lane';
import { SqsRequestQueue } from '#core/requests/request-queue';
import { SnsChatChannel } from '#core/requests/sns-chat-channel';
import { readBundledFile } from '#core/runtime/bundled-file';
import { systemClock } from '#core/runtime/deadline';
import { requireEnv } from '#core/runtime/env';
import { ENV } from '#core/runtime/env-names';
import { GroupsFailedError, InvalidEventError, MembershipRunError } from '#core/runtime/errors';
import { defineHandler } from '#core/runtime/handler';
import { type AccessOutcomeKind, accessOutcomeMetric, MEMBERSHIP_METRICS } from '#core/runtime/metric-names';
import { quoted } from '#core/runtime/quoted';

const fn = defineHandler({
  serviceName: MEMBERSHIP_METRICS.service,
  activity: 'membership run',
  subject: 'membership event',
  succeededMetric: MEMBERSHIP_METRICS.succeeded,
  failedMetric: MEMBERSHIP_METRICS.failed,
  failure: MembershipRunError,
});

const configFile = readBundledFile(MEMBERSHIP_CONFIG_FILE, ENV.membershipConfigFile, import.meta.url);
const { grants, requests } = readMembershipConfigFile(configFile.content, configFile.path);
const configuredGroups: readonly CacheGroupRef[] = [
  ...new Map([...grants, ...(requests?.rules ?? [])].map(({ group }) => [group.arn, group])).values(),
];
const cache = cacheDirectories({ onThrottled: fn.countThrottled });
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const store = new DynamoDbAccessStore(documents, requireEnv(ENV.accessTable));
const chatTopicArn = process.env[ENV.chatTopicArn];
const publisher = new EventBridgePublisher(new EventBridgeClient({}), requireEnv(ENV.eventBusName));
const reconciler = new MembershipReconciler({
  groups: cache,
  users: cache,
  publisher,
  state: new StoredCoverage(store),
  logDecision: fn.logDecision,
});
const ephemeral =
  requests?.rules.some((rule) => rule.ephemeral) &&
  new EphemeralUsers({
    users: cache,
    groups: cache,
    vault: new SecretsManagerVault(new SecretsManagerClient({})),
    names: {
      userPrefix: requireEnv(ENV.ephemeralUserPrefix),
      secretPrefix: requireEnv(ENV.ephemeralSecretPrefix),
      functionRoleArn: requireEnv(ENV.functionRoleArn),
    },
    logDecision: fn.logDecision,
  });
const access = new AccessService({
  store,
  expiries:
    requests &&
    new SchedulerExpiry(new SchedulerClient({}), {
      groupName: requireEnv(ENV.expiryScheduleGroup),
      roleArn: requireEnv(ENV.schedulerRoleArn),
      deadLetterArn: requireEnv(ENV.deadLetterArn),
    }),
  reconciler,
  // The stack sets the topic only with requests.notify; the bundled config does not carry it.
  publish: chatTopicArn
    ? announcingToChat(
        (events) => publisher.put(events),
        new SnsChatChannel(new SNSClient({}), chatTopicArn),
        (message, data) => fn.logger.warn(message, { ...data }),
      )
    : (events) => publisher.put(events),
  groups: cache,
  users: cache,
  requests,
  grants,
  configuredGroups,
  ...(ephemeral && { ephemeral }),
  now: Date.now,
  logDecision: fn.logDecision,
  onEphemeralUsersCounted: (alive) =>
    fn.metrics.addMetric(MEMBERSHIP_METRICS.ephemeralUsersAlive, MetricUnit.Count, alive),
});

// Access events: one at a time straight away, the rest of a burst through the queue in batches.
const lane =
  requests &&
  new RequestLane(
    new DynamoDbLane(new AccessTable(documents, requireEnv(ENV.accessTable), Date.now)),
    systemClock,
  );
const queue = requests && new SqsRequestQueue(new SQSClient({}), requireEnv(ENV.requestQueueUrl));
const batches =
  lane &&
  queue &&
  new AccessBatch({
    access,
    users: cache,
    lane,
    queue,
    countOutcome: (kind) => countOutcome(kind, fn.metrics),
    logDecision: fn.logDecision,
  });

// The request API, served through the function URL: only with requests, as the stack makes the URL.
const api =
  requests &&
  new RequestApi({
    access,
    store,
    requests,
    now: Date.now,
    logDecision: fn.logDecision,
    countOutcome: (kind) => countOutcome(kind, fn.metrics),
  });

export interface MembershipResult {
  /** What an access event did, for events from the bus. */
  readonly access?: string;
  readonly groups: readonly {
    readonly groupArn: string;
    readonly status: GroupOutcome['status'];
    readonly added: readonly string[];
    readonly removed: readonly string[];
  }[];
}

export const handler = fn.handler(
  async (
    event,
    { deadline, metrics, workingOn },
    context,
  ): Promise<MembershipResult | UrlAnswer | SQSBatchResponse> => {
    // Scheduler and EventBridge call the function by its unqualified ARN; an expiry schedule calls it back there.
    const target = { functionArn: context.invokedFunctionArn.split(':').slice(0, 7).join(':') };
    if (isUrlEvent(event)) {
      if (!api)
        throw new InvalidEventError('this stack has no requests section, so it serves no request API');
      workingOn('request API call');
      return api.handle(event, { deadline, target });
    }
    if (isQueueBatch(event)) {
      if (!batches)
        throw new InvalidEventError('this stack has no requests section, so it has no request queue');
      workingOn(`batch of ${event.Records.length} access events`);
      return batches.handle(event.Records, { deadline, target });
    }
    if (isBusEvent(event)) {
      const parsed = parseAccessEvent(event);
      if ('refusal' in parsed) {
        const refused = await access.refuse(parsed.refusal);
        countOutcome(refused.kind, metrics);
        return { access: refused.kind, groups: [] };
      }
      if (!requests) {
        throw new InvalidEventError(
          'this stack has no requests section, so it takes no access events; nothing was changed',
        );
      }
      const { command } = parsed;
      workingOn(`${command.kind} ${'requestId' in command ? command.requestId : command.user}`, {
        kind: command.kind,
      });
      // Taking access away never waits behind a burst of additions: it goes straight through.
      const removes = command.kind === 'revoke' || command.kind === 'suspend';
      const hold = removes ? undefined : await lane?.tryTake();
      if (!removes && !hold) {
        // Another event is being handled: a burst. The queue gathers it into a batch.
        await queue?.defer(event);
        countOutcome('queued', metrics);
        return { access: 'queued', groups: [] };
      }
      try {
        const outcome = await access.handle(command, { deadline, target });
        countOutcome(outcome.kind, metrics);
        return { access: outcome.kind, groups: 'groups' in outcome ? summary(outcome.groups) : [] };
      } finally {
        await hold?.release();
      }
    }

    const { group, trigger, scheduledTime, requestId } = parseMembershipEvent(event, Date.now());
    if (group && !configuredGroups.some((configured) => configured.arn === group.arn)) {
      throw new InvalidEventError(
        `group ${quoted(group.arn)} is not in this function's grants; configured groups: ${configuredGroups.map((g) => g.arn).join(', ')}`,
      );
    }
    const groups = group ? [group] : configuredGroups;
    workingOn(group ? `reconcile of group ${group.arn}` : `reconcile of ${groups.length} groups`, {
      trigger,
      ...(group && { groupArn: group.arn }),
      ...(requestId && { requestId }),
    });
    const outcomes = await access.runScheduled(
      groups,
      { deadline, target },
      { trigger, notBeforeMs: scheduledTime, sweepOrphans: !group },
    );
    report(outcomes, metrics);
    const failed = outcomes.filter((outcome) => outcome.status === 'failed');
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
    return { groups: summary(outcomes) };
  },
);

/** Every access event counts as its outcome, refusals of events that do not parse included. */
function countOutcome(kind: AccessOutcomeKind, metrics: Metrics) {
  metrics.addMetric(accessOutcomeMetric(kind), MetricUnit.Count, 1);
}

function report(outcomes: readonly GroupOutcome[], metrics: Metrics) {
  const changes = outcomes.flatMap((outcome) => (outcome.change ? [outcome.change] : []));
  const { groupsChanged, membersAdded, membersRemoved } = MEMBERSHIP_METRICS;
  metrics.addMetric(groupsChanged, MetricUnit.Count, changes.length);
  metrics.addMetric(membersAdded, MetricUnit.Count, sum(changes.map((change) => change.added.length)));
  metrics.addMetric(membersRemoved, MetricUnit.Count, sum(changes.map((change) => change.removed.length)));
  const failed = outcomes.filter((outcome) => outcome.status === 'failed');
  fn.logger.info('reconcile finished', {
    groups: outcomes.length,
    changed: changes.length,
    unchanged: outcomes.filter((outcome) => outcome.status === 'unchanged').length,
    failed: failed.length,
  });
  for (const { group, error } of failed) {
    fn.logger.error('group not reconciled', { groupArn: group.arn, reason: error.name, error });
  }
}

function summary(outcomes: readonly GroupOutcome[]): MembershipResult['groups'] {
  return outcomes.map((outcome) => ({
    groupArn: outcome.group.arn,
    status: outcome.status,
    added: outcome.change?.added ?? [],
    removed: outcome.change?.removed ?? [],
  }));
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

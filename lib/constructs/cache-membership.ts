export type { AccessRequestsProps, AccessRuleProps, EphemeralAccessProps } from './membership/request-props';

import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CacheGroup } from '#core/cache/refs';
import { type Grant, grantSpecOf } from '#core/membership/grant';
import { MEMBERSHIP_CONFIG_FILE, membershipConfigFileContent } from '#core/requests/config-file';
import { type Requests, resolveRequests } from '#core/requests/rules';
import { ENV } from '#core/runtime/env-names';
import { membershipSchema } from '../config/membership';
import { validated } from '../config/validate';
import { CacheAccessFunction } from './cache-access-function';
import { type RequestChannel, requestChannel, routeRequests } from './membership/access-requests';
import { chatTopic } from './membership/chat-topic';
import { ephemeralPrefixes, ephemeralStatements } from './membership/ephemeral-policy';
import { acknowledgePatterns, groupChangeStatements, type ManagedGroup } from './membership/group-policy';
import { type AccessRequestsProps, requestsSpecOf } from './membership/request-props';
import { type RequestQueue, requestQueue } from './membership/request-queue';
import { schedulerRole, scheduleWindows, windowScheduleGroup } from './membership/window-schedules';

/** Who may be in which group and when: scheduled windows, requests, or both (at least one). */
export interface CacheMembershipProps {
  /**
   * Who may be in which group when. Grant names are unique; a user is in a group while any window of
   * any of its grants for that group is open.
   * @default - no scheduled windows: membership comes from requests alone
   */
  readonly grants?: readonly Grant[];
  /**
   * Access on request: grants with an expiry, revocation, suspension and reinstatement.
   * @default - no requests: membership comes from the windows alone
   */
  readonly requests?: AccessRequestsProps;
  /**
   * How often every group is checked and repaired (drift, missed runs, daylight-saving gaps, lost expiries).
   * @default scheduler.ScheduleExpression.rate(Duration.minutes(15))
   */
  readonly reconcileEvery?: scheduler.ScheduleExpression;
  /**
   * The instant one-time boundaries are compared with: boundaries already past get no schedule.
   * @default - the time of synthesis
   */
  readonly now?: Date;
  /**
   * Spread the window boundary schedules over up to 16 nested stacks by a hash of each schedule's own
   * key (its expression and zone), so one stack holds thousands of one-time windows; the function,
   * table, queues and the periodic reconcile stay in the construct's own stack. Choose it once, before
   * the first deploy: turning it on or off later moves every boundary schedule into another stack.
   * @default - everything in the construct's own stack
   */
  readonly nestedStacks?: boolean;
}

const FUNCTION_RETRIES = 2;
/** An access change delivered more than an hour late is stale; the periodic reconcile has done it by then. */
const MAX_EVENT_AGE = Duration.hours(1);
const DEFAULT_RECONCILE = scheduler.ScheduleExpression.rate(Duration.minutes(15));

/**
 * Who is in which ElastiCache user group or MemoryDB ACL, and when: the membership function (the only
 * code that changes a group), its schedules, the grant store that remembers requests, suspensions and
 * every user the stack has managed, and, with requests, the bus and the expiry schedules.
 */
export class CacheMembership extends Construct {
  readonly handler: CacheAccessFunction;
  readonly deadLetterQueue: sqs.Queue;
  /** Requested grants, suspensions and the managed set; kept when the stack is deleted. */
  readonly table: dynamodb.Table;
  /** The requests bus, when the construct takes requests. */
  readonly eventBus?: RequestChannel['bus'];
  /** Every group the grants and the rules name. */
  readonly groups: readonly CacheGroup[];
  /**
   * The signed request API, when a rule takes requests `via` the API: a function URL with `AWS_IAM`
   * auth and no resource policy, so only principals of this account whose own policies allow
   * `lambda:InvokeFunctionUrl` on the function reach it.
   */
  readonly requestApi?: lambda.FunctionUrl;
  /** Where access events wait during a burst, to be handled in batches; when the construct takes requests. */
  readonly requestQueue?: RequestQueue['queue'];
  /** Where queued access events end when every delivery failed; SQS moves them there itself. */
  readonly requestFailures?: RequestQueue['failures'];

  constructor(scope: Construct, id: string, props: CacheMembershipProps) {
    super(scope, id);
    const grants = props.grants ?? [];
    const reconcileEvery = props.reconcileEvery ?? DEFAULT_RECONCILE;
    const requests = this.validated(grants, props.requests, reconcileEvery);
    const managed: ManagedGroup[] = [...grants, ...(requests?.rules ?? [])];
    this.groups = [...new Map(managed.map(({ group }) => [group.arn, group])).values()];

    this.deadLetterQueue = new sqs.Queue(this, 'FailedRuns', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the membership function, its schedules and its rule.',
    });
    this.table = new dynamodb.Table(this, 'Grants', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Ended grants and settled suspensions expire long after they stop mattering; nothing reads TTL as a trigger.
      timeToLiveAttribute: 'retireAt',
      // The record of who was granted what outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const windowGroup = windowScheduleGroup(this);
    const channel = requests && requestChannel(this, requests.eventBusName);
    const chat = requests && props.requests?.notify && chatTopic(this, props.requests.notify);
    const role = schedulerRole(this, channel ? [windowGroup, channel.expiries] : [windowGroup]);
    this.eventBus = channel?.bus;
    const prefixes = ephemeralPrefixes(this);
    const ephemeral = ephemeralStatements(this, requests?.rules ?? [], prefixes);

    this.handler = new CacheAccessFunction(this, 'Reconciler', {
      handlerFolder: 'membership',
      description: 'Keeps ElastiCache user group and MemoryDB ACL members to schedules and access requests',
      // Group changes take minutes on AWS; the function waits for `active` before and after its change.
      timeout: Duration.minutes(10),
      environment: {
        [ENV.eventBusName]: channel?.bus.eventBusName ?? 'default',
        [ENV.accessTable]: this.table.tableName,
        ...(channel && {
          [ENV.expiryScheduleGroup]: channel.expiries.scheduleGroupName,
          [ENV.schedulerRoleArn]: role.roleArn,
          [ENV.deadLetterArn]: this.deadLetterQueue.queueArn,
        }),
        ...(chat && { [ENV.chatTopicArn]: chat.topic.topicArn }),
        ...(ephemeral.statements.length > 0 && {
          [ENV.ephemeralUserPrefix]: prefixes.userPrefix,
          [ENV.ephemeralSecretPrefix]: prefixes.secretPrefix,
        }),
      },
      bundledFiles: { [MEMBERSHIP_CONFIG_FILE]: membershipConfigFileContent({ grants, requests }) },
    });
    const { function: fn } = this.handler;
    if (requests?.rules.some((rule) => rule.via.includes('api'))) {
      this.requestApi = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    }
    if (ephemeral.statements.length > 0) fn.addEnvironment(ENV.functionRoleArn, this.handler.role.roleArn);
    fn.configureAsyncInvoke({
      retryAttempts: FUNCTION_RETRIES,
      maxEventAge: MAX_EVENT_AGE,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });

    const routing =
      channel &&
      routeRequests(this, { channel, fn, deadLetterQueue: this.deadLetterQueue, schedulerRole: role });
    const queued = channel && requestQueue(this, fn);
    this.requestQueue = queued?.queue;
    this.requestFailures = queued?.failures;
    const statements = [
      ...(queued ? queued.statements : []),
      ...groupChangeStatements(this, managed),
      ...ephemeral.statements,
      ...(chat ? chat.statements : []),
      new iam.PolicyStatement({
        sid: 'KeepGrantRecords',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        resources: [this.table.tableArn],
      }),
      ...(routing
        ? routing.statements
        : [
            new iam.PolicyStatement({
              sid: 'PublishMembershipChanges',
              actions: ['events:PutEvents'],
              resources: [
                Stack.of(this).formatArn({
                  service: 'events',
                  resource: 'event-bus',
                  resourceName: 'default',
                }),
              ],
            }),
          ]),
    ];
    const policies = this.handler.grant(this, 'MembershipPolicy', statements).all;
    // Lambda checks that the function's role may read the queue when the event source is created.
    queued?.batches.node.addDependency(...policies);
    acknowledgePatterns(policies, this, managed);
    ephemeral.acknowledge(policies);
    routing?.acknowledge(policies);

    scheduleWindows(this, {
      fn,
      role,
      group: windowGroup,
      grants,
      reconcileEvery,
      deadLetterQueue: this.deadLetterQueue,
      now: props.now ?? new Date(),
      nestedStacks: props.nestedStacks ?? false,
    });
    this.outputs(channel);
  }

  /** Checked by the config's own rules, so a construct user meets the same messages at synth. */
  private validated(
    grants: readonly Grant[],
    requests: AccessRequestsProps | undefined,
    reconcileEvery: scheduler.ScheduleExpression,
  ): Requests | undefined {
    const valid = validated(
      membershipSchema,
      {
        reconcileEvery: reconcileEvery.expressionString,
        ...(grants.length > 0 && { grants: grants.map(grantSpecOf) }),
        ...(requests && { requests: requestsSpecOf(requests) }),
      },
      `${this.node.path} props`,
    );
    return valid.requests && resolveRequests(valid.requests);
  }

  private outputs(channel: RequestChannel | undefined): void {
    new CfnOutput(this, 'AccessTableName', {
      value: this.table.tableName,
      description: 'Requested grants, suspensions and managed users: npm run access -- list reads it',
    });
    if (!channel) return;
    new CfnOutput(this, 'AccessEventBusName', {
      value: channel.bus.eventBusName,
      description: 'Put Cache Access Requested / Revoked and Cache User Suspended / Reinstated events here',
    });
    new CfnOutput(this, 'AccessEventBusArn', { value: channel.bus.eventBusArn });
  }
}

import { createHash } from 'node:crypto';
import { type CfnElement, Duration, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DateTime } from 'luxon';
import { type CacheGroupRef, memberUserArn, parseGroupArn, resourceKey } from '../../lambdas/shared/arn';
import { ENV, MEMBERSHIP_PLAN_FILENAME } from '../../lambdas/shared/env-names';
import {
  type AccessWindow,
  DAYS,
  type Day,
  type Grant,
  isRecurring,
} from '../../lambdas/shared/membership/plan';
import type { MembershipConfig } from '../config/membership-schema';
import { CacheAccessFunction } from './cache-access-function';

export interface ScheduledMembershipProps {
  /** The validated `membership` section of the config. */
  readonly config: MembershipConfig;
  /**
   * The instant one-time boundaries are compared with: boundaries already past get no schedule.
   * @default - the time of synthesis
   */
  readonly now?: Date;
}

/** When a group must be looked at again; the expression carries its own time zone. */
interface Boundary {
  readonly group: CacheGroupRef;
  readonly expression: scheduler.ScheduleExpression;
}

const FUNCTION_RETRIES = 2;
/** An access change delivered more than an hour late is stale; the periodic reconcile has done it by then. */
const MAX_EVENT_AGE = Duration.hours(1);

/**
 * The membership function, one Scheduler schedule per window boundary (in the window's own time
 * zone) and one periodic reconcile per group, all feeding failures to a dead-letter queue.
 */
export class ScheduledMembership extends Construct {
  readonly handler: CacheAccessFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly groups: readonly CacheGroupRef[];

  constructor(scope: Construct, id: string, props: ScheduledMembershipProps) {
    super(scope, id);
    const { grants, reconcileEvery } = props.config;
    this.groups = uniqueGroups(grants);

    this.deadLetterQueue = new sqs.Queue(this, 'FailedRuns', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the membership function and its schedules.',
    });

    this.handler = new CacheAccessFunction(this, 'Reconciler', {
      handlerFolder: 'membership',
      description: 'Adds and removes ElastiCache user group and MemoryDB ACL members on schedule',
      // Group changes take minutes on AWS; the function waits for `active` before and after its change.
      timeout: Duration.minutes(10),
      environment: { [ENV.eventBusName]: 'default' },
      bundledFiles: { [MEMBERSHIP_PLAN_FILENAME]: JSON.stringify(grants) },
    });
    const { function: fn } = this.handler;
    fn.configureAsyncInvoke({
      retryAttempts: FUNCTION_RETRIES,
      maxEventAge: MAX_EVENT_AGE,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });
    this.grantMembershipChanges(grants);

    // Deleting the group deletes its schedules; none may outlive the function they invoke.
    const group = new scheduler.ScheduleGroup(this, 'Schedules', { removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'SchedulerRole', {
      description: 'Lets EventBridge Scheduler invoke the membership function',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    const functionId = Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement);
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason:
        'Granting invoke on one function also covers its versions and aliases (<function arn>:*); nothing else is reachable.',
    });
    const schedule = (
      scheduleId: string,
      target: CacheGroupRef,
      expression: scheduler.ScheduleExpression,
      trigger: string,
      description: string,
    ) =>
      new scheduler.Schedule(this, scheduleId, {
        schedule: expression,
        scheduleGroup: group,
        description,
        // An access change at 09:00 must happen at 09:00, not somewhere in a flexible window.
        timeWindow: scheduler.TimeWindow.off(),
        target: new targets.LambdaInvoke(fn, {
          role,
          input: scheduler.ScheduleTargetInput.fromObject({
            groupArn: target.arn,
            trigger,
            scheduledTime: scheduler.ContextAttribute.scheduledTime,
          }),
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 3,
          maxEventAge: MAX_EVENT_AGE,
        }),
      });

    for (const target of this.groups) {
      schedule(
        `Reconcile-${resourceKey(target)}`,
        target,
        scheduler.ScheduleExpression.expression(reconcileEvery),
        'reconcile',
        `Repairs drift and missed boundaries of ${target.arn}`,
      );
    }
    for (const boundary of boundariesOf(grants, props.now ?? new Date())) {
      const { expressionString, timeZone } = boundary.expression;
      const key = createHash('sha256')
        .update(`${expressionString} ${timeZone?.timezoneName ?? ''}`)
        .digest('hex')
        .slice(0, 10);
      schedule(
        `Boundary-${resourceKey(boundary.group)}-${key}`,
        boundary.group,
        boundary.expression,
        'window-boundary',
        `Window boundary of ${boundary.group.arn}: ${expressionString} ${timeZone?.timezoneName ?? 'UTC'}`,
      );
    }
  }

  /** Group changes on exactly the configured groups and the users the grants name; events on the default bus. */
  private grantMembershipChanges(grants: readonly Grant[]): void {
    const usersOf = (engine: CacheGroupRef['engine']) =>
      [
        ...new Set(
          grants.flatMap((grant) => {
            const group = parseGroupArn(grant.groupArn);
            return group.engine === engine ? grant.users.map((user) => memberUserArn(group, user)) : [];
          }),
        ),
      ].sort();
    const groupsOf = (engine: CacheGroupRef['engine']) =>
      this.groups.filter((g) => g.engine === engine).map((g) => g.arn);
    const statements: iam.PolicyStatement[] = [];
    const engines = [
      {
        engine: 'elasticache',
        describeGroup: 'elasticache:DescribeUserGroups',
        modify: 'elasticache:ModifyUserGroup',
        describeUsers: 'elasticache:DescribeUsers',
        sid: 'ElastiCache',
      },
      {
        engine: 'memorydb',
        describeGroup: 'memorydb:DescribeACLs',
        modify: 'memorydb:UpdateACL',
        describeUsers: 'memorydb:DescribeUsers',
        sid: 'MemoryDb',
      },
    ] as const;
    for (const { engine, describeGroup, modify, describeUsers, sid } of engines) {
      const groups = groupsOf(engine);
      if (groups.length === 0) continue;
      const users = usersOf(engine);
      statements.push(
        new iam.PolicyStatement({ sid: `Read${sid}Groups`, actions: [describeGroup], resources: groups }),
        // A membership change is authorized against the group and each user it adds or removes.
        new iam.PolicyStatement({
          sid: `Change${sid}Members`,
          actions: [modify],
          resources: [...groups, ...users],
        }),
        new iam.PolicyStatement({ sid: `Describe${sid}Members`, actions: [describeUsers], resources: users }),
      );
    }
    const stack = Stack.of(this);
    statements.push(
      new iam.PolicyStatement({
        sid: 'PublishMembershipChanges',
        actions: ['events:PutEvents'],
        resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
      }),
    );
    this.handler.role.attachInlinePolicy(new iam.Policy(this, 'MembershipPolicy', { statements }));
  }
}

function uniqueGroups(grants: readonly Grant[]): CacheGroupRef[] {
  return [...new Set(grants.map((grant) => grant.groupArn))].map(parseGroupArn);
}

/** One schedule per distinct boundary: recurring ones as cron in the window's zone, one-time ones as at() in UTC. */
function boundariesOf(grants: readonly Grant[], now: Date): Boundary[] {
  const seen = new Map<string, Boundary>();
  for (const grant of grants) {
    const group = parseGroupArn(grant.groupArn);
    for (const window of grant.windows) {
      for (const expression of expressionsOf(window, now)) {
        seen.set(`${group.arn} ${expression.expressionString} ${expression.timeZone?.timezoneName}`, {
          group,
          expression,
        });
      }
    }
  }
  return [...seen.values()];
}

function expressionsOf(window: AccessWindow, now: Date): scheduler.ScheduleExpression[] {
  if (!isRecurring(window)) {
    // at() must be UTC: a zone label would be applied after conversion and fire at the wrong hour.
    // Parsed by Luxon like the config check and the function do: Date.parse refuses ISO forms they
    // accept (basic format, week dates), which would leave the window without boundary schedules.
    return [window.start, window.end]
      .map((instant) => DateTime.fromISO(instant).toJSDate())
      .filter((instant) => instant > now)
      .map((instant) => scheduler.ScheduleExpression.at(instant, TimeZone.ETC_UTC));
  }
  const zone = TimeZone.of(window.timeZone);
  const overnight = window.to < window.from;
  const closeDays = overnight ? window.days.map(nextDay) : window.days;
  return [cronAt(window.from, window.days, zone), cronAt(window.to, closeDays, zone)];
}

function cronAt(time: string, days: readonly Day[], timeZone: TimeZone): scheduler.ScheduleExpression {
  const [hour = '0', minute = '0'] = time.split(':').map((part) => String(Number(part)));
  const weekDay = DAYS.filter((day) => days.includes(day)).join(',');
  return scheduler.ScheduleExpression.cron({ minute, hour, weekDay, timeZone });
}

const nextDay = (day: Day): Day => DAYS[(DAYS.indexOf(day) + 1) % DAYS.length] ?? 'MON';

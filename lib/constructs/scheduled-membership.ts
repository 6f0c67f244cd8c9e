import { createHash } from 'node:crypto';
import { type CfnElement, Duration, RemovalPolicy, Stack, TimeZone, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DateTime } from 'luxon';
import type { Engine } from '../../lambdas/shared/cache/engine';
import { ENGINE_NAMES, ENGINES } from '../../lambdas/shared/cache/engines';
import { type CacheGroup, memberOf } from '../../lambdas/shared/cache/refs';
import { ENV } from '../../lambdas/shared/env-names';
import {
  type AccessWindow,
  DAYS,
  type Day,
  type Grant,
  grantSpecOf,
  isRecurring,
} from '../../lambdas/shared/membership/grant';
import { GRANTS_FILE, grantsFileContent } from '../../lambdas/shared/membership/grants-file';
import { membershipSchema } from '../config/membership';
import { validated } from '../config/validate';
import { CacheAccessFunction } from './cache-access-function';

export interface ScheduledMembershipProps {
  /**
   * Who may be in which group when. Grant names are unique; a user is in a group while any window of
   * any of its grants for that group is open. Users no grant names, `default` among them, are never touched.
   */
  readonly grants: readonly Grant[];
  /**
   * How often every group is checked and repaired (drift, missed runs, daylight-saving gaps).
   * @default scheduler.ScheduleExpression.rate(Duration.minutes(15))
   */
  readonly reconcileEvery?: scheduler.ScheduleExpression;
  /**
   * The instant one-time boundaries are compared with: boundaries already past get no schedule.
   * @default - the time of synthesis
   */
  readonly now?: Date;
}

const FUNCTION_RETRIES = 2;
/** An access change delivered more than an hour late is stale; the periodic reconcile has done it by then. */
const MAX_EVENT_AGE = Duration.hours(1);
const DEFAULT_RECONCILE = scheduler.ScheduleExpression.rate(Duration.minutes(15));

/**
 * The membership function, one Scheduler schedule per window boundary (in the window's own time
 * zone) and one periodic reconcile per group, all feeding failures to a dead-letter queue.
 */
export class ScheduledMembership extends Construct {
  readonly handler: CacheAccessFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly groups: readonly CacheGroup[];

  constructor(scope: Construct, id: string, props: ScheduledMembershipProps) {
    super(scope, id);
    const { grants } = props;
    const reconcileEvery = props.reconcileEvery ?? DEFAULT_RECONCILE;
    // The config's own rules, so a construct user meets the same messages at synth.
    validated(
      membershipSchema,
      { reconcileEvery: reconcileEvery.expressionString, grants: grants.map(grantSpecOf) },
      `${this.node.path} props`,
    );
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
      bundledFiles: { [GRANTS_FILE]: grantsFileContent(grants) },
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
    // Every run reconciles every group (one batched read per engine and region), so a schedule names
    // no group: one schedule per distinct boundary and one periodic reconcile serve any number of groups.
    const schedule = (
      scheduleId: string,
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
            trigger,
            scheduledTime: scheduler.ContextAttribute.scheduledTime,
          }),
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 3,
          maxEventAge: MAX_EVENT_AGE,
        }),
      });

    schedule(
      'Reconcile',
      reconcileEvery,
      'reconcile',
      `Repairs drift and missed boundaries of ${this.groups.length} groups`,
    );
    for (const expression of boundariesOf(grants, props.now ?? new Date())) {
      const { expressionString, timeZone } = expression;
      const zone = timeZone?.timezoneName ?? 'UTC';
      const key = createHash('sha256').update(`${expressionString} ${zone}`).digest('hex').slice(0, 10);
      schedule(
        `Boundary-${key}`,
        expression,
        'window-boundary',
        `Window boundary: ${expressionString} ${zone}`,
      );
    }
  }

  /** Group changes on exactly the configured groups and the users the grants name; events on the default bus. */
  private grantMembershipChanges(grants: readonly Grant[]): void {
    const statements: iam.PolicyStatement[] = [];
    for (const engine of ENGINE_NAMES) {
      const groups = this.groups.filter((group) => group.engine === engine).map((group) => group.arn);
      if (groups.length === 0) continue;
      const users = [
        ...new Set(
          grants
            .filter(({ group }) => group.engine === engine)
            .flatMap(({ group, users }) => users.map((user) => memberOf(group, user).arn)),
        ),
      ].sort();
      const { sidName, actions } = ENGINES[engine];
      statements.push(
        new iam.PolicyStatement({
          sid: `Read${sidName}Groups`,
          actions: [actions.describeGroups],
          resources: groups.length > 1 ? [this.listPattern(engine)] : groups,
        }),
        // A membership change is authorized against the group and each user it adds or removes.
        new iam.PolicyStatement({
          sid: `Change${sidName}Members`,
          actions: [actions.modifyGroup],
          resources: [...groups, ...users],
        }),
        new iam.PolicyStatement({
          sid: `Describe${sidName}Members`,
          actions: [actions.describeUser],
          resources: users,
        }),
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
    const policy = new iam.Policy(this, 'MembershipPolicy', { statements });
    this.handler.role.attachInlinePolicy(policy);
    for (const engine of ENGINE_NAMES) {
      if (this.groups.filter((group) => group.engine === engine).length < 2) continue;
      // cdk-nag names the pattern as it finds it: a concrete account and region, or their pseudo-parameters.
      const { service, group } = ENGINES[engine];
      const stack = Stack.of(this);
      const literal = (value: string, pseudo: string) => (Token.isUnresolved(value) ? pseudo : value);
      const region = literal(stack.region, '<AWS::Region>');
      const account = literal(stack.account, '<AWS::AccountId>');
      Validations.of(policy).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:${service}:${region}:${account}:${group.resourcePrefix}*]`,
        reason:
          'A read-only describe of every user group or ACL in this account and region: one list call replaces one call per group. Changes stay on the exact groups and users.',
      });
    }
  }

  /** Every group of the engine in the stack's account and region: what one list call reads. */
  private listPattern(engine: Engine): string {
    const { service, group } = ENGINES[engine];
    const stack = Stack.of(this);
    return `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${group.resourcePrefix}*`;
  }
}

function uniqueGroups(grants: readonly Grant[]): CacheGroup[] {
  const byArn = new Map(grants.map(({ group }) => [group.arn, group]));
  return [...byArn.values()];
}

/** Every distinct boundary of every window: recurring ones as cron in the window's zone, one-time ones as at() in UTC. */
function boundariesOf(grants: readonly Grant[], now: Date): scheduler.ScheduleExpression[] {
  const seen = new Map<string, scheduler.ScheduleExpression>();
  for (const { windows } of grants) {
    for (const window of windows) {
      for (const expression of expressionsOf(window, now)) {
        seen.set(`${expression.expressionString} ${expression.timeZone?.timezoneName}`, expression);
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

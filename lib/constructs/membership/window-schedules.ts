import { createHash } from 'node:crypto';
import { type CfnElement, Duration, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DateTime } from 'luxon';
import { type AccessWindow, DAYS, type Day, type Grant, isRecurring } from '#core/membership/grant';
import { shardOf, shardStack } from '../shards';

/** A schedule delivered more than an hour late is stale; the periodic reconcile has done its work by then. */
export const MAX_EVENT_AGE = Duration.hours(1);

export interface WindowSchedulesProps {
  /** The membership function every schedule invokes. */
  readonly fn: lambda.IFunction;
  /** The role Scheduler assumes to invoke `fn`. */
  readonly role: iam.IRole;
  /** The group the boundary and periodic schedules go into (see `windowScheduleGroup`). */
  readonly group: scheduler.IScheduleGroup;
  /** The grants whose window boundaries get a schedule each. */
  readonly grants: readonly Grant[];
  /** How often the periodic reconcile runs. */
  readonly reconcileEvery: scheduler.ScheduleExpression;
  /** Where a schedule's undeliverable invocations go. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Boundaries before this instant get no schedule. */
  readonly now: Date;
  /** Put each boundary schedule into one of up to 16 nested stacks, by a hash of its own key. */
  readonly nestedStacks: boolean;
}

/** The group of the boundary and periodic schedules; deleting it deletes them, so none outlives the function. */
export function windowScheduleGroup(scope: Construct): scheduler.ScheduleGroup {
  return new scheduler.ScheduleGroup(scope, 'Schedules', { removalPolicy: RemovalPolicy.DESTROY });
}

/**
 * The role Scheduler assumes to invoke the membership function, for window and expiry schedules
 * alike. Only schedules of this account, in the stack's own groups, may assume it. Scheduler names
 * the schedule group as the source; the schedules inside the groups are allowed too, so the trust
 * holds whichever of the two a Region sends.
 */
export function schedulerRole(scope: Construct, groups: readonly scheduler.IScheduleGroup[]): iam.Role {
  const stack = Stack.of(scope);
  const sources = groups.flatMap(({ scheduleGroupName, scheduleGroupArn }) => [
    scheduleGroupArn,
    stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${scheduleGroupName}/*` }),
  ]);
  return new iam.Role(scope, 'SchedulerRole', {
    description: 'Lets EventBridge Scheduler invoke the membership function',
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': sources },
      },
    }),
  });
}

/**
 * One schedule per distinct window boundary and one periodic reconcile, in a schedule group of their
 * own. Every run reconciles every group, so no schedule names a group: the count depends on
 * boundaries, not groups. Added to `scope` itself, so the resources keep the logical ids they had as
 * its direct children; with `nestedStacks`, each boundary schedule goes to its shard's nested stack
 * instead, which receives the function, role, group and queue as parameters.
 */
export function scheduleWindows(scope: Construct, props: WindowSchedulesProps): void {
  const { fn, role, group } = props;
  const functionId = Stack.of(scope).getLogicalId(fn.node.defaultChild as CfnElement);
  Validations.of(role).acknowledge({
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
    reason:
      'Granting invoke on one function also covers its versions and aliases (<function arn>:*); nothing else is reachable.',
  });
  const schedule = (
    home: Construct,
    id: string,
    expression: scheduler.ScheduleExpression,
    trigger: string,
    description: string,
  ) =>
    new scheduler.Schedule(home, id, {
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
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 3,
        maxEventAge: MAX_EVENT_AGE,
      }),
    });

  schedule(
    scope,
    'Reconcile',
    props.reconcileEvery,
    'reconcile',
    'Repairs drift, missed boundaries and lost expiries of every group',
  );
  for (const expression of boundariesOf(props.grants, props.now)) {
    const { expressionString, timeZone } = expression;
    const zone = timeZone?.timezoneName ?? 'UTC';
    const key = createHash('sha256').update(`${expressionString} ${zone}`).digest('hex').slice(0, 10);
    schedule(
      props.nestedStacks ? shardStack(scope, shardOf(key)) : scope,
      `Boundary-${key}`,
      expression,
      'window-boundary',
      `Window boundary: ${expressionString} ${zone}`,
    );
  }
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

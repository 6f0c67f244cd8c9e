import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EVENT_SOURCE } from '#core/membership/bus-event';
import { ACCESS_EVENTS } from '#core/requests/events-in';
import { acknowledgeWildcard } from '../nag-notation';
import { MAX_EVENT_AGE } from './window-schedules';

/** The bus requests arrive on and answers leave by, and the schedule group expiries go into. */
export interface RequestChannel {
  readonly bus: events.EventBus;
  readonly expiries: scheduler.ScheduleGroup;
}

/** Created before the function, which names both in its environment. */
export function requestChannel(scope: Construct, eventBusName: string): RequestChannel {
  return {
    bus: new events.EventBus(scope, 'Bus', {
      eventBusName,
      description: 'Cache access requests in, grants and refusals out',
    }),
    // Deleting the stack deletes the pending expiries with the function they would invoke.
    expiries: new scheduler.ScheduleGroup(scope, 'Expiries', { removalPolicy: RemovalPolicy.DESTROY }),
  };
}

export interface RequestRoutingProps {
  readonly channel: RequestChannel;
  readonly fn: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
  readonly schedulerRole: iam.IRole;
}

/**
 * The rule that hands the four request detail-types to the function, never this stack's own
 * announcements; and what the function needs to set expiries: create and delete schedules in its own
 * group only, and pass the Scheduler role to Scheduler only.
 */
export function routeRequests(scope: Construct, props: RequestRoutingProps): RequestRouting {
  const { channel, fn } = props;
  const stack = Stack.of(scope);
  const rule = new events.Rule(scope, 'Requests', {
    eventBus: channel.bus,
    description: 'Access requests, revocations, suspensions and reinstatements for the membership function',
    eventPattern: {
      detailType: Object.values(ACCESS_EVENTS),
      source: events.Match.anythingBut(EVENT_SOURCE),
    },
    targets: [
      new eventsTargets.LambdaFunction(fn, {
        // Through a reference, so the target adds no Allow of its own; the one below also names the account.
        deadLetterQueue: sqs.Queue.fromQueueArn(scope, 'RequestsDeadLetters', props.deadLetterQueue.queueArn),
        retryAttempts: 3,
        maxEventAge: MAX_EVENT_AGE,
      }),
    ],
  });
  props.deadLetterQueue.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'RequestsRuleDeadLetters',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [props.deadLetterQueue.queueArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnEquals: { 'aws:SourceArn': rule.ruleArn },
      },
    }),
  );
  // The target's invoke permission names the rule but not the account; EventBridge sends both.
  for (const child of rule.node.findAll()) {
    if (child instanceof lambda.CfnPermission && child.principal === 'events.amazonaws.com') {
      child.sourceAccount = stack.account;
    }
  }
  const expirySchedules = stack.formatArn({
    service: 'scheduler',
    resource: 'schedule',
    resourceName: `${channel.expiries.scheduleGroupName}/*`,
  });
  return {
    statements: [
      new iam.PolicyStatement({
        sid: 'ScheduleExpiries',
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        resources: [expirySchedules],
      }),
      new iam.PolicyStatement({
        sid: 'PassSchedulerRole',
        actions: ['iam:PassRole'],
        resources: [props.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        sid: 'AnswerRequests',
        actions: ['events:PutEvents'],
        resources: [channel.bus.eventBusArn],
      }),
    ],
    acknowledge: (policies) =>
      acknowledgeWildcard(
        policies,
        expirySchedules,
        "Expiry schedules are created at run time, one per request, in this stack's own expiry group only.",
      ),
  };
}

/** The function's permissions for requests, and the acknowledgement their schedule pattern needs on the policy holding them. */
export interface RequestRouting {
  readonly statements: iam.PolicyStatement[];
  acknowledge(policies: readonly (iam.Policy | iam.ManagedPolicy)[]): void;
}

import { createHash } from 'node:crypto';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { isAwsError } from '#core/runtime/aws-errors';
import type { RequestedGrant } from './records';

/** Ends requested access on time: one one-time schedule per grant, at its expiry. */
export interface ExpirySchedules {
  /** Creates the grant's schedule; one that exists already (a redelivery) is fine. */
  schedule(grant: RequestedGrant, target: ExpiryTarget): Promise<void>;
  /** Deletes the grant's schedule; one that is gone already (it fired, or a retry) is fine. */
  cancel(requestId: string): Promise<void>;
}

/** What the schedule invokes: this function, through the role Scheduler assumes. */
export interface ExpiryTarget {
  readonly functionArn: string;
}

export interface SchedulerExpiryOptions {
  readonly groupName: string;
  readonly roleArn: string;
  readonly deadLetterArn: string;
}

/**
 * A schedule name from the request id: deterministic, so a redelivery finds the same schedule, and
 * within Scheduler's alphabet, which a request id's `:` is not.
 */
function expiryScheduleName(requestId: string): string {
  return `expire-${createHash('sha256').update(requestId).digest('hex').slice(0, 40)}`;
}

/** EventBridge Scheduler `at()` schedules, made at run time so they can delete themselves after firing. */
export class SchedulerExpiry implements ExpirySchedules {
  constructor(
    private readonly client: SchedulerClient,
    private readonly options: SchedulerExpiryOptions,
  ) {}

  async schedule(grant: RequestedGrant, target: ExpiryTarget): Promise<void> {
    // at() takes UTC without an offset; Scheduler fires at minute precision, so round up, never early.
    const at = new Date(Math.ceil(Date.parse(grant.expiresAt) / 60_000) * 60_000).toISOString().slice(0, 19);
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: expiryScheduleName(grant.requestId),
          GroupName: this.options.groupName,
          ScheduleExpression: `at(${at})`,
          ScheduleExpressionTimezone: 'UTC',
          // An expiry at 17:00 must happen at 17:00, not somewhere in a flexible window.
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Description: `Ends request ${grant.requestId} for ${grant.user} in ${grant.groupArn}`.slice(0, 512),
          Target: {
            Arn: target.functionArn,
            RoleArn: this.options.roleArn,
            Input: JSON.stringify({
              trigger: 'expiry',
              requestId: grant.requestId,
              scheduledTime: '<aws.scheduler.scheduled-time>',
            }),
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
            DeadLetterConfig: { Arn: this.options.deadLetterArn },
          },
        }),
      );
    } catch (error) {
      if (!isAwsError(error, 'ConflictException')) throw error;
    }
  }

  async cancel(requestId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({ Name: expiryScheduleName(requestId), GroupName: this.options.groupName }),
      );
    } catch (error) {
      if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
    }
  }
}

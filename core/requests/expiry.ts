import { createHash } from 'node:crypto';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { isAwsError } from '#core/runtime/aws-errors';
import type { PendingRequest, RequestedGrant } from './records';

/** Ends requested access on time: one one-time schedule per grant, at its expiry. */
export interface ExpirySchedules {
  /** Creates the grant's schedule; one that exists already (a redelivery) is fine. */
  schedule(grant: RequestedGrant, target: ExpiryTarget): Promise<void>;
  /** Deletes the grant's schedule; one that is gone already (it fired, or a retry) is fine. */
  cancel(requestId: string): Promise<void>;
  /** A schedule at a pending request's `pendingUntil`, for its expiry; the same kind as a grant's. */
  schedulePending(request: PendingRequest, target: ExpiryTarget): Promise<void>;
  /** Deletes the pending request's schedule: it was decided first. */
  cancelPending(requestId: string): Promise<void>;
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
function expiryScheduleName(requestId: string, kind: 'expire' | 'pending' = 'expire'): string {
  return `${kind}-${createHash('sha256').update(requestId).digest('hex').slice(0, 40)}`;
}

/** EventBridge Scheduler `at()` schedules, made at run time so they can delete themselves after firing. */
export class SchedulerExpiry implements ExpirySchedules {
  constructor(
    private readonly client: SchedulerClient,
    private readonly options: SchedulerExpiryOptions,
  ) {}

  schedule(grant: RequestedGrant, target: ExpiryTarget): Promise<void> {
    return this.create(
      expiryScheduleName(grant.requestId),
      grant.expiresAt,
      `Ends request ${grant.requestId} for ${grant.user} in ${grant.groupArn}`,
      grant.requestId,
      target,
    );
  }

  schedulePending(request: PendingRequest, target: ExpiryTarget): Promise<void> {
    return this.create(
      expiryScheduleName(request.requestId, 'pending'),
      request.pendingUntil,
      `Expires request ${request.requestId} unless approved by then`,
      request.requestId,
      target,
    );
  }

  private async create(
    name: string,
    atIso: string,
    description: string,
    requestId: string,
    target: ExpiryTarget,
  ): Promise<void> {
    // at() takes UTC without an offset; Scheduler fires at minute precision, so round up, never early.
    const at = new Date(Math.ceil(Date.parse(atIso) / 60_000) * 60_000).toISOString().slice(0, 19);
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: this.options.groupName,
          ScheduleExpression: `at(${at})`,
          ScheduleExpressionTimezone: 'UTC',
          // An expiry at 17:00 must happen at 17:00, not somewhere in a flexible window.
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Description: description.slice(0, 512),
          Target: {
            Arn: target.functionArn,
            RoleArn: this.options.roleArn,
            Input: JSON.stringify({
              trigger: 'expiry',
              requestId,
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

  cancel(requestId: string): Promise<void> {
    return this.delete(expiryScheduleName(requestId));
  }

  cancelPending(requestId: string): Promise<void> {
    return this.delete(expiryScheduleName(requestId, 'pending'));
  }

  private async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.options.groupName }));
    } catch (error) {
      if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
    }
  }
}

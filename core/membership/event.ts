import { z } from 'zod';
import { type CacheGroupRef, parseGroupArn } from '#core/cache/refs';
import { InvalidEventError } from '#core/runtime/errors';
import { quoted } from '#core/runtime/quoted';

/**
 * How far ahead of this function's clock a scheduled time may be: Scheduler's clock and Lambda's
 * differ by seconds at most. More than that is not skew but an attempt to apply access early.
 */
const MAX_CLOCK_SKEW_MS = 120_000;

/**
 * The input every schedule sends: why, and when Scheduler meant it to run. Every configured group is
 * reconciled unless one group is named (an operator's run).
 */
const eventSchema = z.object({
  groupArn: z.string().min(1).max(2048).optional(),
  trigger: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'expected 1-64 letters, digits, . _ : or -')
    .default('manual'),
  scheduledTime: z.iso.datetime({ offset: true }).optional(),
  /** An expiry schedule names the grant it ends. */
  requestId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'expected 1-64 letters, digits, . _ : or -')
    .optional(),
});

export interface MembershipEvent {
  /** The one group to reconcile; without it, every group the function has grants for. */
  readonly group?: CacheGroupRef;
  readonly trigger: string;
  /** When the schedule meant this run to happen, epoch ms; the grants are never evaluated earlier. */
  readonly scheduledTime?: number;
  /** The requested grant an expiry schedule ends. */
  readonly requestId?: string;
}

/**
 * The event, refused before any AWS call when it is malformed or when its scheduled time lies in the
 * future: the grants are evaluated no earlier than that time, so it would pull future access forward.
 */
export function parseMembershipEvent(event: unknown, nowMs: number): MembershipEvent {
  const result = eventSchema.safeParse(event);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`,
    );
    throw new InvalidEventError(
      `not a membership event (${problems.join('; ')}); expected {"trigger"?: "...", "scheduledTime"?: ISO 8601, "groupArn"?: "..."}`,
    );
  }
  const { groupArn, trigger, scheduledTime, requestId } = result.data;
  let group: CacheGroupRef | undefined;
  try {
    group = groupArn === undefined ? undefined : parseGroupArn(groupArn);
  } catch (error) {
    throw new InvalidEventError((error as Error).message, { cause: error });
  }
  const scheduledMs = scheduledTime === undefined ? undefined : Date.parse(scheduledTime);
  if (scheduledMs !== undefined && scheduledMs > nowMs + MAX_CLOCK_SKEW_MS) {
    throw new InvalidEventError(
      `scheduledTime ${quoted(scheduledTime ?? '')} is ${Math.round((scheduledMs - nowMs) / 1000)} s ahead of this function's clock (${new Date(nowMs).toISOString()}); a schedule is never more than ${MAX_CLOCK_SKEW_MS / 1000} s early, so the event is refused and nothing was changed`,
    );
  }
  return { group, trigger, scheduledTime: scheduledMs, ...(requestId !== undefined && { requestId }) };
}

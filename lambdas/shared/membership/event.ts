import { z } from 'zod';
import { type CacheGroupRef, parseGroupArn } from '../cache/refs';
import { InvalidEventError } from '../errors';

/** The input every schedule sends: which group, why, and when Scheduler meant it to run. */
const eventSchema = z.object({
  groupArn: z.string().min(1),
  trigger: z.string().min(1).default('manual'),
  scheduledTime: z.iso.datetime({ offset: true }).optional(),
});

export interface MembershipEvent {
  readonly group: CacheGroupRef;
  readonly trigger: string;
  /** When the schedule meant this run to happen, epoch ms; the grants are never evaluated earlier. */
  readonly scheduledTime?: number;
}

export function parseMembershipEvent(event: unknown): MembershipEvent {
  const result = eventSchema.safeParse(event);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`,
    );
    throw new InvalidEventError(
      `not a membership event (${problems.join('; ')}); expected {"groupArn": "...", "trigger"?: "...", "scheduledTime"?: ISO 8601}`,
    );
  }
  const { groupArn, trigger, scheduledTime } = result.data;
  let group: CacheGroupRef;
  try {
    group = parseGroupArn(groupArn);
  } catch (error) {
    throw new InvalidEventError((error as Error).message, { cause: error });
  }
  return {
    group,
    trigger,
    scheduledTime: scheduledTime === undefined ? undefined : Date.parse(scheduledTime),
  };
}

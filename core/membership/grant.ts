import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import {
  CACHE_ID,
  CACHE_ID_RULE,
  type CacheGroupRef,
  groupArnProblem,
  parseGroupArn,
} from '#core/cache/refs';
import { checkedString, refuseRepeats } from '#core/runtime/checks';

export const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export type Day = (typeof DAYS)[number];

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
/** MemoryDB's built-in ACL; the service refuses any change to it, in whatever case it is written. */
const OPEN_ACCESS_ACL = /:acl\/open-access$/i;

const recurringWindowSchema = z
  .strictObject({
    days: z.array(z.enum(DAYS, `expected one of ${DAYS.join(', ')}`)).min(1, 'expected at least one day'),
    from: z.string().regex(TIME, 'expected a local time HH:MM from 00:00 to 23:59'),
    to: z.string().regex(TIME, 'expected a local time HH:MM from 00:00 to 23:59'),
    timeZone: z
      .string()
      .refine(
        isCanonicalZone,
        'expected an IANA time zone name, spelled as in the tz database, such as Europe/Berlin',
      ),
  })
  .refine((w) => w.from !== w.to, {
    path: ['to'],
    message: 'expected a time other than from; a window of zero length never opens',
  });

/**
 * EventBridge Scheduler takes tz database names. Intl also accepts offsets ('+01:00') and any
 * casing ('europe/berlin'); only names spelled as the database spells them are let through.
 */
function isCanonicalZone(zone: string): boolean {
  return /^[A-Z][A-Za-z_+-]*(\/[A-Z0-9][A-Za-z0-9_+-]*)*$/.test(zone) && IANAZone.isValidZone(zone);
}

const bothValid = (w: { start: string; end: string }) =>
  DateTime.fromISO(w.start).isValid && DateTime.fromISO(w.end).isValid;

const instant = z
  .string()
  .refine(
    (value) => /(Z|[+-]\d{2}:\d{2})$/.test(value) && DateTime.fromISO(value).isValid,
    'expected an ISO 8601 date-time with an offset, such as 2026-12-01T09:00:00+01:00',
  );

const oneTimeWindowSchema = z
  .strictObject({ start: instant, end: instant })
  // Only when both ends parse: a malformed end is reported once, by its own check.
  .refine((w) => !bothValid(w) || DateTime.fromISO(w.end) > DateTime.fromISO(w.start), {
    path: ['end'],
    message: 'expected an end after start',
  });

export type RecurringWindow = z.output<typeof recurringWindowSchema>;
export type OneTimeWindow = z.output<typeof oneTimeWindowSchema>;
export type AccessWindow = RecurringWindow | OneTimeWindow;

/** `start`/`end` make a one-time window; anything else is read as recurring, so its errors are the useful ones. */
const windowSchema = z.unknown().transform((value, ctx): AccessWindow => {
  const oneTime = typeof value === 'object' && value !== null && ('start' in value || 'end' in value);
  const result = (oneTime ? oneTimeWindowSchema : recurringWindowSchema).safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path, input: issue.input });
  }
  return z.NEVER;
});

/**
 * What grants and request rules both say: a unique name, one group the stack may change (never
 * MemoryDB's open-access ACL) and the users it manages there (never `default`), each once.
 */
export const managedGroupFields = {
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected 1-64 letters, digits, - _ or .'),
  groupArn: checkedString((arn) =>
    OPEN_ACCESS_ACL.test(arn)
      ? "MemoryDB's open-access ACL cannot be changed; name an ACL of your own"
      : groupArnProblem(arn),
  ),
  users: z
    .array(
      z
        .string()
        .regex(CACHE_ID, `expected a user id as the service stores it: ${CACHE_ID_RULE}`)
        .refine((user) => user !== 'default', "the 'default' user is never managed: groups require it"),
    )
    .min(1, 'expected at least one user')
    .superRefine((users, ctx) =>
      refuseRepeats(users, ctx, (first) => `already listed as users[${first}]; list each user once`),
    ),
};

/** A grant as the config and the config file spell it: the group by ARN. */
export const grantSpecSchema = z.strictObject({
  ...managedGroupFields,
  windows: z.array(windowSchema).min(1, 'expected at least one window'),
});

export type GrantSpec = z.output<typeof grantSpecSchema>;

/** Who may be in one group, and when: the unit the membership function plans with. */
export interface Grant {
  /** Unique among the grants; audit records and events name it. */
  readonly name: string;
  /** The user group or ACL the grant's users are members of while a window is open. */
  readonly group: CacheGroupRef;
  /** ElastiCache user ids or MemoryDB user names in the group's engine. */
  readonly users: readonly string[];
  /** When the users are members: while any of these is open. */
  readonly windows: readonly AccessWindow[];
}

/** A validated grant with its group ARN parsed: the only place a grant's ARN is turned into a reference. */
export function resolveGrant({ groupArn, ...grant }: GrantSpec): Grant {
  return { ...grant, group: parseGroupArn(groupArn) };
}

/** The grant as the config spells it, for the grants file and for checking construct props. */
export function grantSpecOf({ group, ...grant }: Grant): GrantSpec {
  return { ...grant, groupArn: group.arn, users: [...grant.users], windows: [...grant.windows] };
}

export function isRecurring(window: AccessWindow): window is RecurringWindow {
  return 'days' in window;
}

import { z } from 'zod';
import { CACHE_ID, CACHE_ID_RULE } from '#core/cache/refs';
import { clipped } from '#core/runtime/quoted';
import { durationMs } from './duration';
import { readerProblem } from './ephemeral-rule';
import type { Approval } from './records';

/** The detail-types this stack acts on; the stack's rule lets only these through. */
export const ACCESS_EVENTS = {
  requested: 'Cache Access Requested',
  revoked: 'Cache Access Revoked',
  suspended: 'Cache User Suspended',
  reinstated: 'Cache User Reinstated',
} as const;

const requestId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'expected 1-64 letters, digits, . _ : or -, chosen by the sender');
const user = z
  .string()
  .regex(CACHE_ID, `expected a user id as the service stores it: ${CACHE_ID_RULE}`)
  .max(128)
  // Groups require it: suspending it would make every later reconcile of every group fail.
  .refine((id) => id !== 'default', "the 'default' user is never managed: groups require it");
const who = z.string().min(1, 'expected who asked').max(256, 'expected at most 256 characters');
const reason = z.string().min(1, 'expected a reason').max(1024, 'expected at most 1024 characters');

/** The fields of a request, wherever it comes from: the bus adds who sent it, the API knows who did. */
const requestFields = {
  requestId,
  groupArn: z.string().min(1).max(2048),
  user: user.optional(),
  /** Instead of `user`: make a user for this request, and hand its credentials to `reader`. */
  ephemeral: z
    .strictObject({
      reader: z.string().superRefine((arn, ctx) => {
        const problem = readerProblem(arn);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, input: arn });
      }),
    })
    .optional(),
  duration: z
    .string()
    .max(64)
    .superRefine((iso, ctx) => {
      const ms = durationMs(iso);
      if (typeof ms === 'string') ctx.addIssue({ code: 'custom', message: ms, input: iso });
    })
    .optional(),
  until: z.iso.datetime({ offset: true, message: 'expected an ISO 8601 instant with an offset' }).optional(),
  reason,
};

/** Exactly one of duration and until, and of user and ephemeral. */
function oneOfEach<T extends { duration?: string; until?: string; user?: string; ephemeral?: object }>(
  schema: z.ZodType<T>,
) {
  return schema
    .refine((detail) => (detail.duration === undefined) !== (detail.until === undefined), {
      path: ['duration'],
      message: 'expected exactly one of duration and until',
    })
    .refine((detail) => (detail.user === undefined) !== (detail.ephemeral === undefined), {
      path: ['user'],
      message:
        'expected exactly one of user (an existing user) and ephemeral ({ "reader": "<IAM role or user ARN>" })',
    });
}

const requestedSchema = oneOfEach(z.object({ ...requestFields, requestedBy: who }));

/** A request's body on the request API: no unknown field, the requestId optional, no requestedBy. */
export const apiRequestSchema = oneOfEach(
  z.strictObject({ ...requestFields, requestId: requestFields.requestId.optional() }),
);
/** What a path names: a request id, a user. */
export const pathIds = { requestId, user };
/** An approval's, a denial's and an operator's words. */
export const reasonSchema = reason;

const revokedSchema = z.object({ requestId, revokedBy: who, reason });
const suspendedSchema = z.object({ user, suspendedBy: who, reason });
const reinstatedSchema = z.object({ user, reinstatedBy: who, reason });

/**
 * Who a request came from: `verified` when AWS proved `requestedBy` (the request API's caller), else a
 * bus sender's own words; and, for a request granted after approval, its approvals.
 */
interface RequestOrigin extends Verified {
  readonly approvals?: readonly Approval[];
}

export type AccessCommand =
  | ({ readonly kind: 'request' } & z.output<typeof requestedSchema> & RequestOrigin)
  | ({ readonly kind: 'revoke' } & z.output<typeof revokedSchema> & Verified)
  | ({ readonly kind: 'suspend' } & z.output<typeof suspendedSchema> & Verified)
  | ({ readonly kind: 'reinstate' } & z.output<typeof reinstatedSchema> & Verified);

/** Whether AWS proved who sent the command (the request API) or the sender named itself (the bus). */
interface Verified {
  readonly verified?: boolean;
}

/** Who did something, as records and events keep it: a verified ARN, or a bus sender's words marked unverified. */
export function recordedActor(by: string, verified: boolean | undefined): string {
  return verified ? by : `unverified:${by}`;
}

/** Why an event was not acted on, with what could be read of it, every value cut short. */
export interface Refusal {
  readonly requestId?: string;
  readonly refusal: string;
  readonly detailType: string;
  readonly request: Readonly<Record<string, string>>;
}

export type ParsedAccessEvent = { readonly command: AccessCommand } | { readonly refusal: Refusal };

const SCHEMAS = {
  [ACCESS_EVENTS.requested]: { kind: 'request', schema: requestedSchema },
  [ACCESS_EVENTS.revoked]: { kind: 'revoke', schema: revokedSchema },
  [ACCESS_EVENTS.suspended]: { kind: 'suspend', schema: suspendedSchema },
  [ACCESS_EVENTS.reinstated]: { kind: 'reinstate', schema: reinstatedSchema },
} as const;

/** An event EventBridge delivered, as opposed to one a schedule sent. */
export function isBusEvent(event: unknown): event is Record<string, unknown> {
  return typeof event === 'object' && event !== null && 'detail-type' in event && 'detail' in event;
}

/** The command the event asks for, or a refusal that says what is wrong with it; never throws. */
export function parseAccessEvent(event: Record<string, unknown>): ParsedAccessEvent {
  const detailType = typeof event['detail-type'] === 'string' ? event['detail-type'] : '';
  const detail = event.detail;
  const request = readable(detail);
  const id =
    typeof request.requestId === 'string' && request.requestId.length <= 64 ? request.requestId : undefined;
  const known = SCHEMAS[detailType as keyof typeof SCHEMAS];
  if (!known) {
    return refuse(
      id,
      `unknown detail-type ${JSON.stringify(clipped(detailType))}; expected one of ${Object.values(ACCESS_EVENTS).join(', ')}`,
      detailType,
      request,
    );
  }
  const result = known.schema.safeParse(detail);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || 'detail'}: ${issue.message}`,
    );
    return refuse(id, `malformed ${detailType}: ${problems.join('; ')}`, detailType, request);
  }
  return { command: { kind: known.kind, ...result.data } as AccessCommand };
}

/** A refusal for an event that parsed, but that the rules do not allow. */
export function refusalOf(command: AccessCommand, refusal: string): Refusal {
  const { kind, ...fields } = command;
  const detailType = Object.entries(SCHEMAS).find(([, value]) => value.kind === kind)?.[0] ?? kind;
  return refuse('requestId' in command ? command.requestId : undefined, refusal, detailType, readable(fields))
    .refusal;
}

function refuse(
  requestId: string | undefined,
  refusal: string,
  detailType: string,
  request: Record<string, string>,
) {
  return { refusal: { ...(requestId !== undefined && { requestId }), refusal, detailType, request } };
}

/**
 * The detail's string fields, and those of an object one level down as `parent.field` (the ephemeral
 * reader), each cut to a few hundred characters: enough to recognise the request.
 */
export function readable(detail: unknown, depth = 0): Record<string, string> {
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return {};
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(detail).slice(0, 16)) {
    if (typeof value === 'string') fields[clipped(key)] = clipped(value);
    else if (depth === 0) {
      for (const [inner, text] of Object.entries(readable(value, 1)))
        fields[`${clipped(key)}.${inner}`] = text;
    }
  }
  return fields;
}

import { z } from 'zod';
import { clipped, quoted } from '#core/runtime/quoted';
import { apiRequestSchema, reasonSchema } from '../events-in';

/** Fields a bus sender uses to say who it is: on the API the caller is the one AWS verified. */
const WHO_FIELDS = ['requestedBy', 'revokedBy', 'suspendedBy', 'reinstatedBy', 'approvedBy', 'deniedBy'];

export const BODIES = {
  request: apiRequestSchema,
  approve: z.strictObject({ reason: reasonSchema.optional() }),
  decide: z.strictObject({ reason: reasonSchema }),
};

/**
 * The body read against its schema: its value, or every problem with it, each naming the field and
 * any value cut short. A field naming who acts is refused, never used: the caller is the verified one.
 */
export function parseBody<T>(
  text: string,
  schema: z.ZodType<T>,
  caller: string,
): { readonly value: T } | { readonly problem: string } {
  let json: unknown;
  try {
    json = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return { problem: `the body is not JSON: ${quoted(text)}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { problem: `expected a JSON object as the body, got ${quoted(text)}` };
  }
  const forged = WHO_FIELDS.filter((field) => field in json);
  if (forged.length > 0) {
    return {
      problem: `${forged.join(', ')}: not accepted; who acts is the caller AWS verified (${caller}), never a body field`,
    };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { value: parsed.data };
  const problems = parsed.error.issues.map(
    (issue) => `${clipped(issue.path.join('.')) || 'body'}: ${clipped(issue.message)}`,
  );
  return { problem: `malformed body: ${problems.join('; ')}` };
}

import { z } from 'zod';
import { checkedString, refuseRepeats } from '#core/runtime/checks';

/** Live ephemeral users one rule may have at once, by default and at most. */
const MAX_ACTIVE = { default: 3, max: 50 } as const;

/**
 * An IAM role or user ARN that may receive an ephemeral user's credentials; a trailing `*` in a rule
 * stands for any name with that start, a request names one principal exactly.
 */
const READER = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):(role|user)\/[\w+=,.@/-]+$/;
const READER_PATTERN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):(role|user)\/[\w+=,.@/-]*\*?$/;

/** Why `arn` is not a principal a request may name as its reader, or undefined. */
export function readerProblem(arn: string): string | undefined {
  return READER.test(arn) && arn.length <= 2048
    ? undefined
    : 'expected the ARN of an IAM role or user: arn:aws:iam::<account>:role/<name> or arn:aws:iam::<account>:user/<name>';
}

function readerPatternProblem(arn: string): string | undefined {
  // A bare `role/*` would hand the credentials to every role of the account.
  if (arn.length > 2048 || !READER_PATTERN.test(arn) || /\*./.test(arn) || /\/\*$/.test(arn)) {
    return 'expected an IAM role or user ARN, arn:aws:iam::<account>:role/<name> or user/<name>, with at most one * and only at the end after part of a name';
  }
  return undefined;
}

/**
 * The access strings a rule may give an ephemeral user: redis ACL rules as ElastiCache and MemoryDB
 * take them. The service itself accepts worse: a user switched `off` can never log in, a password in
 * the string would end up in the template, and `+@all` hands out every command.
 */
function accessStringProblem(accessString: string, allowAll: boolean): string | undefined {
  const tokens = accessString.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return 'expected an access string, such as on ~* &* -@all +@read';
  if (tokens.includes('off')) return 'expected no off: an ephemeral user that is off can never log in';
  if (!tokens.includes('on'))
    return 'expected on: without it the user is created switched off and can never log in';
  const password = tokens.find(
    (token) => /^[><#!]/.test(token) || token === 'nopass' || token === 'resetpass',
  );
  if (password !== undefined) {
    return 'expected no password rules (>, <, #, !, nopass, resetpass): the stack generates the password and keeps it in a secret';
  }
  const everything = tokens.some((token) => token === '+@all' || token === 'allcommands');
  if (everything && !allowAll) {
    return 'grants every command (+@all or allcommands); narrow it, or write "allowAll": true to mean it';
  }
  return undefined;
}

/** The account of a reader or reader pattern, when it is one. */
export function readerAccount(reader: string): string | undefined {
  return READER_PATTERN.exec(reader)?.[2];
}

/** Whether a request's reader is one a rule lets receive credentials. */
export function readerAllowed(readers: readonly string[], reader: string): boolean {
  return readers.some((pattern) =>
    pattern.endsWith('*') ? reader.startsWith(pattern.slice(0, -1)) : reader === pattern,
  );
}

/** `requests.rules[].ephemeral`: a user made for each request, deleted when the grant ends. */
export const ephemeralSpecSchema = z
  .strictObject({
    accessString: z.string().max(2048, 'expected at most 2048 characters'),
    allowAll: z.boolean().optional(),
    maxActive: z
      .number()
      .int('expected a whole number')
      .min(1, 'expected at least 1')
      .max(
        MAX_ACTIVE.max,
        `expected at most ${MAX_ACTIVE.max}: each live user is a member of the group, and a group holds at most 100`,
      )
      .default(MAX_ACTIVE.default),
    readers: z
      .array(checkedString(readerPatternProblem))
      .min(1, 'expected at least one reader: someone must be able to fetch the credentials')
      .superRefine((readers, ctx) =>
        refuseRepeats(readers, ctx, (first) => `already listed as readers[${first}]; list each reader once`),
      ),
  })
  .superRefine((spec, ctx) => {
    const problem = accessStringProblem(spec.accessString, spec.allowAll === true);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['accessString'], input: spec.accessString, message: problem });
    }
  });

export type EphemeralRule = z.output<typeof ephemeralSpecSchema>;

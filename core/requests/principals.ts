import { ACCOUNT, PARTITION } from '#core/runtime/arn';
import { quoted } from '#core/runtime/quoted';

/**
 * IAM principal patterns in request rules (`requesters`, `approvers`, `operators`) and the verified
 * callers they match. A caller reaches the request API as the `userArn` AWS puts in the function URL
 * event: an assumed-role session `arn:aws:sts::<account>:assumed-role/<role>/<session>` (the role's
 * path is never in it) or an IAM user `arn:aws:iam::<account>:user/<path><name>`.
 */

/** IAM's characters for role, user and session names; a pattern's name may end in `*`. */
const NAME = '[\\w+=,.@-]+';
const NAME_PATTERN = `${NAME}\\*?`;
const PATH = `(?:${NAME}/)*`;

const ROLE = new RegExp(`^arn:(${PARTITION}):iam::(${ACCOUNT}):role/${PATH}(${NAME_PATTERN})$`);
const SESSION = new RegExp(
  `^arn:(${PARTITION}):sts::(${ACCOUNT}):assumed-role/(${NAME_PATTERN})/(${NAME_PATTERN})$`,
);
const USER = new RegExp(`^arn:(${PARTITION}):iam::(${ACCOUNT}):user/(${PATH}${NAME_PATTERN})$`);

const CALLER_SESSION = new RegExp(`^arn:(${PARTITION}):sts::(${ACCOUNT}):assumed-role/(${NAME})/(${NAME})$`);
const CALLER_USER = new RegExp(`^arn:(${PARTITION}):iam::(${ACCOUNT}):user/(${PATH}${NAME})$`);

export const PRINCIPAL_FORMS =
  'an IAM role ARN (arn:aws:iam::<account>:role/<name>, any session of that role), an assumed-role session (arn:aws:sts::<account>:assumed-role/<role>/<session>) or an IAM user ARN (arn:aws:iam::<account>:user/<name>); a * may end a name';

type Pattern =
  | { readonly kind: 'role'; readonly partition: string; readonly account: string; readonly role: string }
  | {
      readonly kind: 'session';
      readonly partition: string;
      readonly account: string;
      readonly role: string;
      readonly session: string;
    }
  | { readonly kind: 'user'; readonly partition: string; readonly account: string; readonly user: string };

function parsePattern(pattern: string): Pattern | undefined {
  const role = ROLE.exec(pattern);
  if (role) return { kind: 'role', partition: role[1] ?? '', account: role[2] ?? '', role: role[3] ?? '' };
  const session = SESSION.exec(pattern);
  if (session) {
    const [, partition = '', account = '', roleName = '', name = ''] = session;
    return { kind: 'session', partition, account, role: roleName, session: name };
  }
  const user = USER.exec(pattern);
  if (user) return { kind: 'user', partition: user[1] ?? '', account: user[2] ?? '', user: user[3] ?? '' };
  return undefined;
}

/** Why `pattern` is not a principal pattern a rule may list, or undefined. */
export function principalPatternProblem(pattern: string): string | undefined {
  if (parsePattern(pattern)) return undefined;
  return `${quoted(pattern)} is not a principal pattern; expected ${PRINCIPAL_FORMS}`;
}

/** The account a valid pattern names. */
export function patternAccount(pattern: string): string | undefined {
  return parsePattern(pattern)?.account;
}

/** A name, or a name pattern ending in `*` that matches every name with that start. */
const nameMatches = (pattern: string, name: string) =>
  pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;

/** Whether the verified caller `callerArn` is one of `patterns`; an ARN of any other form matches none. */
export function principalMatches(patterns: readonly string[], callerArn: string): boolean {
  const session = CALLER_SESSION.exec(callerArn) ?? undefined;
  const user = session ? undefined : (CALLER_USER.exec(callerArn) ?? undefined);
  if (!session && !user) return false;
  return patterns.some((text) => {
    const pattern = parsePattern(text);
    if (!pattern) return false;
    const [, partition, account, first = '', second = ''] = session ?? user ?? [];
    if (pattern.partition !== partition || pattern.account !== account) return false;
    if (pattern.kind === 'user') return user !== undefined && nameMatches(pattern.user, first);
    if (session === undefined || !nameMatches(pattern.role, first)) return false;
    return pattern.kind === 'role' || nameMatches(pattern.session, second);
  });
}

import { ServiceError } from '../wire/errors';
import { isRecord } from '../wire/input';
import type { ListFilter, SecretState } from './types';

const DAY_MS = 24 * 60 * 60 * 1000;
const MIN_RECOVERY_DAYS = 7;
const MAX_RECOVERY_DAYS = 30;

/** Whether a policy document allows broad access: PutResourcePolicy refuses it with BlockPublicPolicy. */
export function isPublicPolicy(policy: string): boolean {
  return policyStatements(policy).some(isPublic);
}

/**
 * PutResourcePolicy resolves every principal the policy names: a role or user that does not exist (or
 * was deleted), or a principal kind secrets do not take, is refused the way AWS words it.
 */
export function checkPrincipals(policy: string, accepts: (principal: string) => boolean): void {
  const named = policyStatements(policy).flatMap((statement) => principalsOf(statement.Principal));
  const supported = ({ kind, id }: { kind: string; id: unknown }) =>
    typeof id === 'string' &&
    ((kind === 'AWS' && accepts(id)) || (kind === 'Service' && id.endsWith('.amazonaws.com')));
  if (!named.every(supported)) {
    throw new ServiceError(
      'MalformedPolicyDocumentException',
      'This resource policy contains an unsupported principal.',
    );
  }
}

/** DeleteSecret: either at once or after a recovery window of 7 to 30 days. */
export function checkRecoveryWindow(force: boolean, recoveryDays: number | undefined): void {
  if (force && recoveryDays !== undefined) {
    throw new ServiceError(
      'InvalidParameterException',
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    );
  }
  if (recoveryDays !== undefined && (recoveryDays < MIN_RECOVERY_DAYS || recoveryDays > MAX_RECOVERY_DAYS)) {
    throw new ServiceError(
      'InvalidParameterException',
      `RecoveryWindowInDays must be from ${MIN_RECOVERY_DAYS} to ${MAX_RECOVERY_DAYS}; got ${recoveryDays}.`,
    );
  }
}

/** When a secret scheduled for deletion at `now` goes, in epoch milliseconds; the window defaults to 30 days. */
export function scheduledDeletion(now: number, recoveryDays: number | undefined): number {
  return now + (recoveryDays ?? MAX_RECOVERY_DAYS) * DAY_MS;
}

// As AWS does: each value is a prefix, and a value starting with `!` matches what does not have that prefix.
export function matches(secret: SecretState, filter: ListFilter): boolean {
  const fields = {
    name: [secret.name],
    description: secret.description === undefined ? [] : [secret.description],
    'tag-key': secret.tags.map((tag) => tag.Key),
    'tag-value': secret.tags.map((tag) => tag.Value),
    all: [
      secret.name,
      ...(secret.description === undefined ? [] : [secret.description]),
      ...secret.tags.flatMap((tag) => [tag.Key, tag.Value]),
    ],
  }[filter.key];
  return filter.values.some((value) =>
    value.startsWith('!')
      ? !fields.some((field) => field.startsWith(value.slice(1)))
      : fields.some((field) => field.startsWith(value)),
  );
}

/** The statements of a policy document; anything but JSON with a Version and a Statement is malformed. */
function policyStatements(policy: string): Record<string, unknown>[] {
  let document: unknown;
  try {
    document = JSON.parse(policy);
  } catch {
    throw new ServiceError('MalformedPolicyDocumentException', 'The resource policy is not valid JSON.');
  }
  const statement = isRecord(document) ? document.Statement : undefined;
  const statements = Array.isArray(statement) ? statement : [statement];
  if (!isRecord(document) || typeof document.Version !== 'string' || !statements.every(isRecord)) {
    throw new ServiceError(
      'MalformedPolicyDocumentException',
      'The resource policy must be a JSON object with a Version and a Statement of one or more objects.',
    );
  }
  return statements;
}

function principalsOf(principal: unknown): { kind: string; id: unknown }[] {
  if (principal === undefined || principal === '*') return [];
  if (!isRecord(principal)) return [{ kind: 'AWS', id: principal }];
  return Object.entries(principal).flatMap(([kind, ids]) =>
    (Array.isArray(ids) ? ids : [ids]).map((id) => ({ kind, id })),
  );
}

// Broad access: an Allow for any principal (`*`, or `*` among the AWS principals) that no condition narrows.
function isPublic(statement: Record<string, unknown>): boolean {
  const principal = statement.Principal;
  const aws = isRecord(principal) ? principal.AWS : undefined;
  const anyone = principal === '*' || aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  return statement.Effect === 'Allow' && anyone && statement.Condition === undefined;
}

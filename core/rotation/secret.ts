import { isAcceptablePassword } from '#core/cache/password';
import { MalformedSecretError, UserMismatchError } from '#core/runtime/errors';

/**
 * AWS's documented secret format for cache users. Other keys a team keeps in the secret
 * (host, port, ...) are carried over unchanged to each new version.
 */
export interface CacheUserSecret {
  readonly username: string;
  readonly password: string;
  readonly user_arn: string;
  readonly [extra: string]: unknown;
}

/**
 * Parses and checks a secret value. Never lets the value reach an error: JSON.parse messages quote
 * the input, so its error is replaced, and field problems name the field only.
 */
export function parseSecret(raw: string, describe: string, expectedUserArn: string): CacheUserSecret {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new MalformedSecretError(
      `${describe} is not valid JSON; expected {"username","password","user_arn"}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedSecretError(
      `${describe} is not a JSON object; expected {"username","password","user_arn"}`,
    );
  }
  const record = value as Record<string, unknown>;
  for (const field of ['username', 'password', 'user_arn'] as const) {
    if (typeof record[field] !== 'string' || record[field] === '') {
      throw new MalformedSecretError(`${describe} has no string field '${field}'`);
    }
  }
  const secret = record as CacheUserSecret;
  if (!isAcceptablePassword(secret.password)) {
    throw new MalformedSecretError(
      `${describe} has a password the service would reject; expected 16-128 printable characters without , " / @ or spaces`,
    );
  }
  if (secret.user_arn !== expectedUserArn) {
    throw new UserMismatchError(
      `${describe} names user_arn '${secret.user_arn}', but this secret is configured for '${expectedUserArn}'; refusing to touch either user`,
    );
  }
  return secret;
}

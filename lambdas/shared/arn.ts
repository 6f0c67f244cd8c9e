import { CacheAccessError } from './errors';

export type Engine = 'elasticache' | 'memorydb';

/** A cache user, addressed the way its engine's API addresses it. */
export interface CacheUserRef {
  readonly arn: string;
  readonly engine: Engine;
  readonly region: string;
  readonly account: string;
  /** ElastiCache `UserId` or MemoryDB user name: the identifier the API calls take. */
  readonly id: string;
}

export class InvalidArnError extends CacheAccessError {}

const PARTITION = 'aws(?:-cn|-us-gov|-iso[a-z-]*)?';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d';
const ACCOUNT = '\\d{12}';
const ELASTICACHE_USER = new RegExp(
  `^arn:${PARTITION}:elasticache:(${REGION}):(${ACCOUNT}):user:([A-Za-z][A-Za-z0-9-]*)$`,
);
const MEMORYDB_USER = new RegExp(
  `^arn:${PARTITION}:memorydb:(${REGION}):(${ACCOUNT}):user/([A-Za-z][A-Za-z0-9-]*)$`,
);
const SECRET = new RegExp(
  `^arn:${PARTITION}:secretsmanager:(${REGION}):(${ACCOUNT}):secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$`,
);

export const USER_ARN_FORMS =
  'arn:aws:elasticache:<region>:<account>:user:<userId> or arn:aws:memorydb:<region>:<account>:user/<userName>';
export const SECRET_ARN_FORM =
  'arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters> (the complete ARN, with its suffix)';

export function parseUserArn(arn: string): CacheUserRef {
  for (const [engine, pattern] of [
    ['elasticache', ELASTICACHE_USER],
    ['memorydb', MEMORYDB_USER],
  ] as const) {
    const match = pattern.exec(arn);
    if (match) {
      const [, region = '', account = '', id = ''] = match;
      return { arn, engine, region, account, id };
    }
  }
  throw new InvalidArnError(`'${arn}' is not a cache user ARN; expected ${USER_ARN_FORMS}`);
}

export function parseSecretArn(arn: string): { readonly region: string; readonly account: string } {
  const match = SECRET.exec(arn);
  if (!match) {
    throw new InvalidArnError(
      `'${arn}' is not a complete Secrets Manager secret ARN; expected ${SECRET_ARN_FORM}`,
    );
  }
  const [, region = '', account = ''] = match;
  return { region, account };
}

/**
 * A stable name for the user, for construct ids: it follows the user, not its position in the
 * config, so reordering targets never replaces a secret.
 */
export function userKey(user: CacheUserRef): string {
  return `${user.engine}-${user.id}`;
}

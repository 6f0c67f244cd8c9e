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

/** An ElastiCache user group or a MemoryDB ACL: the set of users allowed onto a cache. */
export interface CacheGroupRef {
  readonly arn: string;
  readonly engine: Engine;
  readonly region: string;
  readonly account: string;
  /** ElastiCache `UserGroupId` or MemoryDB ACL name. */
  readonly id: string;
}

const ELASTICACHE_GROUP = new RegExp(
  `^arn:${PARTITION}:elasticache:(${REGION}):(${ACCOUNT}):usergroup:([A-Za-z][A-Za-z0-9-]*)$`,
);
const MEMORYDB_ACL = new RegExp(
  `^arn:${PARTITION}:memorydb:(${REGION}):(${ACCOUNT}):acl/([A-Za-z][A-Za-z0-9-]*)$`,
);

export const GROUP_ARN_FORMS =
  'arn:aws:elasticache:<region>:<account>:usergroup:<userGroupId> or arn:aws:memorydb:<region>:<account>:acl/<aclName>';

export const USER_ARN_FORMS =
  'arn:aws:elasticache:<region>:<account>:user:<userId> or arn:aws:memorydb:<region>:<account>:user/<userName>';
export const SECRET_ARN_FORM =
  'arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters> (the complete ARN, with its suffix)';

export function parseUserArn(arn: string): CacheUserRef {
  return parseEngineArn(
    arn,
    ELASTICACHE_USER,
    MEMORYDB_USER,
    `'${arn}' is not a cache user ARN; expected ${USER_ARN_FORMS}`,
  );
}

export function parseGroupArn(arn: string): CacheGroupRef {
  return parseEngineArn(
    arn,
    ELASTICACHE_GROUP,
    MEMORYDB_ACL,
    `'${arn}' is not an ElastiCache user group or MemoryDB ACL ARN; expected ${GROUP_ARN_FORMS}`,
  );
}

function parseEngineArn(arn: string, elasticache: RegExp, memorydb: RegExp, problem: string) {
  for (const [engine, pattern] of [
    ['elasticache', elasticache],
    ['memorydb', memorydb],
  ] as const) {
    const match = pattern.exec(arn);
    if (match) {
      const [, region = '', account = '', id = ''] = match;
      return { arn, engine, region, account, id };
    }
  }
  throw new InvalidArnError(problem);
}

/** The ARN of a user named in a grant: it lives in the group's engine, account and region. */
export function memberUserArn(group: CacheGroupRef, userId: string): string {
  const [partition] = group.arn.split(':').slice(1, 2);
  return group.engine === 'elasticache'
    ? `arn:${partition}:elasticache:${group.region}:${group.account}:user:${userId}`
    : `arn:${partition}:memorydb:${group.region}:${group.account}:user/${userId}`;
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
 * A stable name for a user or group, for construct ids: it follows the resource, not its position in the
 * config, so reordering targets never replaces a secret.
 */
export function resourceKey(user: CacheUserRef | CacheGroupRef): string {
  return `${user.engine}-${user.id}`;
}

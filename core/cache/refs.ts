import { ACCOUNT, type ArnLocation, PARTITION, REGION } from '#core/runtime/arn';
import { InvalidArnError } from '#core/runtime/errors';
import { quoted } from '#core/runtime/quoted';
import type { ArnShape, Engine, EngineDescription } from './engine';
import { ENGINE_NAMES, ENGINES } from './engines';

/** A cache user or group, addressed the way its engine's API addresses it. */
interface CacheRef extends ArnLocation {
  readonly engine: Engine;
  /** ElastiCache `UserId` / `UserGroupId`, or MemoryDB user / ACL name: what the API calls take. */
  readonly id: string;
}

/** A cache user: ElastiCache RBAC user or MemoryDB ACL user. */
export interface CacheUserRef extends CacheRef {
  readonly kind: 'user';
}

/** An ElastiCache user group or a MemoryDB ACL: the set of users allowed onto a cache. */
export interface CacheGroupRef extends CacheRef {
  readonly kind: 'group';
}

type Kind = 'user' | 'group';

/**
 * Both services store user, group and ACL ids in lowercase (CloudFormation enforces
 * `[a-z][a-z0-9-]*`): an id written with capitals would name a user the API never reports back.
 */
export const CACHE_ID = /^[a-z][a-z0-9-]*$/;
export const CACHE_ID_RULE = 'a lowercase letter, then lowercase letters, digits or hyphens';
const ANY_CASE_ID = '[A-Za-z][A-Za-z0-9-]*';

const shapeOf = (description: EngineDescription, kind: Kind): ArnShape => description[kind];

const PATTERNS = ENGINE_NAMES.map((engine) => {
  const description = ENGINES[engine];
  const pattern = (kind: Kind) =>
    new RegExp(
      `^arn:(${PARTITION}):${description.service}:(${REGION}):(${ACCOUNT}):${shapeOf(description, kind).resourcePrefix}(${ANY_CASE_ID})$`,
    );
  return { engine, user: pattern('user'), group: pattern('group') };
});

function arnForms(kind: Kind): string {
  return ENGINE_NAMES.map((engine) => {
    const description = ENGINES[engine];
    const { resourcePrefix, idName } = shapeOf(description, kind);
    return `arn:aws:${description.service}:<region>:<account>:${resourcePrefix}<${idName}>`;
  }).join(' or ');
}

const USER_ARN_FORMS = arnForms('user');
const GROUP_ARN_FORMS = arnForms('group');

const NOT_AN_ARN = { user: 'a cache user ARN', group: 'an ElastiCache user group or MemoryDB ACL ARN' };

/** The reference, or why `arn` is not one, in words that do not repeat it. */
function read<K extends Kind>(arn: string, kind: K): (CacheRef & { readonly kind: K }) | string {
  for (const patterns of PATTERNS) {
    const match = patterns[kind].exec(arn);
    if (!match) continue;
    const [, partition = '', region = '', account = '', id = ''] = match;
    if (!CACHE_ID.test(id)) {
      return `expected ids in lowercase: ${ENGINES[patterns.engine].label} stores the id ${quoted(id)} as ${quoted(id.toLowerCase())}`;
    }
    return { kind, arn, engine: patterns.engine, partition, region, account, id };
  }
  return `expected ${kind === 'user' ? USER_ARN_FORMS : GROUP_ARN_FORMS}`;
}

function parse<K extends Kind>(arn: string, kind: K): CacheRef & { readonly kind: K } {
  const ref = read(arn, kind);
  if (typeof ref === 'string') throw new InvalidArnError(`${quoted(arn)} is not ${NOT_AN_ARN[kind]}; ${ref}`);
  return ref;
}

export const parseUserArn = (arn: string): CacheUserRef => parse(arn, 'user');
export const parseGroupArn = (arn: string): CacheGroupRef => parse(arn, 'group');

/** For schemas: why `arn` is not a cache user ARN, or undefined when it is one. */
export function userArnProblem(arn: string): string | undefined {
  const ref = read(arn, 'user');
  return typeof ref === 'string' ? ref : undefined;
}

/** For schemas: why `arn` is not a group ARN, or undefined when it is one. */
export function groupArnProblem(arn: string): string | undefined {
  const ref = read(arn, 'group');
  return typeof ref === 'string' ? ref : undefined;
}

/** A user named in a grant for `group`: it lives in the group's engine, partition, account and region. */
export function memberOf(group: CacheGroupRef, userId: string): CacheUserRef {
  const { service, user } = ENGINES[group.engine];
  const arn = `arn:${group.partition}:${service}:${group.region}:${group.account}:${user.resourcePrefix}${userId}`;
  return { ...group, kind: 'user', arn, id: userId };
}

/**
 * A stable name for a user or group, for construct ids: it follows the resource, not its position in the
 * config, so reordering targets never replaces a secret.
 */
export function resourceKey(ref: CacheUserRef | CacheGroupRef): string {
  return `${ref.engine}-${ref.id}`;
}

/** Cache users by ARN, for construct props: `CacheUser.fromArn('arn:aws:memorydb:...:user/app')`. */
export const CacheUser = { fromArn: parseUserArn } as const;
export type CacheUser = CacheUserRef;

/** ElastiCache user groups and MemoryDB ACLs by ARN, for construct props. */
export const CacheGroup = { fromArn: parseGroupArn } as const;
export type CacheGroup = CacheGroupRef;

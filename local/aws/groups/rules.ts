import type { UserStore } from '../users/store';
import { DEFAULT_USER_NAME, type Engine, type ServerEngine } from '../users/types';
import { ServiceError } from '../wire/errors';
import type { GroupRecord } from './record';
import { OPEN_ACCESS_ACL } from './types';

/** Where the rules look users up. */
type UserDirectory = Pick<UserStore, 'get'>;

/** Which group a rule judges. */
type GroupName = Pick<GroupRecord, 'engine' | 'id' | 'serverEngine'>;

/** What differs between an ElastiCache user group and a MemoryDB ACL; the rules are the same. */
interface EngineGroups {
  readonly noun: string;
  readonly notFound: string;
  readonly invalidState: string;
  readonly alreadyExists: string;
  /** ElastiCache: every REDIS user group holds a user whose UserName is `default`; a VALKEY one need not. */
  readonly requiresDefaultUser: boolean;
  /** ElastiCache: a valkey user joins only a valkey group. */
  readonly hasServerEngines: boolean;
  readonly immutable: readonly string[];
  /** What DescribeUserGroups or DescribeACLs calls the caches a group is attached to. */
  readonly cacheNoun: string;
}

export const ENGINE_GROUPS: Readonly<Record<Engine, EngineGroups>> = {
  elasticache: {
    noun: 'User group',
    notFound: 'UserGroupNotFoundFault',
    invalidState: 'InvalidUserGroupStateFault',
    alreadyExists: 'UserGroupAlreadyExistsFault',
    requiresDefaultUser: true,
    hasServerEngines: true,
    immutable: [],
    cacheNoun: 'replication groups',
  },
  memorydb: {
    noun: 'ACL',
    notFound: 'ACLNotFoundFault',
    invalidState: 'InvalidACLStateFault',
    alreadyExists: 'ACLAlreadyExistsFault',
    requiresDefaultUser: false,
    hasServerEngines: false,
    immutable: [OPEN_ACCESS_ACL],
    cacheNoun: 'clusters',
  },
};

export function requiresDefaultUser(engine: Engine, serverEngine: ServerEngine): boolean {
  return ENGINE_GROUPS[engine].requiresDefaultUser && serverEngine === 'redis';
}

/** CreateUserGroup or CreateACL: whether a new group may hold `members`. */
export function checkNewGroup(users: UserDirectory, group: GroupName, members: readonly string[]): void {
  const { engine, id, serverEngine } = group;
  checkJoining(users, engine, members);
  if (requiresDefaultUser(engine, serverEngine) && !hasDefaultUser(users, engine, members)) {
    throw new ServiceError(
      'DefaultUserRequired',
      `${ENGINE_GROUPS[engine].noun} ${id} has engine redis and must hold a user named default.`,
    );
  }
  refuseDuplicate(users, group, duplicateUserName(users, engine, members));
  refuseMisfit(users, group, members);
}

/**
 * ModifyUserGroup or UpdateACL: whether the group may add and remove these users in one request; the whole
 * request fails or none of it happens.
 */
export function checkChange(
  users: UserDirectory,
  group: Readonly<GroupRecord>,
  add: readonly string[],
  remove: readonly string[],
): void {
  const { engine, id, serverEngine } = group;
  const { noun, immutable, invalidState } = ENGINE_GROUPS[engine];
  if (immutable.includes(id)) {
    throw new ServiceError('InvalidParameterValueException', `${noun} ${id} cannot be modified.`);
  }
  if (add.length === 0 && remove.length === 0) {
    throw new ServiceError(
      'InvalidParameterValueException',
      `No users to add or remove were given for ${noun} ${id}.`,
    );
  }
  if (group.status !== 'active') {
    throw new ServiceError(invalidState, `${noun} ${id} has status ${group.status}.`);
  }
  const unknown = [...add, ...remove].find((user) => users.get(engine, user) === undefined);
  if (unknown !== undefined) {
    throw new ServiceError('UserNotFoundFault', `User ${unknown} not found.`);
  }
  const both = add.find((user) => remove.includes(user));
  if (both !== undefined) {
    throw new ServiceError(
      'InvalidParameterValueException',
      `User ${both} cannot be both added to and removed from ${noun} ${id}.`,
    );
  }
  checkJoining(users, engine, add);
  const notMember = remove.find((user) => !group.members.has(user));
  if (notMember !== undefined) {
    throw new ServiceError(
      'InvalidParameterValueException',
      `User ${notMember} is not a member of ${noun} ${id}.`,
    );
  }
  const result = [...group.members].filter((user) => !remove.includes(user));
  const already = add.find((user) => result.includes(user));
  refuseDuplicate(users, group, already ?? duplicateUserName(users, engine, [...result, ...add]));
  refuseMisfit(users, group, add);
  // Swapping the default user for another user named `default` in one request is how AWS replaces it.
  if (
    requiresDefaultUser(engine, serverEngine) &&
    hasDefaultUser(users, engine, remove) &&
    !hasDefaultUser(users, engine, add)
  ) {
    throw new ServiceError('DefaultUserRequired', `${noun} ${id} must keep a user named default.`);
  }
}

/** DeleteUserGroup or DeleteACL: only an `active` group attached to no cache may go. */
export function checkDelete(group: Readonly<GroupRecord>): void {
  const { engine, id } = group;
  const { noun, immutable, invalidState, cacheNoun } = ENGINE_GROUPS[engine];
  if (immutable.includes(id)) {
    throw new ServiceError('InvalidParameterValueException', `${noun} ${id} cannot be deleted.`);
  }
  if (group.status !== 'active') {
    throw new ServiceError(invalidState, `${noun} ${id} has status ${group.status}.`);
  }
  const attached = [
    ...(group.caches.size > 0 ? [`${cacheNoun} ${[...group.caches].sort().join(', ')}`] : []),
    ...(group.serverlessCaches.size > 0
      ? [`serverless caches ${[...group.serverlessCaches].sort().join(', ')}`]
      : []),
  ];
  if (attached.length > 0) {
    throw new ServiceError(
      invalidState,
      `${noun} ${id} is attached to ${attached.join(' and ')}; detach it before deleting it.`,
    );
  }
}

export function hasDefaultUser(users: UserDirectory, engine: Engine, ids: Iterable<string>): boolean {
  return [...ids].some((user) => users.get(engine, user)?.userName === DEFAULT_USER_NAME);
}

/** The id of one user, or of a second one with the same UserName, among `ids`. */
export function duplicateUserName(
  users: UserDirectory,
  engine: Engine,
  ids: readonly string[],
): string | undefined {
  const names = ids.map((user) => users.get(engine, user)?.userName ?? user);
  return ids.find((_user, index) => names.indexOf(names[index] ?? '') !== index);
}

/**
 * Why `ids` cannot join an ElastiCache group of `serverEngine`, if they cannot: a valkey user joins only a
 * VALKEY group, and a VALKEY group holds redis users only with a password or IAM authentication.
 */
export function engineMisfit(
  users: UserDirectory,
  group: GroupName,
  ids: readonly string[],
): string | undefined {
  const { engine, id, serverEngine } = group;
  if (!ENGINE_GROUPS[engine].hasServerEngines) {
    return undefined;
  }
  for (const user of ids) {
    const state = users.get(engine, user);
    if (state?.serverEngine === 'valkey' && serverEngine === 'redis') {
      return `User ${user} has engine valkey and cannot join user group ${id}, whose engine is redis; valkey users join only valkey user groups.`;
    }
    if (state?.serverEngine === 'redis' && serverEngine === 'valkey' && state.authType === 'no-password') {
      return `User ${user} has engine redis and no password, so it cannot join valkey user group ${id}; a valkey group holds redis users only with password or IAM authentication.`;
    }
  }
  return undefined;
}

/** Users about to join a group must exist and be neither `creating` nor `deleting`. */
function checkJoining(users: UserDirectory, engine: Engine, ids: readonly string[]): void {
  for (const user of ids) {
    const state = users.get(engine, user);
    if (state === undefined) {
      throw new ServiceError('UserNotFoundFault', `User ${user} not found.`);
    }
    if (state.status === 'creating' || state.status === 'deleting') {
      throw new ServiceError('InvalidUserStateFault', `User ${user} has status ${state.status}.`);
    }
  }
}

function refuseDuplicate(users: UserDirectory, group: GroupName, duplicate?: string) {
  if (duplicate !== undefined) {
    const name = users.get(group.engine, duplicate)?.userName ?? duplicate;
    throw new ServiceError(
      'DuplicateUserNameFault',
      `${ENGINE_GROUPS[group.engine].noun} ${group.id} would hold two users named ${name}.`,
    );
  }
}

function refuseMisfit(users: UserDirectory, group: GroupName, ids: readonly string[]) {
  const misfit = engineMisfit(users, group, ids);
  if (misfit !== undefined) {
    throw new ServiceError('InvalidParameterCombinationException', misfit);
  }
}

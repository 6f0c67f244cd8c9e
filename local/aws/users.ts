import { AclRefusedError, type RedisServer } from '../redis/server';
import { type TaggedResource, taggable } from './tags';
import { ModifyingPeriod, Timers } from './timers';
import { type Fault, ServiceError } from './wire';

export type Engine = 'elasticache' | 'memorydb';
/**
 * AWS documents `active`, `modifying` and `deleting`; a user just created is `creating` until it is usable, as
 * the Terraform provider's create waiter expects.
 */
export type UserStatus = 'creating' | 'active' | 'modifying' | 'deleting';
export type AuthType = 'password' | 'no-password' | 'iam';
/**
 * ElastiCache's engine of a user or user group: a valkey user may join only a valkey group. MemoryDB has no
 * such choice; its users are modelled as `redis`.
 */
export type ServerEngine = 'redis' | 'valkey';

/** A resource's tags, as both services keep them: one value per key. */
export type Tags = Readonly<Record<string, string>>;

/** Both services name these faults alike and give them the same awsQuery codes. */
export const USER_FAULTS: readonly Fault[] = [
  { shape: 'UserNotFoundFault', queryCode: 'UserNotFound', status: 404 },
  { shape: 'InvalidUserStateFault', queryCode: 'InvalidUserState', status: 400 },
  { shape: 'InvalidParameterValueException', queryCode: 'InvalidParameterValue', status: 400 },
  { shape: 'InvalidParameterCombinationException', queryCode: 'InvalidParameterCombination', status: 400 },
  { shape: 'UserAlreadyExistsFault', queryCode: 'UserAlreadyExists', status: 400 },
  {
    shape: 'DefaultUserAssociatedToUserGroupFault',
    queryCode: 'DefaultUserAssociatedToUserGroup',
    status: 400,
  },
  { shape: 'InvalidARNFault', queryCode: 'InvalidARN', status: 400 },
];

export interface NewUser {
  readonly engine: Engine;
  readonly id: string;
  /**
   * The name redis knows the user by; ElastiCache lets it differ from the id, MemoryDB does not. A user named
   * `default` lives in the model only: redis's own `default` user is the harness's admin connection.
   */
  readonly userName?: string;
  readonly passwords: readonly string[];
  /** @default 'password' */
  readonly authType?: AuthType;
  /** @default 'on ~* &* +@all' */
  readonly accessString?: string;
  /**
   * Whether group membership decides if the user may log in to redis: then it may only while it is a member
   * of at least one group (user group or ACL) of its engine, so a governed user outside every group starts
   * disabled. A user becomes governed anyway as soon as any group of its engine names it.
   * @default false - the user may log in until a group names it
   */
  readonly governedByGroups?: boolean;
  /** ElastiCache only. @default 'redis' */
  readonly serverEngine?: ServerEngine;
  /** @default - no tags */
  readonly tags?: Tags;
}

/** A CreateUser request, checked by the service module for its own parameter rules. */
export interface UserRequest {
  readonly engine: Engine;
  /** Already in the form the service stores ids: lowercase. */
  readonly id: string;
  /** @default - the id */
  readonly userName?: string;
  readonly serverEngine: ServerEngine;
  readonly authType: AuthType;
  readonly passwords: readonly string[];
  /** Redis ACL rules, as both services take them: `on ~* &* -@all +@read`. */
  readonly accessString: string;
  readonly tags: Tags;
}

/** What the services report about a user; the passwords themselves never leave the store. */
export interface UserState {
  readonly engine: Engine;
  readonly id: string;
  readonly userName: string;
  readonly status: UserStatus;
  readonly authType: AuthType;
  readonly passwordCount: number;
  readonly accessString: string;
  /** Whether group membership decides if the user may log in (see `NewUser.governedByGroups`). */
  readonly governedByGroups: boolean;
  /** Whether the model lets the user log in; redis follows after `propagationDelayMs`. */
  readonly loginAllowed: boolean;
  readonly serverEngine: ServerEngine;
}

export interface UserChange {
  readonly authType?: AuthType;
  /** Replaces the whole set, as both services do. */
  readonly passwords?: readonly string[];
  readonly accessString?: string;
}

export interface Delays {
  /** How long a modified user stays `modifying`, a created one `creating` and a deleted one `deleting`. */
  readonly statusDelayMs: number;
  /**
   * How long new passwords take to reach redis, counted from the modification and independent of the status,
   * as on AWS; and how long a membership change takes to reach redis once it has taken effect in its group.
   */
  readonly propagationDelayMs: number;
}

/** The controls tests get; modifications go through the service APIs. */
export interface UserHarness {
  create(user: NewUser): Promise<UserState>;
  get(engine: Engine, id: string): UserState | undefined;
  /** Every user of the engine, including those still `creating` or `deleting`. */
  list(engine: Engine): UserState[];
  tagsOf(engine: Engine, id: string): Tags | undefined;
  /** Pins the status until changed again, cancelling any pending return to `active`. */
  setStatus(engine: Engine, id: string, status: UserStatus): void;
  /** Puts the user in `modifying` for `ms`, as a group change touching it would. */
  holdModifying(engine: Engine, id: string, ms: number): void;
}

export type AclDirectory = Pick<
  RedisServer,
  'createUser' | 'setPasswords' | 'setEnabled' | 'disconnect' | 'deleteUser'
>;

/** What redis has to follow: the password set, and whether the user may log in. */
type Lane = 'passwords' | 'login';

interface UserRecord {
  readonly engine: Engine;
  readonly id: string;
  readonly userName: string;
  /** False for model-only users (the `default` users), which redis never sees. */
  readonly inRedis: boolean;
  status: UserStatus;
  readonly period: ModifyingPeriod;
  authType: AuthType;
  passwords: readonly string[];
  accessString: string;
  governed: boolean;
  loginAllowed: boolean;
  readonly serverEngine: ServerEngine;
  tags: Tags;
  /** Set once the user is deleted: nothing may reach redis for it any more. */
  gone: boolean;
  /** Per lane, accepted changes so far and the latest one redis has seen: delays may reorder them. */
  readonly lanes: Record<Lane, { changes: number; propagated: number }>;
}

/** The UserName AWS gives the user every ElastiCache user group must hold, and MemoryDB's built-in user. */
export const DEFAULT_USER_NAME = 'default';

const MIN_PASSWORD_LENGTH = 16;
const MAX_PASSWORD_LENGTH = 128;
const MAX_PASSWORDS = 2;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const FORBIDDEN_CHARACTERS = /[,"/@]/;
const RESOURCE_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,39}$/;
// Rules that set passwords or wipe the user: passwords come from their own parameters, never the access string.
const PASSWORD_RULES = /^([<>#!]|nopass$|resetpass$|reset$)/;

/** The user model both ElastiCache and MemoryDB serve, backed by ACL users in one redis-server. */
export class UserStore implements UserHarness {
  private readonly users = new Map<string, UserRecord>();
  private readonly timers = new Timers();
  private readonly propagations = new Set<Promise<void>>();
  private readonly failures: unknown[] = [];
  private delays: Delays;

  constructor(
    private readonly redis: AclDirectory,
    delays: Delays,
  ) {
    this.delays = delays;
  }

  async create(user: NewUser): Promise<UserState> {
    const userName = user.userName ?? user.id;
    if (user.engine === 'memorydb' && userName !== user.id) {
      throw new Error(
        `MemoryDB users are identified by their name: got id ${user.id} and userName ${userName}`,
      );
    }
    if (this.users.has(key(user.engine, user.id))) {
      throw new Error(`${user.engine} user ${user.id} already exists`);
    }
    const clash = this.redisNameClash(userName);
    if (clash !== undefined) {
      throw new Error(clash);
    }
    const governed = user.governedByGroups ?? false;
    const record = this.newRecord({
      engine: user.engine,
      id: user.id,
      userName,
      status: 'active',
      authType: user.authType ?? 'password',
      passwords: [...user.passwords],
      accessString: user.accessString ?? 'on ~* &* +@all',
      governed,
      serverEngine: user.engine === 'memorydb' ? 'redis' : (user.serverEngine ?? 'redis'),
      tags: { ...user.tags },
    });
    await this.insert(record);
    return view(record);
  }

  /**
   * CreateUser: the user is `creating` for `statusDelayMs`, then `active`. It exists in redis at once with its
   * passwords and access string, governed by groups: it may log in only once a group of its engine holds it,
   * as on AWS, where a user outside every group reaches no cache.
   */
  async createByApi(request: UserRequest): Promise<UserState> {
    const { engine, id } = request;
    if (this.users.has(key(engine, id))) {
      throw new ServiceError('UserAlreadyExistsFault', `User ${id} already exists.`);
    }
    const userName = request.userName ?? id;
    const passwords = request.authType === 'password' ? request.passwords : [];
    if (request.authType === 'password') {
      checkPasswords(passwords);
    } else if (request.passwords.length > 0) {
      throw new ServiceError(
        'InvalidParameterCombinationException',
        `Passwords cannot be set with authentication type ${request.authType}.`,
      );
    }
    aclRules(request.accessString);
    // One redis-server stands in for every cache, so two users AWS would allow may clash here.
    const clash = this.redisNameClash(userName);
    if (clash !== undefined) {
      throw new Error(`local AWS keeps every user in one redis-server: ${clash}`);
    }
    const record = this.newRecord({
      engine,
      id,
      userName,
      status: 'creating',
      authType: request.authType,
      passwords: [...passwords],
      accessString: request.accessString,
      governed: true,
      serverEngine: request.serverEngine,
      tags: { ...request.tags },
    });
    try {
      await this.insert(record);
    } catch (error) {
      if (error instanceof AclRefusedError) {
        throw new ServiceError(
          'InvalidParameterValueException',
          `Access string ${request.accessString} is not valid: ${error.message}`,
        );
      }
      throw error;
    }
    record.period.extend(this.delays.statusDelayMs, () => {
      record.status = 'active';
    });
    return view(record);
  }

  /**
   * DeleteUser, once the caller knows whether a group holds the user: `deleting` at once, gone after
   * `statusDelayMs`, when its ACL user is deleted in redis too. Taking it out of its groups is the caller's.
   */
  startDelete(engine: Engine, id: string, inGroup: boolean): UserState {
    const record = this.require(engine, id);
    if (engine === 'memorydb' && id === DEFAULT_USER_NAME) {
      throw new ServiceError('InvalidParameterValueException', 'The default user cannot be deleted.');
    }
    if (id === DEFAULT_USER_NAME || (record.userName === DEFAULT_USER_NAME && inGroup)) {
      throw new ServiceError(
        'DefaultUserAssociatedToUserGroupFault',
        `User ${id} is a default user associated to a user group and cannot be deleted.`,
      );
    }
    if (record.status !== 'active') {
      throw new ServiceError('InvalidUserStateFault', `User ${id} has status ${record.status}.`);
    }
    record.status = 'deleting';
    record.period.extend(this.delays.statusDelayMs, () => this.remove(record));
    return view(record);
  }

  get(engine: Engine, id: string): UserState | undefined {
    const record = this.users.get(key(engine, id));
    return record === undefined ? undefined : view(record);
  }

  /** All users of the engine, in creation order. */
  list(engine: Engine): UserState[] {
    return this.describe(engine);
  }

  tagsOf(engine: Engine, id: string): Tags | undefined {
    return this.users.get(key(engine, id))?.tags;
  }

  /** The user's tags, for the services' tag operations: the user must exist. */
  tagged(engine: Engine, id: string): TaggedResource {
    return taggable(this.require(engine, id));
  }

  /** All users of the engine, or only `id`, which must exist. */
  describe(engine: Engine, id?: string): UserState[] {
    if (id !== undefined) {
      return [view(this.require(engine, id))];
    }
    return [...this.users.values()].filter((record) => record.engine === engine).map(view);
  }

  modify(engine: Engine, id: string, change: UserChange): UserState {
    const record = this.require(engine, id);
    const next = resolveChange(record, change);
    if (record.status !== 'active') {
      throw new ServiceError('InvalidUserStateFault', `User ${id} has status ${record.status}.`);
    }
    Object.assign(record, next);
    this.markModifying(record, this.delays.statusDelayMs);
    const passwords = aclPasswords(next.authType, next.passwords);
    this.schedule(record, 'passwords', this.delays.propagationDelayMs, () =>
      this.redis.setPasswords(record.userName, passwords),
    );
    return view(record);
  }

  setStatus(engine: Engine, id: string, status: UserStatus): void {
    const record = this.require(engine, id);
    record.period.cancel();
    record.status = status;
  }

  holdModifying(engine: Engine, id: string, ms: number): void {
    this.markModifying(this.require(engine, id), ms);
  }

  /**
   * A group change touching the user has taken effect: from now on membership governs its login, and redis
   * follows `isMember` after the propagation delay. With `now`, redis follows before this resolves.
   */
  async followMembership(engine: Engine, id: string, isMember: boolean, now = false): Promise<void> {
    const record = this.require(engine, id);
    record.governed = true;
    if (record.loginAllowed === isMember) {
      return;
    }
    record.loginAllowed = isMember;
    // An access string without `on` keeps the user off, as it does in redis.
    const enabled = isMember && accessOn(record.accessString);
    const apply = async () => {
      await this.redis.setEnabled(record.userName, enabled);
      // Removing a user from a group closes its open connections, as on AWS.
      if (!isMember) {
        await this.redis.disconnect(record.userName);
      }
    };
    if (now) {
      await this.propagate(record, 'login', ++record.lanes.login.changes, apply, true);
    } else {
      this.schedule(record, 'login', this.delays.propagationDelayMs, apply);
    }
  }

  setDelays(delays: Partial<Delays>): void {
    this.delays = { ...this.delays, ...delays };
  }

  /** Cancels pending changes, waits for those already sent to redis and reports any that failed. */
  async stop(): Promise<void> {
    this.timers.clear();
    await Promise.all(this.propagations);
    if (this.failures.length > 0) {
      throw new AggregateError(this.failures, 'Propagating changes to redis failed');
    }
  }

  private newRecord(
    fields: Omit<UserRecord, 'inRedis' | 'period' | 'loginAllowed' | 'gone' | 'lanes'>,
  ): UserRecord {
    return {
      ...fields,
      // A user named `default` lives in the model only (see NewUser.userName).
      inRedis: fields.userName !== DEFAULT_USER_NAME,
      period: new ModifyingPeriod(this.timers),
      // Nobody is a member of a group the moment it is created.
      loginAllowed: !fields.governed,
      gone: false,
      lanes: { passwords: { changes: 0, propagated: 0 }, login: { changes: 0, propagated: 0 } },
    };
  }

  private async insert(record: UserRecord): Promise<void> {
    if (record.inRedis) {
      await this.redis.createUser(record.userName, aclPasswords(record.authType, record.passwords), {
        enabled: record.loginAllowed && accessOn(record.accessString),
        rules: aclRules(record.accessString),
      });
    }
    this.users.set(key(record.engine, record.id), record);
  }

  /** Why `userName` cannot be one more ACL user, if it cannot: the names must stay unique across the model. */
  private redisNameClash(userName: string): string | undefined {
    const clash = [...this.users.values()].find((other) => other.inRedis && other.userName === userName);
    return userName !== DEFAULT_USER_NAME && clash !== undefined
      ? `redis user ${userName} already belongs to ${clash.engine} user ${clash.id}`
      : undefined;
  }

  // Deleting the ACL user also closes its connections in redis. Failures are reported at stop().
  private remove(record: UserRecord): void {
    this.users.delete(key(record.engine, record.id));
    record.gone = true;
    if (!record.inRedis) {
      return;
    }
    const task: Promise<void> = this.redis
      .deleteUser(record.userName)
      .catch((error: unknown) => {
        this.failures.push(error);
      })
      .finally(() => this.propagations.delete(task));
    this.propagations.add(task);
  }

  private require(engine: Engine, id: string): UserRecord {
    const record = this.users.get(key(engine, id));
    if (record === undefined) {
      throw new ServiceError('UserNotFoundFault', `User ${id} not found.`);
    }
    return record;
  }

  private markModifying(record: UserRecord, ms: number): void {
    record.status = 'modifying';
    record.period.extend(ms, () => {
      record.status = 'active';
    });
  }

  private schedule(record: UserRecord, lane: Lane, delayMs: number, apply: () => Promise<void>): void {
    const sequence = ++record.lanes[lane].changes;
    this.timers.after(delayMs, () => {
      void this.propagate(record, lane, sequence, apply, false);
    });
  }

  // A change overtaken by a later one that already reached redis is dropped. Scheduled changes report
  // failures at stop(); an immediate one (test set-up) fails its caller.
  private async propagate(
    record: UserRecord,
    lane: Lane,
    sequence: number,
    apply: () => Promise<void>,
    immediate: boolean,
  ): Promise<void> {
    const state = record.lanes[lane];
    if (sequence <= state.propagated || !record.inRedis || record.gone) {
      return;
    }
    state.propagated = sequence;
    if (immediate) {
      await apply();
      return;
    }
    const task: Promise<void> = apply()
      .catch((error: unknown) => {
        this.failures.push(error);
      })
      .finally(() => this.propagations.delete(task));
    this.propagations.add(task);
    await task;
  }
}

/**
 * Checks an ElastiCache UserId or UserGroupId, or a MemoryDB user or ACL name, and returns it as both services
 * store it: lowercase.
 */
export function resourceName(param: string, value: string): string {
  if (!RESOURCE_NAME.test(value) || value.includes('--') || value.endsWith('-')) {
    throw new ServiceError(
      'InvalidParameterValueException',
      `${param} ${value} is not valid: it must start with a letter, hold only letters, digits and hyphens, have at most 40 characters, and neither hold two hyphens in a row nor end with one.`,
    );
  }
  return value.toLowerCase();
}

/** Maps ElastiCache's spelling of an engine, in any case; MemoryDB takes none. */
export function serverEngineFrom(value: string): ServerEngine {
  const engine = value.toLowerCase();
  if (engine !== 'redis' && engine !== 'valkey') {
    throw new ServiceError(
      'InvalidParameterValueException',
      `Engine ${value} is not valid; use redis or valkey.`,
    );
  }
  return engine;
}

/** A request's tags, each with a key; the service module reads them the way its protocol lists them. */
export function tagsFrom(items: readonly { key?: string; value?: string }[]): Tags {
  return Object.fromEntries(
    items.map((item, index) => {
      if (item.key === undefined || item.key === '') {
        throw new ServiceError('InvalidParameterValueException', `Tag ${index + 1} has no Key.`);
      }
      return [item.key, item.value ?? ''];
    }),
  );
}

/** Tags as both services list them. */
export function tagList(tags: Tags): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** Maps a service's spelling of the authentication type; an unknown one is the caller's error. */
export function authTypeFrom(
  value: string | undefined,
  accepted: Readonly<Record<string, AuthType>>,
): AuthType | undefined {
  if (value === undefined) {
    return undefined;
  }
  const authType = accepted[value];
  if (authType === undefined) {
    throw new ServiceError(
      'InvalidParameterValueException',
      `Authentication type ${value} is not valid; use one of: ${Object.keys(accepted).join(', ')}.`,
    );
  }
  return authType;
}

type ResolvedChange = Pick<UserRecord, 'authType' | 'passwords' | 'accessString'>;

function resolveChange(record: UserRecord, change: UserChange): ResolvedChange {
  if (change.authType === undefined && change.passwords === undefined && change.accessString === undefined) {
    throw new ServiceError('InvalidParameterCombinationException', 'No modifications were requested.');
  }
  const authType = change.authType ?? (change.passwords === undefined ? record.authType : 'password');
  const accessString = change.accessString ?? record.accessString;
  if (authType !== 'password') {
    if ((change.passwords ?? []).length > 0) {
      throw new ServiceError(
        'InvalidParameterCombinationException',
        `Passwords cannot be set with authentication type ${authType}.`,
      );
    }
    return { authType, passwords: [], accessString };
  }
  const passwords = change.passwords ?? record.passwords;
  checkPasswords(passwords);
  return { authType, passwords: [...passwords], accessString };
}

// Messages name the position and the rule, never the value.
function checkPasswords(passwords: readonly string[]): void {
  if (passwords.length === 0 || passwords.length > MAX_PASSWORDS) {
    throw new ServiceError(
      'InvalidParameterValueException',
      `A user must have 1 to ${MAX_PASSWORDS} passwords; the request has ${passwords.length}.`,
    );
  }
  passwords.forEach((password, index) => {
    if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
      throw new ServiceError(
        'InvalidParameterValueException',
        `Password ${index + 1} has ${password.length} characters; passwords must have ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH}.`,
      );
    }
    if (!PRINTABLE_ASCII.test(password) || FORBIDDEN_CHARACTERS.test(password)) {
      throw new ServiceError(
        'InvalidParameterValueException',
        `Password ${index + 1} has a character that is not allowed; use printable ASCII without , " / @.`,
      );
    }
  });
}

/**
 * The access string as redis ACL rules for `createUser`: `on`/`off` left to the login state, and no rule that
 * sets a password or resets the user.
 */
function aclRules(accessString: string): string[] {
  const rules = accessString.split(/\s+/).filter((rule) => rule !== '');
  if (rules.length === 0) {
    throw new ServiceError('InvalidParameterValueException', 'The access string must not be empty.');
  }
  const refused = rules.findIndex((rule) => PASSWORD_RULES.test(rule));
  if (refused >= 0) {
    throw new ServiceError(
      'InvalidParameterValueException',
      `Access string rule ${refused + 1} sets a password or resets the user; give passwords in their own parameter.`,
    );
  }
  return rules.filter((rule) => rule !== 'on' && rule !== 'off');
}

/** Whether the access string turns the user on: the last of `on`/`off` wins; neither leaves it off. */
function accessOn(accessString: string): boolean {
  const states = accessString.split(/\s+/).filter((rule) => rule === 'on' || rule === 'off');
  return states.at(-1) === 'on';
}

// IAM tokens and password-less logins are outside what the harness emulates: such users exist in redis
// but cannot AUTH there.
function aclPasswords(authType: AuthType, passwords: readonly string[]): readonly string[] {
  return authType === 'password' ? passwords : [];
}

function key(engine: Engine, id: string): string {
  return `${engine}:${id}`;
}

function view(record: UserRecord): UserState {
  return {
    engine: record.engine,
    id: record.id,
    userName: record.userName,
    status: record.status,
    authType: record.authType,
    passwordCount: record.passwords.length,
    accessString: record.accessString,
    governedByGroups: record.governed,
    loginAllowed: record.loginAllowed,
    serverEngine: record.serverEngine,
  };
}

import { AclRefusedError } from '../../redis/server';
import { type TaggedResource, type Tags, taggable } from '../tags/store';
import { ModifyingPeriod, Timers } from '../timers';
import { ServiceError } from '../wire/errors';
import { type AclDirectory, AclMirror, type MirroredUser, newMirrorState } from './acl-mirror';
import { aclRules, checkPasswords, resolveChange } from './rules';
import {
  type AuthType,
  DEFAULT_USER_NAME,
  type Delays,
  type Engine,
  type NewUser,
  type ServerEngine,
  type UserChange,
  type UserHarness,
  type UserRequest,
  type UserState,
  type UserStatus,
} from './types';

interface UserRecord extends MirroredUser {
  readonly engine: Engine;
  readonly id: string;
  status: UserStatus;
  readonly period: ModifyingPeriod;
  authType: AuthType;
  passwords: readonly string[];
  accessString: string;
  governed: boolean;
  loginAllowed: boolean;
  readonly serverEngine: ServerEngine;
  tags: Tags;
}

/** The user model both ElastiCache and MemoryDB serve, backed by ACL users in one redis-server. */
export class UserStore implements UserHarness {
  private readonly users = new Map<string, UserRecord>();
  private readonly timers = new Timers();
  private readonly redis: AclMirror;
  private delays: Delays;

  constructor(redis: AclDirectory, delays: Delays) {
    this.redis = new AclMirror(redis, this.timers);
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
    record.period.extend(this.delays.statusDelayMs, () => {
      this.users.delete(key(record.engine, record.id));
      this.redis.delete(record);
    });
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
    this.redis.passwordsChanged(record, this.delays.propagationDelayMs);
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
    await this.redis.loginChanged(record, this.delays.propagationDelayMs, now);
  }

  setDelays(delays: Partial<Delays>): void {
    this.delays = { ...this.delays, ...delays };
  }

  /** Cancels pending changes, waits for those already sent to redis and reports any that failed. */
  async stop(): Promise<void> {
    this.timers.clear();
    await this.redis.settle();
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
      ...newMirrorState(),
    };
  }

  private async insert(record: UserRecord): Promise<void> {
    await this.redis.create(record);
    this.users.set(key(record.engine, record.id), record);
  }

  /** Why `userName` cannot be one more ACL user, if it cannot: the names must stay unique across the model. */
  private redisNameClash(userName: string): string | undefined {
    const clash = [...this.users.values()].find((other) => other.inRedis && other.userName === userName);
    return userName !== DEFAULT_USER_NAME && clash !== undefined
      ? `redis user ${userName} already belongs to ${clash.engine} user ${clash.id}`
      : undefined;
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

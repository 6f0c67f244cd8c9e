import type { RedisServer } from '../redis/server';
import { ModifyingPeriod, Timers } from './timers';
import { type Fault, ServiceError } from './wire';

export type Engine = 'elasticache' | 'memorydb';
export type UserStatus = 'active' | 'modifying' | 'deleting';
export type AuthType = 'password' | 'no-password' | 'iam';

/** Both services name these faults alike and give them the same awsQuery codes. */
export const USER_FAULTS: readonly Fault[] = [
  { shape: 'UserNotFoundFault', queryCode: 'UserNotFound', status: 404 },
  { shape: 'InvalidUserStateFault', queryCode: 'InvalidUserState', status: 400 },
  { shape: 'InvalidParameterValueException', queryCode: 'InvalidParameterValue', status: 400 },
  { shape: 'InvalidParameterCombinationException', queryCode: 'InvalidParameterCombination', status: 400 },
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
}

export interface UserChange {
  readonly authType?: AuthType;
  /** Replaces the whole set, as both services do. */
  readonly passwords?: readonly string[];
  readonly accessString?: string;
}

export interface Delays {
  /** How long a modified user stays `modifying`. */
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
  /** Pins the status until changed again, cancelling any pending return to `active`. */
  setStatus(engine: Engine, id: string, status: UserStatus): void;
  /** Puts the user in `modifying` for `ms`, as a group change touching it would. */
  holdModifying(engine: Engine, id: string, ms: number): void;
}

export type AclDirectory = Pick<RedisServer, 'createUser' | 'setPasswords' | 'setEnabled' | 'disconnect'>;

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
    const inRedis = userName !== DEFAULT_USER_NAME;
    // One redis-server stands in for every cache, so ACL user names must stay unique across the model.
    const clash = [...this.users.values()].find((other) => other.inRedis && other.userName === userName);
    if (inRedis && clash !== undefined) {
      throw new Error(`redis user ${userName} already belongs to ${clash.engine} user ${clash.id}`);
    }
    const governed = user.governedByGroups ?? false;
    const record: UserRecord = {
      engine: user.engine,
      id: user.id,
      userName,
      inRedis,
      status: 'active',
      period: new ModifyingPeriod(this.timers),
      authType: user.authType ?? 'password',
      passwords: [...user.passwords],
      accessString: user.accessString ?? 'on ~* &* +@all',
      governed,
      // Nobody is a member of a group the moment it is created.
      loginAllowed: !governed,
      lanes: { passwords: { changes: 0, propagated: 0 }, login: { changes: 0, propagated: 0 } },
    };
    if (inRedis) {
      await this.redis.createUser(userName, aclPasswords(record.authType, record.passwords), {
        enabled: record.loginAllowed,
      });
    }
    this.users.set(key(user.engine, user.id), record);
    return view(record);
  }

  get(engine: Engine, id: string): UserState | undefined {
    const record = this.users.get(key(engine, id));
    return record === undefined ? undefined : view(record);
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
    const apply = async () => {
      await this.redis.setEnabled(record.userName, isMember);
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
    if (sequence <= state.propagated || !record.inRedis) {
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
  };
}

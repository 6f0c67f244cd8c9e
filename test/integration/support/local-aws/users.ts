import type { RedisServer } from '../redis-server';
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
  /** The name redis knows the user by; ElastiCache lets it differ from the id, MemoryDB does not. */
  readonly userName?: string;
  readonly passwords: readonly string[];
  /** @default 'password' */
  readonly authType?: AuthType;
  /** @default 'on ~* &* +@all' */
  readonly accessString?: string;
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
  /** How long new passwords take to reach redis; independent of the status, as on AWS. */
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

export type AclDirectory = Pick<RedisServer, 'createUser' | 'setPasswords'>;

interface UserRecord {
  readonly engine: Engine;
  readonly id: string;
  readonly userName: string;
  status: UserStatus;
  authType: AuthType;
  passwords: readonly string[];
  accessString: string;
  modifyingUntil: number;
  statusTimer: NodeJS.Timeout | undefined;
  /** Accepted modifications so far, and the latest one redis has seen: delays may reorder them. */
  changes: number;
  propagated: number;
}

const MIN_PASSWORD_LENGTH = 16;
const MAX_PASSWORD_LENGTH = 128;
const MAX_PASSWORDS = 2;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const FORBIDDEN_CHARACTERS = /[,"/@]/;

/** The user model both ElastiCache and MemoryDB serve, backed by ACL users in one redis-server. */
export class UserStore implements UserHarness {
  private readonly users = new Map<string, UserRecord>();
  private readonly timers = new Set<NodeJS.Timeout>();
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
    // One redis-server stands in for every cache, so ACL user names must stay unique across the model.
    const clash = [...this.users.values()].find((other) => other.userName === userName);
    if (clash !== undefined) {
      throw new Error(`redis user ${userName} already belongs to ${clash.engine} user ${clash.id}`);
    }
    const record: UserRecord = {
      engine: user.engine,
      id: user.id,
      userName,
      status: 'active',
      authType: user.authType ?? 'password',
      passwords: [...user.passwords],
      accessString: user.accessString ?? 'on ~* &* +@all',
      modifyingUntil: 0,
      statusTimer: undefined,
      changes: 0,
      propagated: 0,
    };
    await this.redis.createUser(userName, aclPasswords(record.authType, record.passwords));
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
    record.changes += 1;
    this.markModifying(record, this.delays.statusDelayMs);
    const sequence = record.changes;
    this.after(this.delays.propagationDelayMs, () => this.propagate(record, sequence, next));
    return view(record);
  }

  setStatus(engine: Engine, id: string, status: UserStatus): void {
    const record = this.require(engine, id);
    this.cancel(record.statusTimer);
    record.statusTimer = undefined;
    record.modifyingUntil = 0;
    record.status = status;
  }

  holdModifying(engine: Engine, id: string, ms: number): void {
    this.markModifying(this.require(engine, id), ms);
  }

  setDelays(delays: Partial<Delays>): void {
    this.delays = { ...this.delays, ...delays };
  }

  /** Cancels pending changes, waits for those already sent to redis and reports any that failed. */
  async stop(): Promise<void> {
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
    await Promise.all(this.propagations);
    if (this.failures.length > 0) {
      throw new AggregateError(this.failures, 'Propagating passwords to redis failed');
    }
  }

  private require(engine: Engine, id: string): UserRecord {
    const record = this.users.get(key(engine, id));
    if (record === undefined) {
      throw new ServiceError('UserNotFoundFault', `User ${id} not found.`);
    }
    return record;
  }

  // Overlapping modifications and holds keep the user `modifying` until the last of them ends.
  private markModifying(record: UserRecord, ms: number): void {
    record.status = 'modifying';
    record.modifyingUntil = Math.max(record.modifyingUntil, Date.now() + ms);
    this.cancel(record.statusTimer);
    record.statusTimer = this.after(record.modifyingUntil - Date.now(), () => {
      record.status = 'active';
      record.statusTimer = undefined;
    });
  }

  private propagate(record: UserRecord, sequence: number, next: ResolvedChange): void {
    if (sequence <= record.propagated) {
      return;
    }
    record.propagated = sequence;
    const task: Promise<void> = this.redis
      .setPasswords(record.userName, aclPasswords(next.authType, next.passwords))
      .catch((error: unknown) => {
        this.failures.push(error);
      })
      .finally(() => this.propagations.delete(task));
    this.propagations.add(task);
  }

  private after(ms: number, action: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private cancel(timer: NodeJS.Timeout | undefined): void {
    if (timer !== undefined) {
      clearTimeout(timer);
      this.timers.delete(timer);
    }
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
  };
}

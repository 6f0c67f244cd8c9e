import type { Tags } from '../tags/store';
import type { Fault } from '../wire/errors';

/** The UserName AWS gives the user every ElastiCache user group must hold, and MemoryDB's built-in user. */
export const DEFAULT_USER_NAME = 'default';

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

/** The faults of users' rules and store; both services name them alike and give them the same awsQuery codes. */
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

import type { CacheUserRef, Engine } from '../arn';
import type { Deadline } from '../deadline';
import type { Endpoint } from './targets';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';

export interface SecretVersions {
  readonly rotationEnabled: boolean;
  /** Version id → staging labels, as DescribeSecret reports them. */
  readonly stagesByVersion: ReadonlyMap<string, readonly string[]>;
}

export interface SecretStore {
  describe(secretId: string): Promise<SecretVersions>;
  getCurrent(secretId: string): Promise<string>;
  /** The value stored under the token, or `undefined` while the token's version is still empty. */
  getPending(secretId: string, token: string): Promise<string | undefined>;
  putPending(secretId: string, token: string, value: string): Promise<void>;
  moveStage(secretId: string, stage: string, move: { to?: string; from?: string }): Promise<void>;
}

export type UserStatus = 'active' | 'modifying' | 'deleting' | (string & {});

export interface CacheUserState {
  readonly userName: string;
  readonly status: UserStatus;
  /** `password`, `no-password`/`no-password-required` or `iam`, as the engine reports it. */
  readonly authenticationType: string;
}

/** One engine's user API. Adapters translate the engine's state fault into UserBusyError. */
export interface UserDirectory {
  describe(user: CacheUserRef): Promise<CacheUserState | undefined>;
  /** Replaces the user's password set with `passwords` (at most two). */
  setPasswords(user: CacheUserRef, passwords: readonly string[]): Promise<void>;
}

export type UserDirectories = Readonly<Record<Engine, UserDirectory>>;

/** Proves a username/password pair works against the cache; throws CredentialRejectedError or EndpointUnreachableError. */
export interface CredentialCheck {
  authenticate(endpoint: Endpoint, username: string, password: string, deadline: Deadline): Promise<void>;
}

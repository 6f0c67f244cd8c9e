import type { Deadline } from '#core/runtime/deadline';
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

/** Proves a username/password pair works against the cache; throws CredentialRejectedError or EndpointUnreachableError. */
export interface CredentialCheck {
  authenticate(endpoint: Endpoint, username: string, password: string, deadline: Deadline): Promise<void>;
}

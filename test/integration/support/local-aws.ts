import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Call, CallLog, FaultPlan } from './local-aws/calls';
import { createDispatcher } from './local-aws/dispatch';
import { elastiCacheUsers } from './local-aws/elasticache';
import { memoryDbUsers } from './local-aws/memorydb';
import { SecretStore, type SecretsHarness } from './local-aws/secrets-manager';
import { type Delays, type UserHarness, UserStore } from './local-aws/users';
import type { ServiceName } from './local-aws/wire';
import type { RedisServer } from './redis-server';

export type { Call } from './local-aws/calls';
export type { SecretsHarness } from './local-aws/secrets-manager';
export type { AuthType, Engine, NewUser, UserHarness, UserState, UserStatus } from './local-aws/users';
export type { ServiceName } from './local-aws/wire';

const REGION = 'eu-west-1';

export interface LocalAwsOptions {
  /** Where modelled users live as ACL users. */
  readonly redis: RedisServer;
  /** @default 0 */
  readonly statusDelayMs?: number;
  /** @default 0 */
  readonly propagationDelayMs?: number;
  /** Added before every response. @default 0 */
  readonly latencyMs?: number;
}

export interface LocalAwsEnv {
  readonly AWS_ENDPOINT_URL_SECRETS_MANAGER: string;
  readonly AWS_ENDPOINT_URL_ELASTICACHE: string;
  readonly AWS_ENDPOINT_URL_MEMORYDB: string;
  readonly AWS_ACCESS_KEY_ID: string;
  readonly AWS_SECRET_ACCESS_KEY: string;
  readonly AWS_REGION: string;
}

export interface LocalAws {
  readonly url: string;
  readonly secrets: SecretsHarness;
  readonly users: UserHarness;
  /** Every request so far, oldest first, with only non-secret parameters. */
  readonly calls: readonly Call[];
  /** Calls of one operation; give the service where two share a name (`DescribeUsers`). */
  callsOf(operation: string, service?: ServiceName): Call[];
  /**
   * Fails the next `times` calls of `operation` with `code` before they touch any state. The code may be
   * the SDK's exception name or the awsQuery code (`InvalidUserStateFault` or `InvalidUserState`).
   */
  failNext(operation: string, code: string, times?: number, service?: ServiceName): void;
  setDelays(delays: Partial<Delays>): void;
  /** Variables that point unmodified SDK v3 clients at this endpoint with fake credentials. */
  env(): LocalAwsEnv;
  stop(): Promise<void>;
}

/** Starts an HTTP endpoint on a random loopback port that speaks Secrets Manager, ElastiCache and MemoryDB. */
export async function startLocalAws(opts: LocalAwsOptions): Promise<LocalAws> {
  const users = new UserStore(opts.redis, {
    statusDelayMs: opts.statusDelayMs ?? 0,
    propagationDelayMs: opts.propagationDelayMs ?? 0,
  });
  const secrets = new SecretStore();
  const calls = new CallLog();
  const faults = new FaultPlan();
  const stopping = new AbortController();
  const server = createServer(
    createDispatcher({
      modules: [secrets.module, elastiCacheUsers(users), memoryDbUsers(users)],
      calls,
      faults,
      latencyMs: opts.latencyMs ?? 0,
      defaultRegion: REGION,
      signal: stopping.signal,
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    secrets,
    users,
    get calls() {
      return calls.calls;
    },
    callsOf: (operation, service) => calls.of(operation, service),
    failNext: (operation, code, times = 1, service = undefined) =>
      faults.add(operation, code, times, service),
    setDelays: (delays) => users.setDelays(delays),
    env: () => ({
      AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
      AWS_ENDPOINT_URL_ELASTICACHE: url,
      AWS_ENDPOINT_URL_MEMORYDB: url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: REGION,
    }),
    stop: async () => {
      stopping.abort();
      // SDK clients keep connections alive; close() alone would wait for them.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      await users.stop();
    },
  };
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, ErrorReply } from '@redis/client';
import { type Certificates, createCertificates } from './certificates';
import { HOST, type Spawned, spawnOnFreePort, terminate } from './process';

export interface RedisServer {
  readonly host: typeof HOST;
  /** The TLS port; the plain-text port is disabled, as on ElastiCache and MemoryDB with RBAC. */
  readonly port: number;
  readonly caFile: string;
  readonly caPem: string;
  readonly pid: number;
  /** Creates (or resets) an ACL user with the given passwords and, unless `opts.rules` says otherwise, full access. */
  createUser(name: string, passwords: readonly string[], opts?: NewAclUserOptions): Promise<void>;
  /** Replaces the user's whole password set, like ElastiCache and MemoryDB do. */
  setPasswords(name: string, passwords: readonly string[]): Promise<void>;
  setEnabled(name: string, enabled: boolean): Promise<void>;
  /** Closes every open connection authenticated as the user, as removing it from a user group does on AWS. */
  disconnect(name: string): Promise<void>;
  deleteUser(name: string): Promise<void>;
  /**
   * Opens a fresh TLS connection and tries `AUTH username password` + `PING`.
   * Resolves false when redis refuses the credentials; rejects on any other failure.
   */
  authenticates(username: string, password: string): Promise<boolean>;
  /** Kills the server by its PID, waits for it to exit and deletes its directory. */
  stop(): Promise<void>;
}

export interface NewAclUserOptions {
  /** @default true */
  readonly enabled?: boolean;
  /**
   * ACL rules for what the user may reach (keys, channels, commands), applied after `reset`; `on`/`off` and
   * password rules belong to `enabled` and `passwords`.
   * @default ['~*', '&*', '+@all']
   */
  readonly rules?: readonly string[];
}

/** Redis refused an ACL command, for instance a rule it does not know; the message never holds a password. */
export class AclRefusedError extends Error {
  override readonly name = 'AclRefusedError';
}

const FULL_ACCESS = ['~*', '&*', '+@all'] as const;

type RedisClient = ReturnType<typeof createTlsClient>;

/** Starts a TLS-only redis-server on a random loopback port, in its own temporary directory. */
export async function startRedis(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-harness-'));
  try {
    const certs = await createCertificates(dir);
    const server = await spawnOnFreePort(dir, certs);
    try {
      const admin = await connectClient(server.port, certs.caPem);
      return new LocalRedisServer(dir, certs, server, admin);
    } catch (error) {
      await terminate(server);
      throw error;
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

class LocalRedisServer implements RedisServer {
  readonly host = HOST;
  readonly port: number;
  readonly caFile: string;
  readonly caPem: string;
  readonly pid: number;

  constructor(
    private readonly dir: string,
    certs: Certificates,
    private readonly server: Spawned,
    private readonly admin: RedisClient,
  ) {
    this.port = server.port;
    this.pid = server.pid;
    this.caFile = certs.caFile;
    this.caPem = certs.caPem;
  }

  async createUser(name: string, passwords: readonly string[], opts: NewAclUserOptions = {}) {
    const state = (opts.enabled ?? true) ? 'on' : 'off';
    const rules = opts.rules ?? FULL_ACCESS;
    await this.acl(['SETUSER', name, 'reset', state, ...rules, ...toRules(passwords)], passwords);
  }

  async setPasswords(name: string, passwords: readonly string[]) {
    await this.acl(['SETUSER', name, 'resetpass', ...toRules(passwords)], passwords);
  }

  async setEnabled(name: string, enabled: boolean) {
    await this.acl(['SETUSER', name, enabled ? 'on' : 'off'], []);
  }

  async disconnect(name: string) {
    try {
      await this.admin.sendCommand(['CLIENT', 'KILL', 'USER', name]);
    } catch (error) {
      throw new Error(
        `CLIENT KILL USER ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async deleteUser(name: string) {
    await this.acl(['DELUSER', name], []);
  }

  async authenticates(username: string, password: string): Promise<boolean> {
    const client = await connectClient(this.port, this.caPem);
    try {
      await client.sendCommand(['AUTH', username, password]);
      const reply = await client.ping();
      if (reply !== 'PONG') {
        throw new Error(`PING after AUTH as ${username} answered ${String(reply)}, expected PONG`);
      }
      return true;
    } catch (error) {
      if (error instanceof ErrorReply && /^(WRONGPASS|NOAUTH)/.test(error.message)) {
        return false;
      }
      throw error;
    } finally {
      client.destroy();
    }
  }

  async stop() {
    this.admin.destroy();
    await terminate(this.server);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async acl(args: readonly string[], passwords: readonly string[]) {
    try {
      await this.admin.sendCommand(['ACL', ...args]);
    } catch (error) {
      // Redis echoes a rejected rule back in its message, and a rule can be a password.
      const reason = redact(error instanceof Error ? error.message : String(error), passwords);
      const message = `ACL ${args[0]} ${args[1]} failed: ${reason}`;
      throw error instanceof ErrorReply ? new AclRefusedError(message) : new Error(message);
    }
  }
}

function toRules(passwords: readonly string[]): string[] {
  return passwords.map((password) => `>${password}`);
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((result, secret) => result.split(secret).join('***'), text);
}

function createTlsClient(port: number, caPem: string) {
  return createClient({
    socket: { host: HOST, port, tls: true, ca: caPem, reconnectStrategy: false, connectTimeout: 5_000 },
  });
}

async function connectClient(port: number, caPem: string): Promise<RedisClient> {
  const client = createTlsClient(port, caPem);
  // Without a listener an 'error' event would crash the test process; failures still reject the command.
  client.on('error', () => {});
  await client.connect();
  return client;
}

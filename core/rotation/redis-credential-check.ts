import { createClient } from '@redis/client';
import type { Deadline } from '#core/runtime/deadline';
import { CredentialRejectedError, EndpointUnreachableError } from '#core/runtime/errors';
import type { CredentialCheck } from './ports';
import type { Endpoint } from './targets';

/** Replies a server gives when the credentials, not the network, are the problem. */
const AUTH_REPLY = /^(WRONGPASS|NOAUTH|NOPERM)\b/;
/** One attempt (connect, AUTH, PING) may take this long; retries happen in the caller. */
const ATTEMPT_TIMEOUT_MS = 5_000;

/** Opens a fresh connection, authenticates and sends PING: exactly what a new client will do. */
export class RedisCredentialCheck implements CredentialCheck {
  async authenticate(
    endpoint: Endpoint,
    username: string,
    password: string,
    deadline: Deadline,
  ): Promise<void> {
    const where = `${endpoint.host}:${endpoint.port}`;
    const timeoutMs = Math.max(1, Math.min(ATTEMPT_TIMEOUT_MS, deadline.remainingMs()));
    const connectTimeout = timeoutMs;
    const socket = endpoint.tls
      ? { host: endpoint.host, port: endpoint.port, tls: true as const, connectTimeout }
      : { host: endpoint.host, port: endpoint.port, connectTimeout };
    const client = createClient({
      socket: { ...socket, reconnectStrategy: false },
      username,
      password,
      disableOfflineQueue: true,
    });
    // Without a listener a socket error would crash the process instead of failing this attempt.
    client.on('error', () => {});
    let timer: NodeJS.Timeout | undefined;
    // A server that accepts the connection and never answers must not hold the step until Lambda kills it.
    const silence = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new EndpointUnreachableError(`${where} did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([client.connect().then(() => client.ping()), silence]);
    } catch (error) {
      if (error instanceof EndpointUnreachableError) throw error;
      const reply = error instanceof Error ? error.message : String(error);
      if (AUTH_REPLY.test(reply)) {
        throw new CredentialRejectedError(`${where} rejected user '${username}': ${reply.split(' ')[0]}`, {
          cause: error,
        });
      }
      throw new EndpointUnreachableError(`could not authenticate at ${where}: ${reply}`, { cause: error });
    } finally {
      clearTimeout(timer);
      if (client.isOpen) client.destroy();
    }
  }
}

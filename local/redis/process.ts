import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import type { Certificates } from './certificates';

export const HOST = '127.0.0.1';
const START_ATTEMPTS = 5;
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

type Exit = { readonly error: Error } | { readonly code: number | null };

/** A redis-server process this harness started, and how it ended once it has. */
export interface Spawned {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  readonly exited: Promise<Exit>;
}

/** Starts redis-server with TLS only on a free loopback port, in `dir`, and waits until it accepts TLS. */
export async function spawnOnFreePort(dir: string, certs: Certificates): Promise<Spawned> {
  const logFile = join(dir, 'redis.log');
  for (let attempt = 1; ; attempt++) {
    // Another process can take the port between our probe and redis binding it; redis then exits.
    const port = await freePort();
    const server = spawnRedis(port, dir, logFile, certs);
    const outcome = await waitUntilReady(server, certs.caPem);
    if (outcome === 'ready') {
      return server;
    }
    const log = await readFile(logFile, 'utf8').catch(() => '');
    if (!log.includes('Address already in use') || attempt === START_ATTEMPTS) {
      throw new Error(`redis-server exited during start-up:\n${log.split('\n').slice(-20).join('\n')}`);
    }
  }
}

function spawnRedis(port: number, dir: string, logFile: string, certs: Certificates): Spawned {
  const args = [
    ['--port', '0'],
    ['--tls-port', String(port)],
    ['--bind', HOST],
    ['--tls-cert-file', certs.certFile],
    ['--tls-key-file', certs.keyFile],
    ['--tls-ca-cert-file', certs.caFile],
    ['--tls-auth-clients', 'no'],
    ['--save', ''],
    ['--appendonly', 'no'],
    ['--dir', dir],
    ['--logfile', logFile],
  ].flat();
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const exited = new Promise<Exit>((resolve) => {
    child.once('error', (error) => resolve({ error }));
    child.once('exit', (code) => resolve({ code }));
  });
  return { child, pid: child.pid ?? -1, port, exited };
}

async function waitUntilReady(server: Spawned, caPem: string): Promise<'ready' | 'exited'> {
  const exited = server.exited.then((exit) => {
    if ('error' in exit) {
      throw (exit.error as NodeJS.ErrnoException).code === 'ENOENT'
        ? new Error('redis-server not found on PATH; install it with: apt-get install -y redis-server')
        : exit.error;
    }
    return 'exited' as const;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const outcome = await Promise.race([exited, tlsHandshake(server.port, caPem)]);
    if (outcome === 'exited') {
      return outcome;
    }
    if (outcome) {
      return 'ready';
    }
    await Promise.race([exited, sleep(50)]);
  }
  await terminate(server);
  throw new Error(
    `redis-server did not accept TLS connections on port ${server.port} within ${READY_TIMEOUT_MS} ms`,
  );
}

function tlsHandshake(port: number, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: HOST, port, ca }, () => {
      socket.end();
      resolve(true);
    });
    // Whatever else might answer on the port must not stall the start-up.
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Stops the server by its own PID: SIGTERM, then SIGKILL if it has not exited in time. */
export async function terminate(server: Spawned): Promise<void> {
  const stillRunning = () => server.child.exitCode === null && server.child.signalCode === null;
  if (server.pid < 0 || !stillRunning()) {
    return;
  }
  process.kill(server.pid, 'SIGTERM');
  const stopped = await Promise.race([server.exited.then(() => true), sleep(STOP_TIMEOUT_MS, false)]);
  if (!stopped && stillRunning()) {
    process.kill(server.pid, 'SIGKILL');
    await server.exited;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => {
        if (address !== null && typeof address === 'object') {
          resolve(address.port);
        } else {
          reject(new Error('could not read the probe port'));
        }
      });
    });
  });
}

import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const RUNNER = fileURLToPath(new URL('./runner.mjs', import.meta.url));

/** What one invocation of the hosted function returned, or the error it ended with. */
export interface InvocationResult {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
  readonly durationMs: number;
}

/** A warm execution environment for one bundled function in its own Node process. */
export interface LambdaHost {
  invoke(event: unknown, options?: { timeoutMs?: number }): Promise<InvocationResult>;
  /** Every line the function wrote to stdout or stderr, in order. */
  readonly logs: readonly string[];
  stop(): Promise<void>;
}

/**
 * Starts the bundle with only the environment given (plus PATH), like Lambda, and waits until its
 * module has initialised. Rejects with the init error if the module throws while loading.
 */
export async function startLambda(bundle: string, env: Record<string, string>): Promise<LambdaHost> {
  const child = fork(RUNNER, [bundle], {
    env: { PATH: process.env.PATH ?? '', AWS_LAMBDA_FUNCTION_NAME: 'cache-access-test', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    execPath: process.execPath,
  });
  const logs: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      logs.push(...lines.filter((line) => line.length > 0));
    });
  }
  await waitForReady(child, logs);
  const pending = new Map<string, (invocation: InvocationResult) => void>();
  child.on('message', (message: { type: string; id: string } & InvocationResult) => {
    if (message.type === 'result') pending.get(message.id)?.(message);
  });
  return {
    logs,
    invoke(event, { timeoutMs = 900_000 } = {}) {
      const id = randomUUID();
      return new Promise((resolve) => {
        pending.set(id, resolve);
        child.send({ id, event, timeoutMs });
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function waitForReady(child: ChildProcess, logs: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('message', (message: { type: string; error?: { name: string; message: string } }) => {
      if (message.type === 'ready') resolve();
      else
        reject(new Error(`function failed to initialise: ${message.error?.name}: ${message.error?.message}`));
    });
    child.once('exit', (code) =>
      reject(new Error(`function exited with ${code} while loading:\n${logs.join('\n')}`)),
    );
  });
}

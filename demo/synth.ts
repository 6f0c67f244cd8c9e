import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Bundles } from '../local';
import { DemoError } from './waits';

const WORKER = fileURLToPath(new URL('./synth-worker.ts', import.meta.url));
const SHOWN_OUTPUT_LINES = 20;

export interface Synthesis {
  /** Where each function's bundle landed, keyed by its folder under lambdas/. */
  readonly bundles: Promise<Bundles>;
  /** Resolves to whether it was still running. */
  stop(): Promise<boolean>;
}

/**
 * Starts synthesizing the real stack in the background (it takes a few seconds of esbuild), so the
 * services can start meanwhile. Its output is kept and shown only if it fails.
 */
export function synthesizeInBackground(outdir: string): Synthesis {
  // fork reuses this process's execArgv, which carries tsx's loader, so the worker can be TypeScript.
  const child = fork(WORKER, [outdir], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  }
  const exited = once(child, 'exit');
  const bundles = new Promise<Bundles>((resolve, reject) => {
    child.once('message', (message: { bundles?: Bundles; error?: string }) => {
      if (message.bundles) resolve(message.bundles);
      else reject(new DemoError(`synthesizing the stack failed: ${message.error}${tail(output)}`));
    });
    void exited.then(([code, signal]) =>
      reject(
        new DemoError(
          `synthesis stopped (${signal ?? `exit code ${code}`}) before it finished${tail(output)}`,
        ),
      ),
    );
  });
  // A failure is reported where the demo awaits the bundles; this only keeps Node from calling it unhandled.
  bundles.catch(() => {});
  return {
    bundles,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return false;
      child.kill('SIGTERM');
      await exited;
      return true;
    },
  };
}

function tail(output: readonly string[]): string {
  const lines = output.join('').trimEnd().split('\n').slice(-SHOWN_OUTPUT_LINES);
  return lines.length > 0 && lines[0] !== '' ? `\n${lines.join('\n')}` : '';
}

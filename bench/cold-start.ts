import { execFile } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { median, type Row, row } from './stats';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const INVOKE_ONCE = fileURLToPath(new URL('./invoke-once.mjs', import.meta.url));

export interface ColdStartTarget {
  /** Folder under lambdas/. */
  readonly folder: string;
  /** The bundle `cdk synth` produced. */
  readonly bundle: string;
  /** Environment the function needs to initialise (endpoint variables, its configuration). */
  readonly env: Record<string, string>;
  /** One event to invoke it with for the peak-RSS measurement. */
  readonly event: unknown;
}

export interface ColdStartOptions {
  readonly targets: readonly ColdStartTarget[];
  readonly samples: number;
  readonly outDir: string;
  readonly log: (line: string) => void;
}

/**
 * Bundle size, module initialisation time in a fresh Node process (median of `samples`) and peak
 * RSS of one invocation, for each function as synthesized and for the baseline: the same entry
 * built the way NodejsFunction does by default (not minified, AWS SDK left to the runtime).
 */
export async function coldStartBench({ targets, samples, outDir, log }: ColdStartOptions): Promise<Row[]> {
  const rows: Row[] = [];
  for (const target of targets) {
    const baseline = await buildBaseline(target.folder, outDir);
    const ours = await measure(target.bundle, target, samples);
    const base = await measure(baseline, target, samples);
    log(`  ${target.folder}: init ${ours.initMs.toFixed(1)} ms vs baseline ${base.initMs.toFixed(1)} ms`);
    rows.push(
      row(
        'cold start',
        `${target.folder}: bundle size`,
        'KiB',
        ours.bytes / 1024,
        base.bytes / 1024,
        'baseline excludes the SDK',
      ),
      row(
        'cold start',
        `${target.folder}: module init`,
        'ms',
        ours.initMs,
        base.initMs,
        `median of ${samples}`,
      ),
      row(
        'cold start',
        `${target.folder}: peak RSS, one invocation`,
        'MiB',
        ours.rssKb / 1024,
        base.rssKb / 1024,
      ),
    );
  }
  return rows;
}

async function buildBaseline(folder: string, outDir: string): Promise<string> {
  // Inside the project, so the external SDK resolves from node_modules as the runtime's would.
  const outfile = join(outDir, 'baseline', folder, 'index.mjs');
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(root, 'lambdas', folder, 'handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    outfile,
    external: ['@aws-sdk/*'],
    banner: { js: "import{createRequire}from'node:module';const require=createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  return outfile;
}

async function measure(bundle: string, target: ColdStartTarget, samples: number) {
  const once = async (event?: unknown) => {
    const args = [INVOKE_ONCE, bundle, ...(event === undefined ? [] : [JSON.stringify(event)])];
    const { stderr } = await run(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', ...target.env },
    });
    const last = stderr.trim().split('\n').at(-1) ?? '{}';
    return JSON.parse(last) as { initMs: number; maxRssKb: number };
  };
  const inits: number[] = [];
  for (let i = 0; i < samples; i++) inits.push((await once()).initMs);
  const { maxRssKb } = await once(target.event);
  return { bytes: statSync(bundle).size, initMs: median(inits), rssKb: maxRssKb };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { synthesizeBundles } from '../../local';

declare module 'vitest' {
  export interface ProvidedContext {
    bundles: Record<string, string>;
  }
}

/** Bundles the functions once per run through a real synth; every integration suite uses these files. */
export default function setup(project: TestProject) {
  const outdir = mkdtempSync(join(tmpdir(), 'cache-access-bundles-'));
  project.provide('bundles', synthesizeBundles(outdir));
  return () => rmSync(outdir, { recursive: true, force: true });
}

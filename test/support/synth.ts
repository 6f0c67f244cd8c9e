import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CacheAccessStack } from '../../lib/cache-access-stack';
import { parseConfig } from '../../lib/config/load';

/** An app whose stacks reference the functions' code instead of building it with esbuild: a unit synth takes seconds, not minutes. */
export function unbundledApp(outdir?: string): App {
  return new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
}

export interface SynthOptions {
  /**
   * The stack's construct id.
   * @default 'CacheAccess'
   */
  readonly id?: string;
  /**
   * The instant one-time windows are compared with, so which boundaries get a schedule is fixed.
   * @default - the real time
   */
  readonly now?: Date;
  /**
   * Where the cloud assembly goes, for a test that reads it and removes it afterwards.
   * @default - a directory CDK picks
   */
  readonly outdir?: string;
}

/** The config-driven stack built from `config`, which must be valid, in an unbundled app, and its template. */
export function synthStack(config: unknown, { id = 'CacheAccess', now, outdir }: SynthOptions = {}) {
  const app = unbundledApp(outdir);
  const stack = new CacheAccessStack(app, id, { config: parseConfig(config, 'test config'), now });
  return { app, stack, template: Template.fromStack(stack) };
}

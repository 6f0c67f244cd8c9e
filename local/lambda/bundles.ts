import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { CacheAccessStack } from '../../lib/cache-access-stack';
import { parseConfig } from '../../lib/config/load';
import { CacheAccessFunction } from '../../lib/constructs/cache-access-function';
import type { TableDefinition } from '../dynamodb/server';

/** Function folder under lambdas/ → absolute path of its bundled entry file. */
export type Bundles = Record<string, string>;

/** Any valid config: the functions' code does not depend on it, only their environment does. */
const SYNTH_CONFIG = {
  rotation: {
    targets: [
      { userArn: 'arn:aws:elasticache:eu-west-1:123456789012:user:bundle-probe' },
      { userArn: 'arn:aws:memorydb:eu-west-1:123456789012:user/bundle-probe' },
    ],
  },
  membership: {
    grants: [
      {
        name: 'bundle-probe',
        groupArn: 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:bundle-probe',
        users: ['bundle-probe'],
        windows: [{ days: ['MON'], from: '09:00', to: '17:00', timeZone: 'UTC' }],
      },
    ],
    groups: [
      {
        groupArn: 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:bundle-probe',
        create: true,
        engine: 'redis',
      },
    ],
  },
};

/**
 * Synthesizes the real stack with bundling on, exactly as `cdk synth` does, and returns where each
 * function's bundle landed, so integration tests run the code that would be deployed.
 */
export function synthesizeBundles(outdir: string): Bundles {
  const app = new App({ outdir });
  const stack = new CacheAccessStack(app, 'BundleProbe', {
    config: parseConfig(SYNTH_CONFIG, 'integration bundle config'),
  });
  app.synth();
  const assets = JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string } }>;
  };
  const bundles: Bundles = {};
  for (const construct of stack.node.findAll()) {
    if (!(construct instanceof CacheAccessFunction)) continue;
    const cfn = construct.function.node.defaultChild as lambda.CfnFunction;
    const { s3Key } = stack.resolve(cfn.code) as { s3Key: string };
    const asset = assets.files[s3Key.replace(/\.zip$/, '')];
    if (!asset) throw new Error(`no asset for function ${construct.node.path}`);
    bundles[construct.handlerFolder] = join(outdir, asset.source.path, 'index.mjs');
  }
  return bundles;
}

/**
 * The grant table as the template beside a bundle defines it, so the local table is the one the stack
 * would create: same keys, same indexes.
 */
export function accessTableBeside(bundle: string): TableDefinition {
  const outdir = dirname(dirname(bundle));
  for (const file of readdirSync(outdir).filter((name) => name.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(join(outdir, file), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: TableDefinition }>;
    };
    const table = Object.values(template.Resources).find(
      (resource) => resource.Type === 'AWS::DynamoDB::Table',
    );
    if (table) return table.Properties;
  }
  throw new Error(`no AWS::DynamoDB::Table in the templates of ${outdir}`);
}

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { CacheAccessStack } from '../lib/cache-access-stack';
import { parseConfig } from '../lib/config/load';
import { CacheAccessFunction, ENVIRONMENT_LIMIT_BYTES } from '../lib/constructs/cache-access-function';
import { IAM_LIMITS } from '../lib/constructs/role-policies';
import { STACK_LIMITS } from '../lib/stack-limits';
import { PLATFORM_SCALE, scaleConfig } from './scale-config';
import { type Row, row } from './stats';

/**
 * Synthesizes the platform-sized config (300 rotation targets, 150 groups of 100 users) without
 * bundling, and sets what AWS measures at deploy beside the AWS limit: the baseline column is the limit.
 */
export function scaleBench(outdir: string): Row[] {
  const started = performance.now();
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new CacheAccessStack(app, 'CacheAccessAutomation', {
    config: parseConfig(scaleConfig(PLATFORM_SCALE), 'the platform-sized config'),
  });
  const assembly = app.synth();
  const synthMs = performance.now() - started;
  const artifact = assembly.getStackByName(stack.stackName);
  const resources = Object.keys(artifact.template.Resources ?? {}).length;
  const templateBytes = statSync(join(outdir, artifact.templateFile)).size;
  const functions = stack.node
    .findAll()
    .filter((c): c is CacheAccessFunction => c instanceof CacheAccessFunction);
  const sizes = functions.map((fn) => fn.deploySizes());
  const max = (values: number[]) => Math.max(0, ...values);
  const limit = 'baseline is the AWS limit';
  const scale = `${PLATFORM_SCALE.targets} targets, ${PLATFORM_SCALE.groups} groups × ${PLATFORM_SCALE.usersPerGroup} users`;
  return [
    row('scale', `synth time, ${scale}`, 's', synthMs / 1_000, 0, 'without bundling'),
    row('scale', 'CloudFormation resources', 'resources', resources, STACK_LIMITS.resources, limit),
    row('scale', 'template size', 'KB', templateBytes / 1_000, STACK_LIMITS.templateBytes / 1_000, limit),
    row(
      'scale',
      'largest managed IAM policy',
      'chars',
      max(sizes.flatMap(({ policies }) => [...policies.managedChars.values()])),
      IAM_LIMITS.managedPolicy,
      `${limit}; deploy-time values at their longest`,
    ),
    row(
      'scale',
      'managed IAM policies on one role',
      'policies',
      max(sizes.map(({ policies }) => policies.managedChars.size)),
      IAM_LIMITS.managedPerRole,
      limit,
    ),
    row(
      'scale',
      'inline IAM policies of one role',
      'chars',
      max(sizes.map(({ policies }) => policies.inlineChars)),
      IAM_LIMITS.inlinePerRole,
      limit,
    ),
    row(
      'scale',
      'largest function environment',
      'bytes',
      max(sizes.map(({ environmentBytes }) => environmentBytes)),
      ENVIRONMENT_LIMIT_BYTES,
      limit,
    ),
  ];
}

import { readFileSync, statSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { CacheAccessStack } from '../lib/cache-access-stack';
import { parseConfig } from '../lib/config/load';
import { CacheAccessFunction, ENVIRONMENT_LIMIT_BYTES } from '../lib/constructs/cache-access-function';
import { IAM_LIMITS } from '../lib/constructs/role-policies';
import { STACK_LIMITS, templateFiles } from '../lib/stack-limits';
import { NESTED_SCALE, PLATFORM_SCALE, type ScaleOptions, scaleConfig } from './scale-config';
import { type Row, row } from './stats';

/** Project windows end in 2030-31; boundaries after this instant all get a schedule. */
const NOW = new Date('2026-12-01T00:00:00Z');
const LIMIT = 'baseline is the AWS limit';

/**
 * Synthesizes the platform-sized config in one stack (300 rotation targets, 150 groups of 100 users)
 * and issue 20's in nested stacks (1,000 targets with created secrets, 300 groups of 100 users with
 * project windows), without bundling, and sets what AWS measures at deploy beside the AWS limit: the
 * baseline column is the limit.
 */
export function scaleBench(outdir: string): Row[] {
  return [
    ...measure(`${outdir}/platform`, 'scale', PLATFORM_SCALE),
    ...measure(`${outdir}/nested`, 'scale nested', NESTED_SCALE),
  ];
}

function measure(outdir: string, section: string, options: ScaleOptions): Row[] {
  const started = performance.now();
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new CacheAccessStack(app, 'CacheAccessAutomation', {
    config: parseConfig(scaleConfig(options), `the ${section} config`),
    now: NOW,
  });
  const templates = templateFiles(app.synth()).map(({ path }) => {
    const template = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>>;
    const count = (part: string) => Object.keys(template[part] ?? {}).length;
    return {
      resources: count('Resources'),
      outputs: count('Outputs'),
      parameters: count('Parameters'),
      bytes: statSync(path).size,
    };
  });
  const synthMs = performance.now() - started;
  const sizes = stack.node
    .findAll()
    .filter((c): c is CacheAccessFunction => c instanceof CacheAccessFunction)
    .map((fn) => fn.deploySizes());
  const max = (values: number[]) => Math.max(0, ...values);
  const largest = (key: keyof (typeof templates)[number]) => max(templates.map((t) => t[key]));
  const scale = `${options.targets} targets (${options.createdSecrets} created secrets), ${options.groups} groups × ${options.usersPerGroup} users`;
  const rows: [string, string, number, number, string?][] = [
    [`synth time, ${scale}`, 's', synthMs / 1_000, 0, 'without bundling'],
    ['templates (stack and nested stacks)', 'templates', templates.length, 0],
    [
      'CloudFormation resources, all templates',
      'resources',
      templates.reduce((sum, t) => sum + t.resources, 0),
      0,
    ],
    [
      'CloudFormation resources, largest template',
      'resources',
      largest('resources'),
      STACK_LIMITS.resources,
      LIMIT,
    ],
    ['template size, largest', 'KB', largest('bytes') / 1_000, STACK_LIMITS.templateBytes / 1_000, LIMIT],
    ['outputs, largest template', 'outputs', largest('outputs'), STACK_LIMITS.outputs, LIMIT],
    ['parameters, largest template', 'parameters', largest('parameters'), STACK_LIMITS.parameters, LIMIT],
    [
      'largest managed IAM policy',
      'chars',
      max(sizes.flatMap(({ policies }) => [...policies.managedChars.values()])),
      IAM_LIMITS.managedPolicy,
      `${LIMIT}; deploy-time values at their longest`,
    ],
    [
      'managed IAM policies on one role',
      'policies',
      max(sizes.map(({ policies }) => policies.managedChars.size)),
      IAM_LIMITS.managedPerRole,
      LIMIT,
    ],
    [
      'inline IAM policies of one role',
      'chars',
      max(sizes.map(({ policies }) => policies.inlineChars)),
      IAM_LIMITS.inlinePerRole,
      LIMIT,
    ],
    [
      'largest function environment',
      'bytes',
      max(sizes.map(({ environmentBytes }) => environmentBytes)),
      ENVIRONMENT_LIMIT_BYTES,
      LIMIT,
    ],
  ];
  return rows.map(([metric, unit, ours, baseline, note]) => row(section, metric, unit, ours, baseline, note));
}

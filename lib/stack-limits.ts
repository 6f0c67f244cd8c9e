import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, CfnParameter, CfnResource, Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';

/** A synthesized template that CloudFormation would refuse to deploy. */
export class DeployLimitError extends Error {
  override readonly name = 'DeployLimitError';
}

/** CloudFormation's quotas on one template: a parent stack and each nested stack have their own. */
export const STACK_LIMITS = {
  resources: 500,
  outputs: 200,
  parameters: 60,
  /** A template CDK uploads through S3; counted as 1,000,000 bytes, the stricter reading of "1 MB". */
  templateBytes: 1_000_000,
} as const;

const SPLIT =
  'split the config across stacks (cdk deploy -c config=part1.json, ...): each rotation target makes a rotation schedule (and a secret when the stack creates it), and each distinct window boundary a schedule';
/** Nested stacks only help a stack that has never been deployed: turning them on moves every secret. */
const OR_NEST =
  "A stack not yet deployed can instead set rotation.nestedStacks and membership.nestedStacks to true (the constructs' nestedStacks prop), which spreads rotation targets and window schedules over up to 16 nested stacks; a deployed stack must not, as that replaces every created secret and schedule";

type Counted = keyof Omit<typeof STACK_LIMITS, 'templateBytes'>;
const KINDS: readonly { readonly kind: Counted; readonly is: (c: IConstruct) => boolean }[] = [
  { kind: 'resources', is: (c) => c instanceof CfnResource },
  { kind: 'outputs', is: (c) => c instanceof CfnOutput },
  { kind: 'parameters', is: (c) => c instanceof CfnParameter },
];

/**
 * The resources, outputs and parameters of one template against CloudFormation's quotas, each excess
 * naming the template, the quota and what to change. A nested stack is a template of its own, checked
 * by its own validation. Run as a validation: CDK has made nested stacks' parameters and outputs by then.
 */
export function templateProblems(template: Stack): string[] {
  const own = template.node.findAll().filter((c) => Stack.of(c) === template);
  return KINDS.flatMap(({ kind, is }) => {
    // With version reporting on (the CLI turns it on), CDK adds one metadata resource to a top-level stack.
    const metadata = kind === 'resources' && !template.nested && reportsVersion(template) ? 1 : 0;
    const count = own.filter(is).length + metadata;
    return count > STACK_LIMITS[kind] ? [excess(template, kind, count)] : [];
  });
}

const reportsVersion = (stack: Stack) => Boolean(stack.node.tryGetContext('aws:cdk:version-reporting'));

function excess(template: Stack, kind: Counted, count: number): string {
  const quota = kind === 'resources' ? 'resource quota' : `${kind.slice(0, -1)} quota`;
  const where = template.nested
    ? `nested stack ${template.node.path} would have ${count} ${kind}, over CloudFormation's ${STACK_LIMITS[kind]} per template: the config is past what 16 shards hold; ${SPLIT}`
    : `stack ${template.stackName} would have ${count} ${kind}, over CloudFormation's ${STACK_LIMITS[kind]} per stack; ${SPLIT}. ${OR_NEST}`;
  return `CloudFormation ${quota}: ${where}`;
}

/**
 * Every synthesized template, nested ones included, against the size CloudFormation accepts, measured
 * as the file CDK uploads.
 */
export function templateSizeProblems(assembly: CloudAssembly): string[] {
  return templateFiles(assembly).flatMap(({ name, path }) => {
    const bytes = statSync(path).size;
    return bytes > STACK_LIMITS.templateBytes
      ? [
          `CloudFormation template size: the template of ${name} takes ${bytes} bytes, over CloudFormation's ${STACK_LIMITS.templateBytes}; ${SPLIT}`,
        ]
      : [];
  });
}

/** One synthesized template: a stack's, or a nested stack's (named after its file). */
export interface TemplateFile {
  readonly name: string;
  readonly path: string;
}

/** Every template of the assembly: the stacks', and each nested stack's, which CDK writes beside them as `<name>.nested.template.json`. */
export function templateFiles(assembly: CloudAssembly): TemplateFile[] {
  const { directory } = assembly;
  const nested =
    directory === undefined
      ? []
      : readdirSync(directory)
          .filter((file) => file.endsWith(NESTED_SUFFIX))
          .map((file) => ({ name: file.slice(0, -NESTED_SUFFIX.length), path: join(directory, file) }));
  return [
    ...assembly.stacks.map(({ stackName, templateFullPath }) => ({
      name: stackName,
      path: templateFullPath,
    })),
    ...nested,
  ];
}

const NESTED_SUFFIX = '.nested.template.json';

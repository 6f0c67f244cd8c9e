import { statSync } from 'node:fs';
import { CfnResource, Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';

/** A synthesized template that CloudFormation would refuse to deploy. */
export class DeployLimitError extends Error {
  override readonly name = 'DeployLimitError';
}

/** CloudFormation's quotas on one stack. */
export const STACK_LIMITS = {
  resources: 500,
  /** A template CDK uploads through S3; counted as 1,000,000 bytes, the stricter reading of "1 MB". */
  templateBytes: 1_000_000,
} as const;

const SPLIT =
  'split the config across stacks (cdk deploy -c config=part1.json, ...): each rotation target makes a rotation schedule (and a secret when the stack creates it), and each distinct window boundary a schedule';

/** The stack's resources against CloudFormation's quota, with what makes them and what to change. */
export function resourceCountProblems(stack: Stack): string[] {
  const count = stack.node
    .findAll()
    .filter((child) => child instanceof CfnResource && Stack.of(child) === stack).length;
  // With version reporting on (the CLI turns it on), CDK adds one metadata resource to the stack.
  const total = count + (stack.node.tryGetContext('aws:cdk:version-reporting') ? 1 : 0);
  return total > STACK_LIMITS.resources
    ? [
        `CloudFormation resource quota: stack ${stack.stackName} would have ${total} resources, over CloudFormation's ${STACK_LIMITS.resources} per stack; ${SPLIT}`,
      ]
    : [];
}

/** Every synthesized template against the size CloudFormation accepts, measured as the file CDK uploads. */
export function templateSizeProblems(assembly: CloudAssembly): string[] {
  return assembly.stacks.flatMap((stack) => {
    const bytes = statSync(stack.templateFullPath).size;
    return bytes > STACK_LIMITS.templateBytes
      ? [
          `CloudFormation template size: the template of ${stack.stackName} takes ${bytes} bytes, over CloudFormation's ${STACK_LIMITS.templateBytes}; ${SPLIT}`,
        ]
      : [];
  });
}

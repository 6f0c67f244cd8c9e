import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

/** The stack the config-driven app deploys, as `lib/app.ts` names it. */
export const DEFAULT_STACK = 'CacheAccessAutomation';

/**
 * One output of a deployed stack, found by the start of its key (CDK appends a hash to output ids
 * of nested constructs). Fails naming the stack and the outputs it has when the one wanted is missing.
 */
export async function stackOutput(stackName: string, keyPrefix: string): Promise<string> {
  const client = new CloudFormationClient({});
  try {
    const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = Stacks[0]?.Outputs ?? [];
    const found = outputs.find((output) => output.OutputKey?.startsWith(keyPrefix))?.OutputValue;
    if (!found) {
      const keys = outputs.map((output) => output.OutputKey).join(', ') || 'none';
      throw new Error(
        `stack ${stackName} has no ${keyPrefix} output (it has: ${keys}); is it deployed with a membership section?`,
      );
    }
    return found;
  } finally {
    client.destroy();
  }
}

import {
  type CloudFormationClient,
  DescribeStacksCommand,
  paginateListStackResources,
} from '@aws-sdk/client-cloudformation';

/** What verify knows of the deployed stack: its outputs and the physical ids of its resources (nested stacks' included) by type. */
export interface StackInventory {
  readonly name: string;
  /** `CREATE_COMPLETE`, `UPDATE_ROLLBACK_COMPLETE`, ... */
  readonly status: string;
  /** Output key → value. */
  readonly outputs: ReadonlyMap<string, string>;
  /** CloudFormation type → physical ids, in the order CloudFormation lists them. */
  readonly resources: ReadonlyMap<string, readonly string[]>;
}

export async function readStack(client: CloudFormationClient, name: string): Promise<StackInventory> {
  const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: name }));
  const outputs = new Map(
    (Stacks[0]?.Outputs ?? []).flatMap(({ OutputKey, OutputValue }) =>
      OutputKey && OutputValue ? [[OutputKey, OutputValue] as const] : [],
    ),
  );
  const resources = new Map<string, string[]>();
  await listResources(client, name, resources);
  return { name, status: Stacks[0]?.StackStatus ?? 'unknown', outputs, resources };
}

/**
 * Adds the resources of `stack` to `resources`, and those of its nested stacks (with `nestedStacks`, the
 * secrets, rotation schedules and window schedules live there), reached by their stack ARN.
 */
async function listResources(
  client: CloudFormationClient,
  stack: string,
  resources: Map<string, string[]>,
): Promise<void> {
  for await (const page of paginateListStackResources({ client }, { StackName: stack })) {
    for (const { ResourceType, PhysicalResourceId } of page.StackResourceSummaries ?? []) {
      if (!ResourceType || !PhysicalResourceId) continue;
      if (ResourceType === NESTED_STACK) await listResources(client, PhysicalResourceId, resources);
      else resources.set(ResourceType, [...(resources.get(ResourceType) ?? []), PhysicalResourceId]);
    }
  }
}

const NESTED_STACK = 'AWS::CloudFormation::Stack';

/** An output by the start of its key: CDK appends a hash to the output ids of nested constructs. */
export function outputStartingWith(stack: StackInventory, prefix: string): string | undefined {
  return [...stack.outputs].find(([key]) => key.startsWith(prefix))?.[1];
}

export const resourcesOf = (stack: StackInventory, type: string) => stack.resources.get(type) ?? [];

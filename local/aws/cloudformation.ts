import type { ServiceModule } from './dispatch';
import { ServiceError } from './wire/errors';
import type { Input } from './wire/input';

/** What a test registers a stack as: its name and its id, the ARN AWS gave it, and its outputs. */
export interface NewStack {
  readonly stackName: string;
  readonly stackId: string;
  /** Output key → value, as DescribeStacks reports them. @default - none */
  readonly outputs?: Readonly<Record<string, string>>;
}

/** One resource of a registered stack, as ListStackResources reports it. */
export interface StackResource {
  readonly logicalId: string;
  readonly physicalId: string;
  /** The CloudFormation type, e.g. `AWS::ElastiCache::UserGroup`. */
  readonly type: string;
}

/** The controls tests get for what CloudFormation deploys outside its API. */
export interface StacksHarness {
  /**
   * Registers a stack with these resources, all `CREATE_COMPLETE`, or replaces the stack of the same name
   * or id and everything it had.
   */
  put(stack: NewStack, resources: readonly StackResource[]): void;
}

interface Stack extends NewStack {
  readonly resources: readonly StackResource[];
  readonly updatedAt: Date;
}

// ListStackResources takes no page size: AWS returns up to 100 summaries a page.
const PAGE_SIZE = 100;

export class StackStore implements StacksHarness {
  private stacks: readonly Stack[] = [];

  readonly module: ServiceModule = {
    service: 'cloudformation',
    // ValidationError, the only error modelled, is spelt the same over awsQuery, with status 400.
    faults: [],
    safeParams: ['StackName', 'NextToken'],
    operations: {
      DescribeStacks: (input) => this.describeStacks(input),
      ListStackResources: (input) => this.listStackResources(input),
    },
  };

  put(stack: NewStack, resources: readonly StackResource[]): void {
    if (stack.stackName === '' || stack.stackId === '') {
      throw new Error('a stack needs a stackName and a stackId');
    }
    const duplicate = resources.find(
      (resource, index) => resources.findIndex((other) => other.logicalId === resource.logicalId) !== index,
    );
    if (duplicate !== undefined) {
      throw new Error(`stack ${stack.stackName} has two resources with logical id ${duplicate.logicalId}`);
    }
    const entry: Stack = {
      stackName: stack.stackName,
      stackId: stack.stackId,
      outputs: { ...stack.outputs },
      resources: resources.map(({ logicalId, physicalId, type }) => ({ logicalId, physicalId, type })),
      updatedAt: new Date(),
    };
    // Replaced by name, the stack was deleted and created again; by id, updated. Either way one remains.
    this.stacks = [
      ...this.stacks.filter(
        (existing) => existing.stackName !== stack.stackName && existing.stackId !== stack.stackId,
      ),
      entry,
    ];
  }

  /** Without a StackName, every stack; with one, that stack or the error AWS gives for an unknown one. */
  private describeStacks(input: Input) {
    const name = input.string('StackName');
    const stacks = name === undefined ? this.stacks : [this.find(name)];
    return {
      Stacks: stacks.map((stack) => ({
        StackName: stack.stackName,
        StackId: stack.stackId,
        CreationTime: stack.updatedAt.toISOString(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: Object.entries(stack.outputs ?? {}).map(([key, value]) => ({
          OutputKey: key,
          OutputValue: value,
        })),
      })),
    };
  }

  private listStackResources(input: Input) {
    const name = input.string('StackName');
    if (name === undefined || name === '') {
      throw new ServiceError(
        'ValidationError',
        "1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null",
      );
    }
    const stack = this.find(name);
    const token = input.string('NextToken');
    const start = token === undefined ? 0 : offsetOf(token);
    if (start === undefined || start > stack.resources.length) {
      throw new ServiceError('ValidationError', 'Invalid NextToken');
    }
    const end = start + PAGE_SIZE;
    return {
      StackResourceSummaries: stack.resources.slice(start, end).map((resource) => ({
        LogicalResourceId: resource.logicalId,
        PhysicalResourceId: resource.physicalId,
        ResourceType: resource.type,
        LastUpdatedTimestamp: stack.updatedAt.toISOString(),
        ResourceStatus: 'CREATE_COMPLETE',
      })),
      NextToken:
        end < stack.resources.length ? Buffer.from(String(end), 'utf8').toString('base64url') : undefined,
    };
  }

  private find(name: string): Stack {
    const stack = this.stacks.find((candidate) => candidate.stackName === name || candidate.stackId === name);
    if (stack === undefined) {
      throw new ServiceError('ValidationError', `Stack with id ${name} does not exist`);
    }
    return stack;
  }
}

function offsetOf(token: string): number | undefined {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

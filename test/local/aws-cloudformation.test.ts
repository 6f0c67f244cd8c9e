import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  paginateListStackResources,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../local/aws/endpoint';
import { type RedisServer, startRedis } from '../../local/redis/server';
import { pointSdkAt, rejection } from '../support/sdk-env';

const REGION = 'eu-west-1';

let redis: RedisServer;
let aws: LocalAws;
let cloudFormation: CloudFormationClient;
let restoreEnv: (() => void) | undefined;

beforeAll(async () => {
  redis = await startRedis();
  aws = await startLocalAws({ redis });
  // No endpoint option: AWS_ENDPOINT_URL_CLOUDFORMATION must be enough, as for a bundled handler.
  restoreEnv = pointSdkAt(aws.env());
  cloudFormation = new CloudFormationClient({});
});

afterAll(async () => {
  cloudFormation?.destroy();
  restoreEnv?.();
  await aws?.stop();
  await redis?.stop();
});

afterEach(() => {
  aws.setThrottle(undefined);
});

function stackId(name: string): string {
  return `arn:aws:cloudformation:${REGION}:123456789012:stack/${name}/0b7c1a10-0000-4000-8000-000000000000`;
}

function resources(count: number) {
  return Array.from({ length: count }, (_, index) => ({
    logicalId: `Secret${index}`,
    physicalId: `arn:aws:secretsmanager:${REGION}:123456789012:secret:app/${index}-AbCdEf`,
    type: 'AWS::SecretsManager::Secret',
  }));
}

async function listAll(stackName: string): Promise<StackResourceSummary[][]> {
  const pages: StackResourceSummary[][] = [];
  for await (const page of paginateListStackResources({ client: cloudFormation }, { StackName: stackName })) {
    pages.push(page.StackResourceSummaries ?? []);
  }
  return pages;
}

describe('CloudFormation ListStackResources', () => {
  it('lists a registered stack by name and by id', async () => {
    const stack = { stackName: 'app-secrets', stackId: stackId('app-secrets') };
    aws.stacks.put(stack, [
      {
        logicalId: 'AppSecret',
        physicalId: 'arn:aws:secretsmanager:x:1:secret:app-1',
        type: 'AWS::SecretsManager::Secret',
      },
      { logicalId: 'AppGroup', physicalId: 'app-group', type: 'AWS::ElastiCache::UserGroup' },
    ]);

    const byName = await cloudFormation.send(new ListStackResourcesCommand({ StackName: stack.stackName }));
    const byId = await cloudFormation.send(new ListStackResourcesCommand({ StackName: stack.stackId }));

    expect(byName.NextToken).toBeUndefined();
    expect(byName.StackResourceSummaries).toEqual([
      {
        LogicalResourceId: 'AppSecret',
        PhysicalResourceId: 'arn:aws:secretsmanager:x:1:secret:app-1',
        ResourceType: 'AWS::SecretsManager::Secret',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: expect.any(Date),
      },
      {
        LogicalResourceId: 'AppGroup',
        PhysicalResourceId: 'app-group',
        ResourceType: 'AWS::ElastiCache::UserGroup',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: expect.any(Date),
      },
    ]);
    expect(byId.StackResourceSummaries).toEqual(byName.StackResourceSummaries);
  });

  it('replaces what a stack had when it is put again', async () => {
    const stack = { stackName: 'replaced', stackId: stackId('replaced') };
    aws.stacks.put(stack, resources(3));
    aws.stacks.put(stack, [{ logicalId: 'Only', physicalId: 'only', type: 'AWS::SNS::Topic' }]);

    const listed = await cloudFormation.send(new ListStackResourcesCommand({ StackName: 'replaced' }));

    expect(listed.StackResourceSummaries?.map((summary) => summary.LogicalResourceId)).toEqual(['Only']);
  });

  it('pages 250 resources 100 at a time, and the pages hold each resource once', async () => {
    const many = resources(250);
    aws.stacks.put({ stackName: 'many', stackId: stackId('many') }, many);

    const pages = await listAll('many');

    expect(pages.map((page) => page.length)).toEqual([100, 100, 50]);
    expect(pages.flat().map((summary) => summary.LogicalResourceId)).toEqual(
      many.map((resource) => resource.logicalId),
    );
    expect(pages.flat().map((summary) => summary.PhysicalResourceId)).toEqual(
      many.map((resource) => resource.physicalId),
    );
    const tokens = aws.callsOf('ListStackResources', 'cloudformation').slice(-3);
    expect(tokens.map((call) => call.params.StackName)).toEqual(['many', 'many', 'many']);
    expect(tokens[0]?.params.NextToken).toBeUndefined();
    expect(tokens[1]?.params.NextToken).toEqual(expect.any(String));
    expect(tokens[2]?.params.NextToken).toEqual(expect.any(String));
  });

  it('refuses an unknown stack with ValidationError naming it', async () => {
    const error = await rejection(
      cloudFormation.send(new ListStackResourcesCommand({ StackName: 'no-such-stack' })),
    );

    expect(error).toBeInstanceOf(CloudFormationServiceException);
    expect(error).toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id no-such-stack does not exist',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    expect(aws.callsOf('ListStackResources', 'cloudformation').at(-1)).toMatchObject({
      params: { StackName: 'no-such-stack' },
      error: 'ValidationError',
    });
  });

  it('records the call with only its safe parameters', async () => {
    aws.stacks.put({ stackName: 'recorded', stackId: stackId('recorded') }, resources(1));
    const before = aws.calls.length;

    await cloudFormation.send(new ListStackResourcesCommand({ StackName: 'recorded' }));

    expect(aws.calls.slice(before)).toEqual([
      {
        service: 'cloudformation',
        operation: 'ListStackResources',
        at: expect.any(Number),
        params: { StackName: 'recorded' },
        // The signer's access key, and what IAM authorizes for the call: the stack, by its ARN.
        caller: 'test',
        authorizations: [
          {
            action: 'cloudformation:ListStackResources',
            resource: `arn:aws:cloudformation:${REGION}:123456789012:stack/recorded/*`,
            context: {},
          },
        ],
      },
    ]);
  });

  it('fails an injected fault before reading the stack, and the SDK retries a server fault', async () => {
    aws.stacks.put({ stackName: 'flaky', stackId: stackId('flaky') }, resources(1));
    aws.failNext('ListStackResources', 'ValidationError', 1, 'cloudformation');

    const injected = await rejection(
      cloudFormation.send(new ListStackResourcesCommand({ StackName: 'flaky' })),
    );
    aws.failNext('ListStackResources', 'InternalFailure', 1);
    const retried = await cloudFormation.send(new ListStackResourcesCommand({ StackName: 'flaky' }));

    expect(injected).toMatchObject({ name: 'ValidationError' });
    expect(retried.StackResourceSummaries).toHaveLength(1);
    expect(aws.callsOf('ListStackResources').filter((call) => call.params.StackName === 'flaky')).toEqual([
      expect.objectContaining({ error: 'ValidationError' }),
      expect.objectContaining({ error: 'InternalFailure' }),
      expect.not.objectContaining({ error: expect.anything() }),
    ]);
  });

  it('is not throttled by default, and answers Throttling when listed as throttled', async () => {
    aws.stacks.put({ stackName: 'busy', stackId: stackId('busy') }, resources(1));
    aws.setThrottle({ requestsPerSecond: 0.2, burst: 1 });

    await Promise.all(
      [1, 2, 3].map(() => cloudFormation.send(new ListStackResourcesCommand({ StackName: 'busy' }))),
    );
    expect(aws.throttledCount).toBe(0);

    aws.setThrottle({ requestsPerSecond: 0.2, burst: 1, services: ['cloudformation'] });
    const noRetries = new CloudFormationClient({ maxAttempts: 1 });
    await noRetries.send(new ListStackResourcesCommand({ StackName: 'busy' }));
    const throttled = await rejection(noRetries.send(new ListStackResourcesCommand({ StackName: 'busy' })));
    noRetries.destroy();

    expect(throttled).toMatchObject({ name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    expect(aws.throttledCount).toBe(1);
  });
});

describe('CloudFormation DescribeStacks', () => {
  it('reports a registered stack with its status and outputs, by name and by id', async () => {
    const stack = {
      stackName: 'with-outputs',
      stackId: stackId('with-outputs'),
      outputs: { AlertTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' },
    };
    aws.stacks.put(stack, resources(1));

    const byName = await cloudFormation.send(new DescribeStacksCommand({ StackName: 'with-outputs' }));
    const byId = await cloudFormation.send(new DescribeStacksCommand({ StackName: stack.stackId }));

    expect(byName.Stacks).toEqual([
      expect.objectContaining({
        StackName: 'with-outputs',
        StackId: stack.stackId,
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: expect.any(Date),
        Outputs: [{ OutputKey: 'AlertTopicArn', OutputValue: 'arn:aws:sns:eu-west-1:123456789012:alerts' }],
      }),
    ]);
    expect(byId.Stacks).toEqual(byName.Stacks);
  });

  it('refuses an unknown stack with ValidationError naming it', async () => {
    const error = await rejection(cloudFormation.send(new DescribeStacksCommand({ StackName: 'absent' })));

    expect(error).toMatchObject({ name: 'ValidationError', message: 'Stack with id absent does not exist' });
  });
});

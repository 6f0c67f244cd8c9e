import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { readStack, resourcesOf } from '../../../cli/verify/stack';

const cloudFormation = mockClient(CloudFormationClient);
const SHARD =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/CacheAccessAutomation-RotationShard3-1A2B/0a1b2c3d';

afterEach(() => cloudFormation.reset());

describe('readStack', () => {
  it("lists the resources of the stack's nested stacks under their types, not the nested stacks themselves", async () => {
    // Arrange
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        { StackName: 'CacheAccessAutomation', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() },
      ],
    });
    cloudFormation.on(ListStackResourcesCommand, { StackName: 'CacheAccessAutomation' }).resolves({
      StackResourceSummaries: [
        summary('AWS::SNS::Topic', 'arn:aws:sns:eu-west-1:123456789012:alerts'),
        summary('AWS::CloudFormation::Stack', SHARD),
      ],
    });
    cloudFormation.on(ListStackResourcesCommand, { StackName: SHARD }).resolves({
      StackResourceSummaries: [
        summary(
          'AWS::SecretsManager::RotationSchedule',
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:a',
        ),
      ],
    });

    // Act
    const stack = await readStack(new CloudFormationClient({ region: 'eu-west-1' }), 'CacheAccessAutomation');

    // Assert
    expect(resourcesOf(stack, 'AWS::SecretsManager::RotationSchedule')).toEqual([
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:a',
    ]);
    expect(resourcesOf(stack, 'AWS::SNS::Topic')).toHaveLength(1);
    expect(resourcesOf(stack, 'AWS::CloudFormation::Stack')).toEqual([]);
  });
});

function summary(ResourceType: string, PhysicalResourceId: string) {
  return {
    ResourceType,
    PhysicalResourceId,
    LogicalResourceId: 'Id',
    ResourceStatus: 'CREATE_COMPLETE' as const,
    LastUpdatedTimestamp: new Date(),
  };
}

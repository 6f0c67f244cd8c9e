import { type CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import type { StackSecrets } from './targets';

const SECRET = 'AWS::SecretsManager::Secret';

/** The secrets of one CloudFormation stack, by logical id: a secret's physical id is its ARN. */
export class CloudFormationStackSecrets implements StackSecrets {
  constructor(
    private readonly client: CloudFormationClient,
    private readonly stackId: string,
  ) {}

  async secretArnsByLogicalId(): Promise<ReadonlyMap<string, string>> {
    const arns = new Map<string, string>();
    const pages = paginateListStackResources({ client: this.client }, { StackName: this.stackId });
    for await (const page of pages) {
      for (const { ResourceType, LogicalResourceId, PhysicalResourceId } of page.StackResourceSummaries ??
        []) {
        if (ResourceType === SECRET && LogicalResourceId && PhysicalResourceId) {
          arns.set(LogicalResourceId, PhysicalResourceId);
        }
      }
    }
    return arns;
  }
}

import { Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * A resource ARN as cdk-nag writes it in a finding's id: pseudo-parameters as `<AWS::Region>`,
 * references as `<LogicalId>`, attributes as `<LogicalId.Attr>`, literals as they are. An
 * acknowledgement must name the finding exactly, so it is built from the same value the policy holds.
 */
export function nagNotation(scope: IConstruct, arn: string): string {
  return render(Stack.of(scope).resolve(arn));
}

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as { Ref?: string; 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, unknown[]] };
  if (node.Ref !== undefined) return `<${node.Ref}>`;
  if (node['Fn::GetAtt']) return `<${node['Fn::GetAtt'].join('.')}>`;
  if (node['Fn::Join']) {
    const [separator, parts] = node['Fn::Join'];
    return parts.map(render).join(separator);
  }
  throw new Error(`cdk-nag notation for ${JSON.stringify(value)} is not known`);
}

/**
 * Acknowledges AwsSolutions-IAM5 for `arn` with `reason` on the policy that holds it: statements
 * may spread over several policies, and each finding sits on the one whose document names the ARN.
 */
export function acknowledgeWildcard(
  policies: readonly (iam.Policy | iam.ManagedPolicy)[],
  arn: string,
  reason: string,
): void {
  for (const policy of policies) {
    const stack = Stack.of(policy);
    const resolvedArn = JSON.stringify(stack.resolve(arn));
    if (!JSON.stringify(stack.resolve(policy.document)).includes(resolvedArn)) continue;
    Validations.of(policy).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagNotation(policy, arn)}]`,
      reason,
    });
  }
}

import { Stack } from 'aws-cdk-lib';
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

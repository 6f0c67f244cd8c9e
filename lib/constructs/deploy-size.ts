import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * How long a deploy-time value can get, for sizes AWS measures after CloudFormation has filled
 * them in. A resource's ARN or name is counted at 128 characters (a created secret's ARN is about
 * 110); pseudo-parameters at their longest.
 */
export const DEPLOY_TIME_VALUE_CHARS = 128;
const PSEUDO_PARAMETERS: Readonly<Record<string, number>> = {
  'AWS::Partition': 'aws-iso-b'.length + 1,
  'AWS::Region': 'ap-southeast-5'.length,
  'AWS::AccountId': 12,
  'AWS::URLSuffix': 'amazonaws.com.cn'.length,
  'AWS::StackName': 128,
  // arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>
  'AWS::StackId': 'arn::cloudformation:::stack//'.length + 10 + 14 + 12 + 128 + 36,
};

/** `value` as CloudFormation would deploy it, every deploy-time part replaced by a placeholder of its longest length. */
function rendered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rendered);
  if (typeof value !== 'object' || value === null) return value;
  const node = value as Record<string, unknown>;
  const keys = Object.keys(node);
  if (keys.length === 1 && typeof node.Ref === 'string') {
    return 'x'.repeat(PSEUDO_PARAMETERS[node.Ref] ?? DEPLOY_TIME_VALUE_CHARS);
  }
  if (keys.length === 1 && Array.isArray(node['Fn::GetAtt'])) return 'x'.repeat(DEPLOY_TIME_VALUE_CHARS);
  if (keys.length === 1 && Array.isArray(node['Fn::Join'])) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => String(rendered(part))).join(separator);
  }
  return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, rendered(child)]));
}

/**
 * The length of `value` as compact JSON once deployed: whitespace is not counted (IAM ignores it) and
 * escapes are (Lambda counts its environment's JSON document, escapes included).
 */
export function deployedJsonLength(scope: IConstruct, value: unknown): number {
  return JSON.stringify(rendered(Stack.of(scope).resolve(value))).length;
}

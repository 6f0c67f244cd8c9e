import type { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';

/** The logical id of the only resource of `type` (matching `props` when given). */
export function onlyLogicalId(template: Template, type: string, props?: unknown): string {
  const ids = Object.keys(template.findResources(type, props));
  expect(ids, `resources of type ${type}`).toHaveLength(1);
  return ids[0] ?? '';
}

export interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: unknown;
  readonly Sid?: string;
}

/** Every policy statement anywhere in the template, with the resource that holds it. */
export function allStatements(
  template: Template,
): { readonly owner: string; readonly type: string; readonly statement: Statement }[] {
  const found: { owner: string; type: string; statement: Statement }[] = [];
  const visit = (value: unknown, owner: string, type: string): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, owner, type);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'Statement' && Array.isArray(child)) {
          for (const statement of child) found.push({ owner, type, statement });
        } else visit(child, owner, type);
      }
    }
  };
  for (const [id, resource] of Object.entries(template.toJSON().Resources ?? {})) {
    const { Type, Properties } = resource as { Type: string; Properties?: unknown };
    visit(Properties, id, Type);
  }
  return found;
}

export const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** Statements outside key policies that name a resource containing `*` (a key policy's `*` is the key itself). */
export function wildcardStatements(template: Template) {
  return allStatements(template).filter(
    ({ type, statement }) =>
      type !== 'AWS::KMS::Key' &&
      asList(statement.Resource).some((r) => (JSON.stringify(r) ?? '').includes('*')),
  );
}

/** CloudFormation types whose `Ref` is their ARN; every other `Ref` is a name. */
export const REF_IS_ARN: ReadonlySet<string> = new Set([
  'AWS::SecretsManager::Secret',
  'AWS::SNS::Topic',
  'AWS::IAM::ManagedPolicy',
]);

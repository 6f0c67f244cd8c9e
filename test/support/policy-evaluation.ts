import type { Statement } from './template';
import { asList } from './template';

/**
 * A request a service makes on this stack's behalf, as IAM sees it. `sourceArn` is the template
 * value (a `Fn::GetAtt` of the alarm or rule), `concreteSourceArn` the ARN it would have deployed,
 * for ARN patterns.
 */
export interface ServiceRequest {
  readonly service: string;
  readonly action: string;
  /** The template value of the resource, or '*' for a key policy's own key. */
  readonly resource: unknown;
  readonly sourceAccount: string;
  readonly sourceArn: unknown;
  readonly concreteSourceArn: string;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A template string with pseudo-parameters as they resolve in the commercial partition. */
function rendered(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const node = value as { Ref?: string; 'Fn::Join'?: [string, unknown[]] };
  if (node.Ref === 'AWS::Partition') return 'aws';
  if (node['Fn::Join']) {
    const parts = node['Fn::Join'][1].map(rendered);
    return parts.every((part) => part !== undefined) ? parts.join(node['Fn::Join'][0]) : undefined;
  }
  return undefined;
}

const glob = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.?+^$()[\]{}|\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(value);

function contextValue(request: ServiceRequest, key: string): string | undefined {
  if (key === 'aws:SourceAccount') return request.sourceAccount;
  if (key === 'aws:SecureTransport') return 'true';
  return undefined;
}

/** One condition block entry; an operator this evaluator does not know never holds, so a test cannot pass by accident. */
function holds(request: ServiceRequest, operator: string, key: string, expected: unknown): boolean {
  const values = asList(expected);
  if (key === 'aws:SourceArn') {
    if (operator === 'ArnEquals') return values.some((value) => same(value, request.sourceArn));
    if (operator === 'ArnLike') {
      return values.some((value) => {
        if (same(value, request.sourceArn)) return true;
        const pattern = rendered(value);
        return pattern !== undefined && glob(pattern, request.concreteSourceArn);
      });
    }
    return false;
  }
  const actual = contextValue(request, key);
  if (actual === undefined) return false;
  if (operator === 'StringEquals' || operator === 'Bool')
    return values.some((value) => String(value) === actual);
  return false;
}

function matches(request: ServiceRequest, statement: Statement): boolean {
  const principal = statement.Principal as { Service?: unknown; AWS?: unknown } | string | undefined;
  const principalMatches =
    principal === '*' ||
    (typeof principal === 'object' &&
      (asList(principal.Service).includes(request.service) || asList(principal.AWS).includes('*')));
  const actionMatches = asList(statement.Action).some(
    (action) => typeof action === 'string' && glob(action, request.action),
  );
  const resourceMatches = asList(statement.Resource).some(
    (resource) => resource === '*' || same(resource, request.resource),
  );
  const conditions = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  const conditionsHold = Object.entries(conditions).every(([operator, entries]) =>
    Object.entries(entries).every(([key, expected]) => holds(request, operator, key, expected)),
  );
  return principalMatches && actionMatches && resourceMatches && conditionsHold;
}

/** Whether a resource policy lets the request through: some Allow matches and no Deny does. */
export function allows(statements: readonly Statement[], request: ServiceRequest): boolean {
  const applying = statements.filter((statement) => matches(request, statement));
  return (
    applying.some((statement) => statement.Effect === 'Allow') &&
    !applying.some((statement) => statement.Effect === 'Deny')
  );
}

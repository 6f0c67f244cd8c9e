import { beforeAll, describe, expect, it } from 'vitest';
import { specResource, templateSpecProblems } from '../support/cfn-spec';
import { type CheckedTemplate, checkedTemplates } from '../support/checked-templates';

let templates: CheckedTemplate[] = [];
beforeAll(() => {
  templates = checkedTemplates();
}, 60_000);

/** A copy of `template` with one resource's properties changed, to prove a check reports it. */
function withProperties(
  template: CheckedTemplate['template'],
  id: string,
  change: (p: Record<string, unknown>) => void,
) {
  const copy = structuredClone(template);
  const resource = copy.Resources?.[id];
  if (!resource) throw new Error(`no resource ${id}`);
  resource.Properties ??= {};
  change(resource.Properties);
  return copy;
}

const firstOfType = (template: CheckedTemplate['template'], type: string) =>
  Object.entries(template.Resources ?? {}).find(([, resource]) => resource.Type === type)?.[0] ?? '';

describe("every template property against CloudFormation's resource specification", () => {
  it('finds every resource type of the three templates in the specification, custom resources aside', () => {
    const types = new Set(
      templates.flatMap(({ template }) => Object.values(template.Resources ?? {}).map((r) => r.Type)),
    );
    const unknown = [...types].filter((type) => !type.startsWith('Custom::') && !specResource(type));
    expect(types.size).toBeGreaterThan(15);
    expect(unknown).toEqual([]);
  });

  it.each(['example (cdk.json)', 'platform scale', 'full feature'])(
    'finds no unknown property, wrong type, missing required property or value outside an enum in the %s template',
    (name) => {
      const { template } = templates.find((checked) => checked.name === name) ?? expect.fail(name);
      expect(templateSpecProblems(template)).toEqual([]);
    },
  );
});

describe('the specification check (negative controls)', () => {
  const full = () =>
    templates.find(({ name }) => name === 'full feature')?.template ?? expect.fail('full feature');

  it('reports an unknown property, naming the resource and the path', () => {
    const id = firstOfType(full(), 'AWS::SQS::Queue');
    const broken = withProperties(full(), id, (p) => {
      p.MessageRetentionPeriodSeconds = 60;
    });
    expect(templateSpecProblems(broken)).toEqual([
      `${id} (AWS::SQS::Queue).MessageRetentionPeriodSeconds: unknown property`,
    ]);
  });

  it('reports a wrong type, in a nested property as well', () => {
    const id = firstOfType(full(), 'AWS::Lambda::Function');
    const broken = withProperties(full(), id, (p) => {
      p.MemorySize = 'a lot';
      p.Environment = { Variables: { LIST: ['not', 'a', 'string'] } };
    });
    expect(templateSpecProblems(broken).sort()).toEqual([
      `${id} (AWS::Lambda::Function).Environment.Variables.LIST: expected a string, got ["not","a","string"]`,
      `${id} (AWS::Lambda::Function).MemorySize: expected a number, got "a lot"`,
    ]);
  });

  it('reports a missing required property and a value outside an enum', () => {
    const id = firstOfType(full(), 'AWS::Scheduler::Schedule');
    const broken = withProperties(full(), id, (p) => {
      delete p.Target;
      p.State = 'PAUSED';
    });
    expect(templateSpecProblems(broken)).toEqual([
      `${id} (AWS::Scheduler::Schedule).Target: required, missing`,
      `${id} (AWS::Scheduler::Schedule).State: expected one of ENABLED, DISABLED, got "PAUSED"`,
    ]);
  });

  it('cannot report a too-long string: the specification carries no lengths, patterns or ranges', () => {
    const id = firstOfType(full(), 'AWS::SNS::Topic');
    const broken = withProperties(full(), id, (p) => {
      p.TopicName = 'x'.repeat(1000);
    });
    expect(templateSpecProblems(broken)).toEqual([]);
  });

  it('accepts an intrinsic function wherever a value of the property type goes', () => {
    const id = firstOfType(full(), 'AWS::Lambda::Function');
    const broken = withProperties(full(), id, (p) => {
      p.MemorySize = { 'Fn::If': ['Big', 1024, 512] };
      p.Timeout = { Ref: 'TimeoutParameter' };
    });
    expect(templateSpecProblems(broken)).toEqual([]);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { cfnLint } from '../support/cfn-lint';
import { specResource, templateSpecProblems } from '../support/cfn-spec';
import { CHECKED_ACCOUNT, type CheckedTemplate, checkedTemplates } from '../support/checked-templates';

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

  it('cannot report a too-long string: the specification carries no lengths, patterns or ranges (cfn-lint does, below)', () => {
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

/**
 * CDK writes an explicit DependsOn beside a Ref or GetAtt to the same resource (a role before its function);
 * CloudFormation accepts it, and the order it states is the one the reference already forces.
 */
const CDK_SHAPE = ['W3005'];

// cfn-lint reads each template against every resource schema: 12 s for the three alone, more beside other suites.
const LINT_TIMEOUT_MS = 120_000;

describe('every template property against the CloudFormation registry schemas (cfn-lint)', () => {
  it(
    'finds no error or warning in the example, platform-scale and full-feature templates',
    () => {
      expect(cfnLint(templates, CHECKED_ACCOUNT.region, CDK_SHAPE)).toEqual([]);
    },
    LINT_TIMEOUT_MS,
  );

  it(
    'reports a string over its length and a name outside its pattern, naming the resource path',
    () => {
      const template = templates.find(({ name }) => name === 'full feature')?.template ?? expect.fail('full');
      const topic = firstOfType(template, 'AWS::SNS::Topic');
      const group = firstOfType(template, 'AWS::Scheduler::ScheduleGroup');
      const broken = withProperties(
        withProperties(template, topic, (p) => {
          p.TopicName = 'x'.repeat(300);
        }),
        group,
        (p) => {
          p.Name = 'not a valid/name';
        },
      );
      const findings = cfnLint([{ name: 'broken', template: broken }], CHECKED_ACCOUNT.region, CDK_SHAPE);
      expect(findings.map(({ path, level }) => `${level} ${path}`).sort()).toEqual(
        [`Error Resources.${topic}.Properties.TopicName`, `Error Resources.${group}.Properties.Name`].sort(),
      );
      expect(findings.every(({ template: name }) => name === 'broken')).toBe(true);
    },
    LINT_TIMEOUT_MS,
  );
});

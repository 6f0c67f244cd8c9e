import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnOutput, CfnParameter, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { afterAll, describe, expect, it } from 'vitest';
import { PLATFORM_SCALE, scaleConfig } from '../../bench/scale-config';
import { CacheAccessFunction, ENVIRONMENT_LIMIT_BYTES } from '../../lib/constructs/cache-access-function';
import { deployedJsonLength } from '../../lib/constructs/deploy-size';
import { IAM_LIMITS, rolePolicyProblems, rolePolicySizes } from '../../lib/constructs/role-policies';
import { shardStack } from '../../lib/constructs/shards';
import { STACK_LIMITS, templateProblems, templateSizeProblems } from '../../lib/stack-limits';
import { synthStack, unbundledApp } from '../support/synth';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const newStack = () =>
  new Stack(unbundledApp(), 'Limits', { env: { account: '123456789012', region: 'eu-west-1' } });

/** The problems the construct tree reports at synth, one message each. */
function synthProblems(stack: Stack): string[] {
  try {
    Template.fromStack(stack);
    return [];
  } catch (error) {
    return (error as Error).message.split('\n').filter((line) => line.trim().startsWith('['));
  }
}

/** A policy document's deployed length is the statement around `resource`; pad it to reach `chars`. */
function statementOfLength(scope: Stack, chars: number, actions = ['s3:GetObject']): iam.PolicyStatement {
  const probe = new iam.PolicyStatement({ actions, resources: [''] });
  const shell = deployedJsonLength(scope, new iam.PolicyDocument({ statements: [probe] }));
  return new iam.PolicyStatement({ actions, resources: ['a'.repeat(chars - shell)] });
}

describe('the Lambda environment limit', () => {
  function functionWithEnvironmentOf(bytes: number) {
    const stack = newStack();
    const shell = deployedJsonLength(stack, { POWERTOOLS_LOG_LEVEL: 'INFO', PAD: '' });
    new CacheAccessFunction(stack, 'Fn', {
      handlerFolder: 'rotate',
      description: 'probe',
      environment: { PAD: 'x'.repeat(bytes - shell) },
    });
    return stack;
  }

  it('passes at 4096 bytes of environment JSON and fails at 4097, naming the limit and the size', () => {
    expect(synthProblems(functionWithEnvironmentOf(ENVIRONMENT_LIMIT_BYTES))).toEqual([]);
    const [problem] = synthProblems(functionWithEnvironmentOf(ENVIRONMENT_LIMIT_BYTES + 1));
    expect(problem).toContain('Lambda environment limit');
    expect(problem).toContain('about 4097 bytes as JSON');
  });

  it('counts the JSON escapes Lambda counts', () => {
    const stack = newStack();
    expect(deployedJsonLength(stack, { A: '"\\' })).toBe('{"A":"\\"\\\\"}'.length);
  });
});

describe('IAM quotas', () => {
  function roleWith(inlineChars: readonly number[], managedChars: readonly number[]) {
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const inline = inlineChars.map(
      (chars, i) => new iam.Policy(stack, `Inline${i}`, { statements: [statementOfLength(stack, chars)] }),
    );
    const managed = managedChars.map(
      (chars, i) =>
        new iam.ManagedPolicy(stack, `Managed${i}`, { statements: [statementOfLength(stack, chars)] }),
    );
    return rolePolicyProblems(role, rolePolicySizes(role, inline, managed));
  }

  it('passes inline policies of 10,240 characters together and fails at 10,241', () => {
    expect(roleWith([6_000, 4_240], [])).toEqual([]);
    const problems = roleWith([6_000, 4_241], []);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /IAM inline policy quota: .* about 10241 characters, over IAM's 10240 per role/,
    );
  });

  it('passes a managed policy of 6,144 characters and fails at 6,145', () => {
    expect(roleWith([], [IAM_LIMITS.managedPolicy])).toEqual([]);
    expect(roleWith([], [IAM_LIMITS.managedPolicy + 1])[0]).toMatch(
      /IAM managed policy size: .* about 6145 characters, over IAM's 6144/,
    );
  });

  it('passes 10 managed policies on a role and fails at 11', () => {
    expect(roleWith([], Array(10).fill(200))).toEqual([]);
    expect(roleWith([], Array(11).fill(200))[0]).toMatch(
      /IAM managed policies per role: .* would need 11 managed policies, over IAM's default quota of 10/,
    );
  });
});

describe('CloudFormation quotas', () => {
  function stackOf(resources: number) {
    const stack = newStack();
    for (let i = 0; i < resources; i++) new CfnResource(stack, `Queue${i}`, { type: 'AWS::SQS::Queue' });
    return stack;
  }

  it('passes 500 resources and fails at 501', () => {
    expect(templateProblems(stackOf(STACK_LIMITS.resources))).toEqual([]);
    expect(templateProblems(stackOf(STACK_LIMITS.resources + 1))[0]).toMatch(
      /CloudFormation resource quota: stack Limits would have 501 resources, over CloudFormation's 500 per stack; split the config across stacks/,
    );
  });

  it('names nested stacks as the fix for a new stack and splitting for a deployed one', () => {
    const [problem] = templateProblems(stackOf(STACK_LIMITS.resources + 1));

    expect(problem).toContain(
      'A stack not yet deployed can instead set rotation.nestedStacks and membership.nestedStacks to true',
    );
    expect(problem).toContain(
      'a deployed stack must not, as that replaces every created secret and schedule',
    );
  });

  it('passes 200 outputs and 60 parameters and fails at 201 and 61, naming the quota', () => {
    const stackWith = (outputs: number, parameters: number) => {
      const stack = newStack();
      for (let i = 0; i < outputs; i++) new CfnOutput(stack, `Out${i}`, { value: 'x' });
      for (let i = 0; i < parameters; i++) new CfnParameter(stack, `Param${i}`);
      return stack;
    };

    expect(templateProblems(stackWith(STACK_LIMITS.outputs, STACK_LIMITS.parameters))).toEqual([]);
    expect(templateProblems(stackWith(STACK_LIMITS.outputs + 1, STACK_LIMITS.parameters + 1))).toEqual([
      expect.stringMatching(
        /^CloudFormation output quota: stack Limits would have 201 outputs, over CloudFormation's 200 per stack/,
      ),
      expect.stringMatching(
        /^CloudFormation parameter quota: stack Limits would have 61 parameters, over CloudFormation's 60 per stack/,
      ),
    ]);
  });

  it('fails a synth whose one shard is past 500 resources, naming the nested stack and the quota', () => {
    const stack = newStack();
    const shard = shardStack(stack, 'a');
    for (let i = 0; i <= STACK_LIMITS.resources; i++)
      new CfnResource(shard, `Queue${i}`, { type: 'AWS::SQS::Queue' });

    expect(synthProblems(stack)).toEqual([
      expect.stringMatching(
        /CloudFormation resource quota: nested stack Limits\/Sharda would have 501 resources, over CloudFormation's 500 per template: the config is past what 16 shards hold; split the config across stacks/,
      ),
    ]);
  });

  it('passes a template of 1,000,000 bytes and fails at 1,000,001', () => {
    const assemblyWith = (bytes: number) => {
      const dir = mkdtempSync(join(tmpdir(), 'template-size-'));
      dirs.push(dir);
      const templateFullPath = join(dir, 'Limits.template.json');
      writeFileSync(templateFullPath, 'x'.repeat(bytes));
      return { stacks: [{ stackName: 'Limits', templateFullPath }] } as unknown as CloudAssembly;
    };

    expect(templateSizeProblems(assemblyWith(STACK_LIMITS.templateBytes))).toEqual([]);
    expect(templateSizeProblems(assemblyWith(STACK_LIMITS.templateBytes + 1))[0]).toMatch(
      /CloudFormation template size: the template of Limits takes 1000001 bytes, over CloudFormation's 1000000/,
    );
  });
});

describe('a platform-sized config', () => {
  const { template } = synthStack(scaleConfig(PLATFORM_SCALE), { id: 'Platform' });

  it('synthesizes 300 rotation targets and 150 groups of 100 users in one stack within every quota', () => {
    const resources = Object.values(template.toJSON().Resources) as {
      Type: string;
      Properties: Record<string, unknown>;
    }[];

    expect(resources.length).toBeLessThanOrEqual(STACK_LIMITS.resources);
    expect(resources.filter(({ Type }) => Type === 'AWS::SecretsManager::RotationSchedule')).toHaveLength(
      300,
    );
    for (const { Type, Properties } of resources) {
      if (Type === 'AWS::Events::Rule')
        expect(JSON.stringify(Properties.EventPattern).length).toBeLessThan(2_048);
    }
  });

  it('names every secret and user exactly in the rotation policies, spread over managed policies below their quota', () => {
    const managed = template.findResources('AWS::IAM::ManagedPolicy');
    const documents = Object.values(managed).map((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument),
    );

    expect(documents.length).toBeGreaterThan(0);
    expect(documents.length).toBeLessThanOrEqual(2 * IAM_LIMITS.managedPerRole);
    const everything = JSON.stringify(template.toJSON());
    for (let i = 0; i < 300; i++) expect(everything).toContain(`app-user-${i}"`);
    expect(everything).not.toMatch(/secretsmanager:[^"]*:secret:\*/);
  });
});

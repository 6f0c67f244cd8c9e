import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NESTED_SCALE, scaleConfig } from '../../bench/scale-config';
import { CacheAccessFunction, ENVIRONMENT_LIMIT_BYTES } from '../../lib/constructs/cache-access-function';
import { IAM_LIMITS } from '../../lib/constructs/role-policies';
import { STACK_LIMITS, templateFiles, templateSizeProblems } from '../../lib/stack-limits';
import { synthStack } from '../support/synth';

const outdir = mkdtempSync(join(tmpdir(), 'nested-scale-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Before the config's project windows (2030-31), so every boundary gets a schedule. */
const NOW = new Date('2026-12-01T00:00:00Z');

interface SynthesizedTemplate {
  readonly Resources?: Record<string, { readonly Type: string }>;
  readonly Outputs?: Record<string, unknown>;
  readonly Parameters?: Record<string, unknown>;
}

describe("issue 20's config in nested stacks", () => {
  it('synthesizes 1,000 created secrets and 300 groups of 100 users with no template, policy or environment past its limit', {
    timeout: 120_000,
  }, () => {
    // Arrange, Act: a limit past in any template fails the synth itself
    const { app, stack } = synthStack(scaleConfig(NESTED_SCALE), { id: 'Nested', now: NOW, outdir });
    const assembly = app.synth();
    const templates = templateFiles(assembly).map(({ name, path }) => ({
      name,
      bytes: statSync(path).size,
      ...(JSON.parse(readFileSync(path, 'utf8')) as SynthesizedTemplate),
    }));

    // Assert
    expect(templateSizeProblems(assembly)).toEqual([]);
    expect(templates.length).toBeGreaterThan(16);
    for (const { name, bytes, Resources = {}, Outputs = {}, Parameters = {} } of templates) {
      expect(Object.keys(Resources).length, `${name} resources`).toBeLessThanOrEqual(STACK_LIMITS.resources);
      expect(Object.keys(Outputs).length, `${name} outputs`).toBeLessThanOrEqual(STACK_LIMITS.outputs);
      expect(Object.keys(Parameters).length, `${name} parameters`).toBeLessThanOrEqual(
        STACK_LIMITS.parameters,
      );
      expect(bytes, `${name} bytes`).toBeLessThanOrEqual(STACK_LIMITS.templateBytes);
    }
    const all = templates.flatMap(({ Resources = {} }) => Object.values(Resources));
    const ofType = (type: string) => all.filter(({ Type }) => Type === type).length;
    expect(ofType('AWS::SecretsManager::Secret')).toBe(1_000);
    expect(ofType('AWS::SecretsManager::RotationSchedule')).toBe(1_000);
    // 300 project windows of two boundaries each, the recurring ones, and the periodic reconcile
    expect(ofType('AWS::Scheduler::Schedule')).toBeGreaterThan(600);
    for (const fn of stack.node.findAll().filter((c) => c instanceof CacheAccessFunction)) {
      const { environmentBytes, policies } = fn.deploySizes();
      expect(environmentBytes).toBeLessThanOrEqual(ENVIRONMENT_LIMIT_BYTES);
      expect(policies.inlineChars).toBeLessThanOrEqual(IAM_LIMITS.inlinePerRole);
      expect(policies.managedChars.size).toBeLessThanOrEqual(IAM_LIMITS.managedPerRole);
      for (const chars of policies.managedChars.values())
        expect(chars).toBeLessThanOrEqual(IAM_LIMITS.managedPolicy);
    }
  });

  it('is refused in one stack, naming the quota and the flag a new stack can set', {
    timeout: 120_000,
  }, () => {
    const oneStack = { ...NESTED_SCALE, nestedStacks: false };

    expect(() => synthStack(scaleConfig(oneStack), { id: 'OneStack', now: NOW })).toThrow(
      /CloudFormation resource quota: stack OneStack would have \d+ resources, over CloudFormation's 500 per stack; split the config across stacks[^\n]*set rotation.nestedStacks and membership.nestedStacks to true/,
    );
  });
});

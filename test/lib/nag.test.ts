import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CacheAccessStack } from '../../lib/cache-access-stack';
import { parseConfig } from '../../lib/config/load';
import type { CacheAccessConfig } from '../../lib/config/schema';

interface Violation {
  readonly ruleName: string;
  readonly violatingConstructs: readonly { readonly constructPath: string }[];
  readonly reason?: string;
  readonly acknowledgedId?: string;
}

interface PluginReport {
  readonly pluginName: string;
  readonly conclusion: 'success' | 'failure';
  readonly violations: readonly Violation[];
  readonly suppressedViolations?: readonly Violation[];
}

interface NagResult {
  readonly synthError: unknown;
  /** Only plugins with something to say appear: a clean stack with nothing acknowledged gives none. */
  readonly reports: readonly PluginReport[];
}

const outdirs: string[] = [];

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** Synthesizes an app with cdk-nag attached as lib/app.ts attaches it, and returns the validation report. */
function nag(build: (app: App) => void): NagResult {
  const outdir = mkdtempSync(join(tmpdir(), 'cache-access-nag-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  build(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let synthError: unknown;
  // A failed validation prints the whole report; the test reads it from the file instead.
  const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  } finally {
    quiet.mockRestore();
  }
  const file = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: PluginReport[];
  };
  return { synthError, reports: file.pluginReports };
}

/** The AwsSolutions report; fails the test when there is none. */
function awsSolutions(reports: readonly PluginReport[]): PluginReport {
  const found = reports.filter((report) => report.pluginName === 'AwsSolutions');
  expect(found, 'AwsSolutions reports').toHaveLength(1);
  return found[0] as PluginReport;
}

function exampleConfig(): CacheAccessConfig {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
  return parseConfig(cdkJson.context.cacheAccess, 'cdk.json');
}

function exampleConfigWithoutNetwork(): CacheAccessConfig {
  const config = exampleConfig();
  return { ...config, rotation: { ...config.rotation, network: undefined } };
}

const ruleNames = (violations: readonly Violation[] = []) => violations.map((v) => v.ruleName);

describe('cdk-nag AwsSolutions', () => {
  it('passes the stack built from the example config, acknowledging only the VPC network interface wildcard', () => {
    // Arrange
    const config = exampleConfig();

    // Act
    const { synthError, reports } = nag((app) => new CacheAccessStack(app, 'CacheAccess', { config }));

    // Assert
    expect(synthError).toBeUndefined();
    const report = awsSolutions(reports);
    expect(report.conclusion).toBe('success');
    expect(report.violations).toEqual([]);
    expect(ruleNames(report.suppressedViolations)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
    expect(report.suppressedViolations?.[0]?.violatingConstructs.map((c) => c.constructPath)).toEqual([
      'CacheAccess/Rotation/Rotator/VpcNetworking/Resource',
    ]);
  });

  it('passes the stack built without a network with nothing acknowledged', () => {
    // Arrange
    const config = exampleConfigWithoutNetwork();

    // Act
    const { synthError, reports } = nag((app) => new CacheAccessStack(app, 'CacheAccess', { config }));

    // Assert
    expect(synthError).toBeUndefined();
    expect(reports).toEqual([]);
  });

  it('gives every acknowledged violation a reason', () => {
    // Arrange
    const configs = [exampleConfig(), exampleConfigWithoutNetwork()];

    // Act
    const suppressed = configs.flatMap((config) =>
      nag((app) => new CacheAccessStack(app, 'CacheAccess', { config })).reports.flatMap(
        (report) => report.suppressedViolations ?? [],
      ),
    );

    // Assert
    expect(suppressed.length).toBeGreaterThan(0);
    for (const violation of suppressed) {
      expect(violation.reason?.trim(), `reason for ${violation.ruleName}`).toBeTruthy();
    }
  });

  it('reports an IAM5 violation and makes synth throw for a policy on a wildcard resource', () => {
    // Arrange
    const build = (app: App) => {
      const stack = new Stack(app, 'Control', { env: { account: '123456789012', region: 'eu-west-1' } });
      const role = new iam.Role(stack, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      });
      new iam.Policy(stack, 'WildcardPolicy', {
        roles: [role],
        statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })],
      });
    };

    // Act
    const { synthError, reports } = nag(build);

    // Assert
    // Under a test runner (NODE_ENV=test: CDK's "inmemory" app mode) synth throws with the report in the message.
    expect(synthError).toBeInstanceOf(Error);
    expect((synthError as Error).message).toContain('Control/WildcardPolicy/Resource');
    expect((synthError as Error).message).toContain('A copy of this report can be found in');
    const report = awsSolutions(reports);
    expect(report.conclusion).toBe('failure');
    const iam5 = report.violations.filter((v) => v.ruleName === 'AwsSolutions-IAM5[Resource::*]');
    expect(iam5.flatMap((v) => v.violatingConstructs.map((c) => c.constructPath))).toEqual([
      'Control/WildcardPolicy/Resource',
    ]);
  });
});

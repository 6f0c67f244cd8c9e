import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { PLATFORM_SCALE, scaleConfig } from '../../bench/scale-config';
import { CacheAccessStack } from '../../lib/cache-access-stack';
import { parseConfig } from '../../lib/config/load';
import type { CacheAccessConfig } from '../../lib/config/schema';
import { unbundledApp } from '../support/synth';

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
/** Before the example's one-time window, so its boundaries get schedules. */
const NOW = new Date('2026-11-01T00:00:00Z');
/** The logical id of the membership function, which the scheduler role's acknowledgement names. */
const membershipFunctionId = 'MembershipReconcilerFunction08FB3744';

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** Synthesizes an app with cdk-nag attached as lib/app.ts attaches it, and returns the validation report. */
function nag(build: (app: App) => void): NagResult {
  const outdir = mkdtempSync(join(tmpdir(), 'cache-access-nag-'));
  outdirs.push(outdir);
  const app = unbundledApp(outdir);
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
  const { rotation, membership } = exampleConfig();
  return { membership, rotation: rotation && { ...rotation, network: undefined } };
}

/** The example's rotation section alone, without a network: nothing in it needs an acknowledgement. */
function rotationOnlyWithoutNetwork(): CacheAccessConfig {
  return { rotation: exampleConfigWithoutNetwork().rotation };
}

/**
 * The example's membership patterns: users a change may name, expiry schedules made at run time, and
 * the ephemeral users and secrets of its one ephemeral rule, under the construct's prefixes, which
 * ListSecrets cannot name.
 */
const MEMBERSHIP_PATTERNS = [
  'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:elasticache:eu-west-1:123456789012:user:*]',
  'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:memorydb:eu-west-1:123456789012:user/*]',
  'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:eu-west-1:123456789012:schedule/CacheAccess-Membership-Expiries-D6C20A4F/*]',
  'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:memorydb:eu-west-1:123456789012:user/jit-3247ea-*]',
  'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:elasticache:eu-west-1:123456789012:user:jit-3247ea-*]',
  // prod-ug and jit-ug: two ElastiCache groups are read with one list call.
  'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:elasticache:eu-west-1:123456789012:usergroup:*]',
  'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:eu-west-1:123456789012:secret:cache-access/jit-3247ea/*]',
  'AwsSolutions-IAM5[Resource::*]',
];

const ruleNames = (violations: readonly Violation[] = []) => violations.map((v) => v.ruleName);

/** Each acknowledged finding as `rule @ construct path`, sorted. */
const acknowledged = (report: PluginReport) =>
  (report.suppressedViolations ?? [])
    .flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} @ ${c.constructPath}`))
    .sort();

// A synth with every AwsSolutions rule takes a few seconds on a busy two-core machine.
describe('cdk-nag AwsSolutions', { timeout: 30_000 }, () => {
  it('passes the example config acknowledging only the VPC interface wildcard, the failure queue, member users, expiry schedules and the scheduler invoke wildcard', () => {
    // Arrange
    const config = exampleConfig();

    // Act
    const { synthError, reports } = nag(
      (app) => new CacheAccessStack(app, 'CacheAccess', { config, now: NOW }),
    );

    // Assert
    expect(synthError).toBeUndefined();
    const report = awsSolutions(reports);
    expect(report.conclusion).toBe('success');
    expect(report.violations).toEqual([]);
    expect(acknowledged(report)).toEqual(
      [
        'AwsSolutions-IAM5[Resource::*] @ CacheAccess/Rotation/Rotator/VpcNetworking/Resource',
        'AwsSolutions-SQS3 @ CacheAccess/Membership/FailedRuns/Resource',
        `AwsSolutions-IAM5[Resource::<${membershipFunctionId}.Arn>:*] @ CacheAccess/Membership/SchedulerRole/DefaultPolicy/Resource`,
        ...MEMBERSHIP_PATTERNS.map((id) => `${id} @ CacheAccess/Membership/MembershipPolicy/Resource`),
      ].sort(),
    );
  });

  it('passes a platform-sized config, whose statements spread over managed policies, acknowledging each pattern where it sits', () => {
    // Arrange
    const config = parseConfig(scaleConfig(PLATFORM_SCALE), 'platform config');

    // Act
    const { synthError, reports } = nag((app) => new CacheAccessStack(app, 'Platform', { config, now: NOW }));

    // Assert
    expect(synthError).toBeUndefined();
    const report = awsSolutions(reports);
    expect(report.violations).toEqual([]);
    const where = acknowledged(report).filter((line) => line.includes('Membership/MembershipPolicy'));
    expect(where.length).toBeGreaterThanOrEqual(3);
  });

  it("passes the example config in nested stacks, checking the shards' templates too", () => {
    // Arrange
    const { rotation, membership } = exampleConfig();
    const config: CacheAccessConfig = {
      rotation: rotation && { ...rotation, nestedStacks: true },
      membership: membership && { ...membership, nestedStacks: true },
    };

    // Act
    const { synthError, reports } = nag(
      (app) => new CacheAccessStack(app, 'CacheAccess', { config, now: NOW }),
    );

    // Assert
    expect(synthError).toBeUndefined();
    const report = awsSolutions(reports);
    expect(report.violations).toEqual([]);
    const inShards = acknowledged(report).filter((line) => line.includes('/Rotation/Shard'));
    expect(inShards.length).toBeGreaterThan(0);
    for (const line of inShards)
      expect(line).toMatch(
        /^AwsSolutions-IAM5\[Resource::\*\] @ CacheAccess\/Rotation\/Shard[0-9a-f]\/Rotator\/VpcNetworking\/Resource$/,
      );
  });

  it('passes the example config without a network acknowledging only the membership findings', () => {
    // Arrange
    const config = exampleConfigWithoutNetwork();

    // Act
    const { synthError, reports } = nag(
      (app) => new CacheAccessStack(app, 'CacheAccess', { config, now: NOW }),
    );

    // Assert
    expect(synthError).toBeUndefined();
    const report = awsSolutions(reports);
    expect(report.violations).toEqual([]);
    expect(ruleNames(report.suppressedViolations).sort()).toEqual(
      [
        'AwsSolutions-SQS3',
        `AwsSolutions-IAM5[Resource::<${membershipFunctionId}.Arn>:*]`,
        ...MEMBERSHIP_PATTERNS,
      ].sort(),
    );
  });

  it('passes a rotation-only stack without a network with nothing acknowledged', () => {
    // Arrange
    const config = rotationOnlyWithoutNetwork();

    // Act
    const { synthError, reports } = nag((app) => new CacheAccessStack(app, 'CacheAccess', { config }));

    // Assert
    expect(synthError).toBeUndefined();
    expect(reports).toEqual([]);
  });

  it('passes several groups per engine, acknowledging the list read of each engine with a reason', () => {
    // Arrange
    const window = { days: ['MON'], from: '09:00', to: '17:00', timeZone: 'UTC' };
    const grant = (name: string, groupArn: string) => ({
      name,
      groupArn,
      users: ['alice'],
      windows: [window],
    });
    const config = parseConfig(
      {
        membership: {
          grants: [
            grant('a', 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:one'),
            grant('b', 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:two'),
            grant('c', 'arn:aws:memorydb:eu-west-1:123456789012:acl/one'),
            grant('d', 'arn:aws:memorydb:eu-west-1:123456789012:acl/two'),
          ],
        },
      },
      'test',
    );

    // Act
    const { synthError, reports } = nag((app) => new CacheAccessStack(app, 'CacheAccess', { config }));

    // Assert
    expect(synthError).toBeUndefined();
    const report = awsSolutions(reports);
    expect(report.violations).toEqual([]);
    const lists = (report.suppressedViolations ?? []).filter((v) =>
      /(usergroup:|acl\/)\*\]/.test(v.ruleName),
    );
    expect(lists.map((v) => v.ruleName).sort()).toEqual([
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:elasticache:eu-west-1:123456789012:usergroup:*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:memorydb:eu-west-1:123456789012:acl/*]',
    ]);
    for (const violation of lists) expect(violation.reason).toContain('read-only describe');
  });

  it('gives every acknowledged violation a reason', () => {
    // Arrange
    const configs = [exampleConfig(), exampleConfigWithoutNetwork()];

    // Act
    const suppressed = configs.flatMap((config) =>
      nag((app) => new CacheAccessStack(app, 'CacheAccess', { config, now: NOW })).reports.flatMap(
        (report) => report.suppressedViolations ?? [],
      ),
    );

    // Assert
    expect(suppressed).toHaveLength(21);
    for (const violation of suppressed) {
      expect(violation.reason?.trim(), `reason for ${violation.ruleName}`).toBeTruthy();
    }
  });

  it('passes a chat topic the stack creates, which needs no acknowledgement of its own', () => {
    // Arrange
    const requests = (notify?: { create: true }) =>
      parseConfig(
        {
          membership: {
            requests: {
              ...(notify && { notify }),
              rules: [
                {
                  name: 'oncall',
                  groupArn: 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug',
                  users: ['alice'],
                },
              ],
            },
          },
        },
        'chat config',
      );

    // Act
    const withChat = nag(
      (app) => new CacheAccessStack(app, 'CacheAccess', { config: requests({ create: true }) }),
    );
    const without = nag((app) => new CacheAccessStack(app, 'CacheAccess', { config: requests() }));

    // Assert
    expect(withChat.synthError).toBeUndefined();
    const report = awsSolutions(withChat.reports);
    expect(report.violations).toEqual([]);
    expect(acknowledged(report)).toEqual(acknowledged(awsSolutions(without.reports)));
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

import { readFileSync } from 'node:fs';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ROTATION_STEPS } from '#core/rotation/steps';
import {
  ACCESS_OUTCOMES,
  accessOutcomeMetric,
  MEMBERSHIP_METRICS,
  METRICS_NAMESPACE,
  OWNED_GROUP_METRICS,
  ROTATION_METRICS,
  THROTTLED_CALLS,
} from '#core/runtime/metric-names';
import { CacheAccessStack } from '../../lib/cache-access-stack';
import { parseConfig } from '../../lib/config/load';
import { CacheAccessDashboard } from '../../lib/constructs/cache-access-dashboard';
import { checkedTemplates } from '../support/checked-templates';
import { dashboardOf, deploymentOf, idsOf, metricKey } from '../support/dashboard-body';
import { FULL_FEATURE_CONFIG, FULL_FEATURE_NOW } from '../support/full-feature-config';
import type { Resources } from '../support/iam-template';
import { resolved } from '../support/iam-template';
import { synthStack, unbundledApp } from '../support/synth';

const example = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context
  .cacheAccess;

function fullFeature() {
  const stack = new CacheAccessStack(unbundledApp(), 'CacheAccess', {
    config: parseConfig(FULL_FEATURE_CONFIG, 'full-feature config'),
    now: FULL_FEATURE_NOW,
  });
  return Template.fromStack(stack).toJSON() as { Resources: Resources; Outputs: Record<string, unknown> };
}

/**
 * What the handlers emit by (core/runtime/metric-names.ts, the names and services they pass to
 * Powertools), each with the dimensions Powertools gives it: `service` always, `Step` on the rotation
 * outcomes once the event names a step. test/integration/dashboard-metrics.test.ts checks the same
 * dashboard against what the bundled functions actually print.
 */
function emittedByTheHandlers(): Set<string> {
  const key = (metricName: string, service: string, extra: Record<string, string> = {}) =>
    metricKey({ namespace: METRICS_NAMESPACE, metricName, dimensions: { service, ...extra } });
  const outcomes = (fn: { service: string; succeeded: string; failed: string }) =>
    [fn.succeeded, fn.failed, THROTTLED_CALLS].map((name) => key(name, fn.service));
  const { service: rotation, stepDimension } = ROTATION_METRICS;
  return new Set([
    ...outcomes(ROTATION_METRICS),
    ...ROTATION_STEPS.flatMap((step) =>
      [ROTATION_METRICS.succeeded, ROTATION_METRICS.failed].map((name) =>
        key(name, rotation, { [stepDimension]: step }),
      ),
    ),
    ...outcomes(MEMBERSHIP_METRICS),
    ...[
      MEMBERSHIP_METRICS.groupsChanged,
      MEMBERSHIP_METRICS.membersAdded,
      MEMBERSHIP_METRICS.membersRemoved,
      MEMBERSHIP_METRICS.ephemeralUsersAlive,
      ...ACCESS_OUTCOMES.map(accessOutcomeMetric),
    ].map((name) => key(name, MEMBERSHIP_METRICS.service)),
    ...outcomes(OWNED_GROUP_METRICS),
  ]);
}

const titles = (resources: Resources) => dashboardOf(resources).widgets.map((w) => w.properties.title);

describe('the dashboard', () => {
  it('draws only metrics the functions emit, with their namespace and dimensions, and queues of the stack', () => {
    // Arrange
    const { Resources: resources } = fullFeature();
    const emitted = emittedByTheHandlers();
    const queueNames = idsOf(resources, 'AWS::SQS::Queue').map((id) =>
      resolved({ 'Fn::GetAtt': [id, 'QueueName'] }, deploymentOf(resources)),
    );

    // Act
    const { metrics } = dashboardOf(resources);

    // Assert
    const own = metrics.filter((metric) => metric.namespace === METRICS_NAMESPACE);
    const queues = metrics.filter((metric) => metric.namespace === 'AWS/SQS');
    expect(own.length + queues.length, 'metrics in other namespaces').toBe(metrics.length);
    expect(own.map(metricKey).filter((key) => !emitted.has(key))).toEqual([]);
    expect(new Set(queues.map(({ metricName }) => metricName))).toEqual(
      new Set(['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage']),
    );
    expect(new Set(queues.map(({ dimensions }) => dimensions.QueueName))).toEqual(new Set(queueNames));
  });

  it('draws every section a full config has', () => {
    // Act
    const shown = titles(fullFeature().Resources);

    // Assert
    expect(shown).toEqual(
      expect.arrayContaining([
        'Alarms',
        'Rotation steps succeeded, by step',
        'Rotations failed, by step',
        'Membership runs',
        'Membership changes',
        'Access requests',
        'Ephemeral users alive',
        'Throttled control-plane calls',
        'Failure queue depth',
      ]),
    );
  });

  it('draws rotation alone for a stack that only rotates', () => {
    // Arrange
    const { template } = synthStack({ rotation: example.rotation });

    // Act
    const shown = titles(template.toJSON().Resources);

    // Assert
    expect(shown.filter((title) => /Membership|Access|Ephemeral|queue/.test(String(title)))).toEqual([]);
    expect(shown).toContain('Rotations failed, by step');
  });

  /** A nested stack's template has neither alarms nor a dashboard: its parent's does. */
  const withDashboard = checkedTemplates().filter(({ template }) =>
    Object.values(template.Resources ?? {}).some(({ Type }) => Type === 'AWS::CloudWatch::Dashboard'),
  );

  it.each(withDashboard)('shows every alarm of the $name stack', ({ template }) => {
    // Arrange
    const resources = (template.Resources ?? {}) as Resources;
    const alarms = idsOf(resources, 'AWS::CloudWatch::Alarm').map((id) =>
      resolved({ 'Fn::GetAtt': [id, 'Arn'] }, deploymentOf(resources)),
    );

    // Act
    const { alarmArns } = dashboardOf(resources);

    // Assert
    expect(alarms.length).toBeGreaterThan(0);
    expect([...new Set(alarmArns)].sort()).toEqual([...alarms].sort());
  });

  it("is reached by the DashboardUrl output, the console of the stack's region", () => {
    // Act
    const { Outputs, Resources: resources } = fullFeature();

    // Assert
    const [dashboardId] = idsOf(resources, 'AWS::CloudWatch::Dashboard');
    expect(resolved(Outputs.DashboardUrl, deploymentOf(resources))).toMatchObject({
      Value: `https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/${dashboardId}`,
    });
  });

  it('is left out, with its output, when the config says dashboard: false', () => {
    // Act
    const { template } = synthStack({ ...example, dashboard: false });

    // Assert
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(Object.keys(template.toJSON().Outputs)).not.toContain('DashboardUrl');
  });

  it('refuses request and ephemeral-user widgets without the membership function, naming each prop', () => {
    // Arrange
    const stack = new Stack(unbundledApp(), 'Props');

    // Act
    const build = () =>
      new CacheAccessDashboard(stack, 'Dashboard', { requests: true, ephemeralUsers: true });

    // Assert
    expect(build).toThrow(
      /requests: true needs membership: true[\s\S]*ephemeralUsers: true needs membership: true/,
    );
  });

  it('refuses a dashboard setting that is not a boolean, naming it', () => {
    // Act
    const parse = () => parseConfig({ ...example, dashboard: 'yes' }, 'cdk.json');

    // Assert
    expect(parse).toThrow(/dashboard/);
  });
});

import { randomUUID } from 'node:crypto';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { METRICS_NAMESPACE } from '#core/runtime/metric-names';
import { CacheAccessDashboard } from '../../lib/constructs/cache-access-dashboard';
import {
  busEvent,
  groupArnOf,
  type LambdaHost,
  openWindow,
  provisionUser,
  rotate,
  STEPS,
  samplePassword,
  startMembershipFunction,
  startOwnedGroupsFunction,
  startRotationFunction,
  uniqueName,
} from '../../local';
import { dashboardOf, metricKey } from '../support/dashboard-body';
import type { Resources } from '../support/iam-template';
import { useLocalCloud } from '../support/local-cloud';
import { unbundledApp } from '../support/synth';

const bundles = inject('bundles');
const READER = 'arn:aws:iam::123456789012:role/oncall';
const LEAD = 'arn:aws:iam::123456789012:role/lead';
/** Every call after the first of each control plane is refused for its rate until the throttle is lifted. */
const THROTTLED = { requestsPerSecond: 0.001, burst: 1, services: ['elasticache', 'memorydb'] } as const;

/** The metrics in the EMF lines a function printed, as CloudWatch would file them. */
function emfMetrics(logs: readonly string[]): string[] {
  return logs.flatMap((line) => {
    if (!line.includes('"_aws"')) return [];
    const record = JSON.parse(line) as Record<string, unknown> & {
      _aws: {
        CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
      };
    };
    return record._aws.CloudWatchMetrics.flatMap(({ Namespace, Dimensions, Metrics }) =>
      Dimensions.flatMap((names) =>
        Metrics.map(({ Name }) =>
          metricKey({
            namespace: Namespace,
            metricName: Name,
            dimensions: Object.fromEntries(names.map((name) => [name, String(record[name])])),
          }),
        ),
      ),
    );
  });
}

/**
 * The bundled functions run through what each dashboard widget counts (rotation steps that succeed
 * and fail, runs, changes, requests granted and refused, an ephemeral user, throttled calls) with
 * their Powertools output captured: every metric the dashboard draws must be among
 * what they printed, with the same namespace and dimensions.
 */
describe('the metrics the dashboard draws, against what the bundled functions emit', () => {
  const cloud = useLocalCloud();
  const emitted = new Set<string>();
  const keep = (fn: LambdaHost) => {
    for (const key of emfMetrics(fn.logs)) emitted.add(key);
  };
  beforeAll(() => cloud.aws.iam.add(READER));
  afterAll(() => cloud.aws.setThrottle(undefined));

  it('rotation prints each step succeeded and failed by step, a step-less failure and a throttled call', async () => {
    // Arrange
    const user = await provisionUser(cloud.aws, 'elasticache', uniqueName('app'));
    const fn = await startRotationFunction(bundles.rotate ?? '', cloud.aws, cloud.redis, [user]);
    cloud.fn = fn;

    // Act
    const rotated = await rotate(fn, cloud.aws, user.secretArn);
    const stranger = `${user.secretArn.slice(0, -6)}Zz9Yy8`;
    const refused: boolean[] = [];
    for (const step of STEPS) {
      refused.push(
        !(await fn.invoke({ Step: step, SecretId: stranger, ClientRequestToken: randomUUID() })).ok,
      );
    }
    const malformed = await fn.invoke({
      Step: 'rotateSecret',
      SecretId: user.secretArn,
      ClientRequestToken: randomUUID(),
    });
    cloud.aws.setThrottle(THROTTLED);
    // createSecret's read of the user takes the one token, so setSecret's change is throttled.
    const throttled = await rotate(fn, cloud.aws, user.secretArn, { timeoutMs: 20_000 });
    cloud.aws.setThrottle(undefined);
    keep(fn);

    // Assert
    expect(rotated.failed).toBeUndefined();
    expect(refused).toEqual([true, true, true, true]);
    expect(malformed.ok).toBe(false);
    expect(throttled.failed?.step).toBe('setSecret');
    expect(cloud.aws.throttledCount).toBeGreaterThan(0);
  });

  it('membership prints runs and failed runs, changes, requests granted, pending and refused, ephemeral users alive and a throttled call', {
    timeout: 180_000,
  }, async () => {
    // Arrange
    const groupId = uniqueName('grp');
    const member = uniqueName('alice');
    await cloud.aws.users.create({
      engine: 'elasticache',
      id: member,
      passwords: [samplePassword()],
      governedByGroups: true,
    });
    await cloud.aws.groups.create({ engine: 'elasticache', id: groupId });
    const groupArn = groupArnOf('elasticache', groupId);
    const reviewed = uniqueName('grp');
    await cloud.aws.groups.create({ engine: 'elasticache', id: reviewed });
    const reviewedArn = groupArnOf('elasticache', reviewed);
    const fn = await startMembershipFunction(
      bundles.membership ?? '',
      cloud.aws,
      [{ name: 'day', groupArn, users: [member], windows: [openWindow()] }],
      {
        requests: {
          eventBusName: 'cache-access',
          rules: [
            {
              name: 'debug',
              groupArn,
              maxDuration: 'PT2H',
              ephemeral: { accessString: 'on ~* -@all +@read', maxActive: 2, readers: [READER] },
            },
            // Automation may still ask on the bus; a lead approves.
            {
              name: 'review',
              groupArn: reviewedArn,
              users: [member],
              maxDuration: 'PT2H',
              approvers: [LEAD],
              via: ['api', 'bus'],
            },
          ],
        },
      },
    );
    cloud.fn = fn;
    const asked = {
      groupArn,
      ephemeral: { reader: READER },
      duration: 'PT1H',
      requestedBy: 'oncall@example.com',
      reason: 'INC-42',
    };
    const request = (requestId: string, changed: Record<string, unknown> = {}) =>
      fn.invoke(busEvent('Cache Access Requested', { ...asked, requestId, ...changed }));

    // Act
    const reconciled = await fn.invoke({ groupArn, trigger: 'reconcile' });
    const granted = await request(uniqueName('CHG'));
    const refused = await request(uniqueName('CHG'), { duration: 'PT9H' });
    const unreadable = await request(uniqueName('CHG'), { duration: 'a while' });
    const pending = await request(uniqueName('CHG'), {
      groupArn: reviewedArn,
      ephemeral: undefined,
      user: member,
    });
    const swept = await fn.invoke({ trigger: 'reconcile' });
    const failed = await fn.invoke({ trigger: 'reconcile', groupArn: groupArnOf('elasticache', 'not-ours') });
    cloud.aws.setThrottle(THROTTLED);
    await fn.invoke({ trigger: 'reconcile' }, { timeoutMs: 14_000 });
    cloud.aws.setThrottle(undefined);
    keep(fn);

    // Assert
    expect([reconciled.ok, granted.ok, refused.ok, unreadable.ok, pending.ok, swept.ok, failed.ok]).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(
      [granted, refused, unreadable, pending].map(({ result }) => (result as { access: string }).access),
    ).toEqual(['granted', 'refused', 'refused', 'pending']);
    const refusals = fn.logs.filter((line) => line.includes('"AccessRefused":1'));
    expect(refusals, 'one AccessRefused per refused event, unreadable ones included').toHaveLength(2);
    expect(fn.logs.filter((line) => line.includes('"EphemeralUsersAlive":1'))).toHaveLength(1);
  });

  it('the owned-groups function prints a throttled call', async () => {
    // Arrange
    const fn = await startOwnedGroupsFunction(bundles['owned-groups'] ?? '', cloud.aws);
    cloud.fn = fn;
    cloud.aws.setThrottle(THROTTLED);

    // Act
    for (let attempt = 0; attempt < 2; attempt++) {
      await fn.send('Create', {
        GroupArn: groupArnOf('elasticache', uniqueName('own')),
        ServerEngine: 'valkey',
        RemovalPolicy: 'retain',
      });
    }
    cloud.aws.setThrottle(undefined);
    keep(fn);

    // Assert
    expect(fn.logs.some((line) => line.includes('"ControlPlaneThrottled":1'))).toBe(true);
  });

  it('every metric of a dashboard with every widget is among them', () => {
    // Arrange: every function's widgets; queues and alarms are AWS's metrics, not the functions'
    const stack = new Stack(unbundledApp(), 'CacheAccess', { env: { region: 'eu-west-1' } });
    new CacheAccessDashboard(stack, 'Dashboard', {
      rotation: true,
      membership: true,
      requests: true,
      ephemeralUsers: true,
      ownedGroups: true,
    });
    const resources = Template.fromStack(stack).toJSON().Resources as Resources;

    // Act
    const drawn = dashboardOf(resources).metrics.filter((metric) => metric.namespace === METRICS_NAMESPACE);

    // Assert
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.length, 'metrics in other namespaces').toBe(dashboardOf(resources).metrics.length);
    expect(drawn.map(metricKey).filter((key) => !emitted.has(key))).toEqual([]);
  });
});

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { ROTATION_STEPS } from '#core/rotation/steps';
import {
  type AccessOutcomeKind,
  accessOutcomeMetric,
  MEMBERSHIP_METRICS,
  METRICS_NAMESPACE,
  OWNED_GROUP_METRICS,
  ROTATION_METRICS,
  SERVICE_DIMENSION,
  THROTTLED_CALLS,
} from '#core/runtime/metric-names';

/**
 * The access-event outcomes the requests widget draws. Only outcomes the function emits belong here
 * (the type says which); a new one is one more entry.
 */
export const REQUEST_OUTCOMES_SHOWN: readonly AccessOutcomeKind[] = ['granted', 'pending', 'refused'];

const PERIOD = Duration.minutes(5);
/** The ephemeral-user gauge comes with the periodic reconcile, every 15 minutes unless configured otherwise. */
const GAUGE_PERIOD = Duration.minutes(15);
const WIDE = 12;
const THIRD = 8;
const HEIGHT = 6;

/** A count the function with `service` emits, summed per period. */
function count(service: string, metricName: string, label: string, dimensions: Record<string, string> = {}) {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { [SERVICE_DIMENSION]: service, ...dimensions },
    statistic: cloudwatch.Stats.SUM,
    period: PERIOD,
    label,
  });
}

function graph(title: string, left: cloudwatch.IMetric[], width = THIRD): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left, width, height: HEIGHT, leftYAxis: { min: 0 } });
}

/** Each step's successes, and each step's failures (plus events that named no step) as rotations failed. */
export function rotationWidgets(): cloudwatch.IWidget[] {
  const { service, succeeded, failed, stepDimension } = ROTATION_METRICS;
  const byStep = (metricName: string) =>
    ROTATION_STEPS.map((step) => count(service, metricName, step, { [stepDimension]: step }));
  return [
    graph('Rotation steps succeeded, by step', byStep(succeeded), WIDE),
    graph(
      'Rotations failed, by step',
      [...byStep(failed), count(service, failed, 'event naming no step')],
      WIDE,
    ),
  ];
}

/** Runs and their failures, the changes they made, and what access events came to. */
export function membershipWidgets(options: { readonly requests: boolean }): cloudwatch.IWidget[] {
  const { service, succeeded, failed, groupsChanged, membersAdded, membersRemoved } = MEMBERSHIP_METRICS;
  return [
    graph('Membership runs', [count(service, succeeded, 'succeeded'), count(service, failed, 'failed')]),
    graph('Membership changes', [
      count(service, groupsChanged, 'groups changed'),
      count(service, membersAdded, 'members added'),
      count(service, membersRemoved, 'members removed'),
    ]),
    ...(options.requests
      ? [
          graph(
            'Access requests',
            REQUEST_OUTCOMES_SHOWN.map((kind) => count(service, accessOutcomeMetric(kind), kind)),
          ),
        ]
      : []),
  ];
}

export function ephemeralUsersWidget(): cloudwatch.IWidget {
  const { service, ephemeralUsersAlive } = MEMBERSHIP_METRICS;
  return graph('Ephemeral users alive', [
    new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: ephemeralUsersAlive,
      dimensionsMap: { [SERVICE_DIMENSION]: service },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: GAUGE_PERIOD,
      label: 'alive',
    }),
  ]);
}

/** Which of the functions that call a cache control plane get a line for their throttled calls. */
export type ThrottledServices = Partial<Record<'rotation' | 'membership' | 'ownedGroups', boolean>>;

export function throttledCallsWidget(shown: ThrottledServices): cloudwatch.IWidget {
  const services = {
    rotation: ROTATION_METRICS.service,
    membership: MEMBERSHIP_METRICS.service,
    ownedGroups: OWNED_GROUP_METRICS.service,
  };
  return graph(
    'Throttled control-plane calls',
    Object.entries(services)
      .filter(([name]) => shown[name as keyof ThrottledServices])
      .map(([, service]) => count(service, THROTTLED_CALLS, service)),
  );
}

/** Messages waiting in each failure queue: runs that gave up after their retries. */
export function failureQueueWidget(queues: Readonly<Record<string, sqs.IQueue>>): cloudwatch.IWidget {
  return graph(
    'Failure queue depth',
    Object.entries(queues).map(([name, queue]) =>
      queue.metricApproximateNumberOfMessagesVisible({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: PERIOD,
        label: name,
      }),
    ),
  );
}

/**
 * Access events waiting in the request queue, and how long the oldest has waited: a burst shows as a
 * spike that drains in seconds; a line that stays up means batches are failing or held up.
 */
export function requestQueueWidget(queue: sqs.IQueue): cloudwatch.IWidget {
  return new cloudwatch.GraphWidget({
    title: 'Queued access events',
    width: 12,
    height: HEIGHT,
    left: [
      queue.metricApproximateNumberOfMessagesVisible({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: PERIOD,
        label: 'waiting',
      }),
    ],
    right: [
      queue.metricApproximateAgeOfOldestMessage({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: PERIOD,
        label: 'oldest (s)',
      }),
    ],
    leftYAxis: { min: 0 },
    rightYAxis: { min: 0 },
  });
}

/** Every alarm's state at a glance, then each alarm's metric against its threshold. */
export function alarmWidgets(alarms: readonly cloudwatch.IAlarm[]): cloudwatch.IWidget[] {
  if (alarms.length === 0) return [];
  return [
    new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms], width: 24 }),
    ...alarms.map(
      (alarm) =>
        new cloudwatch.AlarmWidget({
          title: alarm.node.id,
          alarm,
          width: 6,
          height: HEIGHT,
          leftYAxis: { min: 0 },
        }),
    ),
  ];
}

import { type Deployed, type Resources, resolved } from './iam-template';

/** A metric a dashboard widget draws, as CloudWatch reads its `[namespace, name, dim, value, ..., options]` row. */
export interface ShownMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface DashboardView {
  readonly widgets: readonly { readonly type: string; readonly properties: Record<string, unknown> }[];
  readonly metrics: readonly ShownMetric[];
  /** Alarms shown by an alarm status widget, an alarm widget or a graph's alarm annotation. */
  readonly alarmArns: readonly string[];
}

/** What the template's references resolve to in one deployment to eu-west-1, with names from logical ids. */
export function deploymentOf(resources: Resources): Deployed {
  return {
    resources,
    region: 'eu-west-1',
    account: '123456789012',
    stack: {
      name: 'CacheAccess',
      id: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/CacheAccess/0a1b2c3d',
    },
    physicalNames: {},
  };
}

/** The ids of the template's resources of `type`. */
export const idsOf = (resources: Resources, type: string) =>
  Object.entries(resources).flatMap(([id, resource]) => (resource.Type === type ? [id] : []));

/**
 * The one dashboard of the template, its body resolved as CloudFormation would and read as CloudWatch
 * reads it. A row that is not a plain metric (a math expression, a `.` shorthand) fails the read, so a
 * later change to the widgets cannot slip metrics past the checks.
 */
export function dashboardOf(resources: Resources): DashboardView {
  const [id, ...others] = idsOf(resources, 'AWS::CloudWatch::Dashboard');
  if (id === undefined || others.length > 0) throw new Error('expected exactly one dashboard');
  const body = resolved(resources[id]?.Properties?.DashboardBody, deploymentOf(resources));
  if (typeof body !== 'string') throw new Error(`dashboard body resolved to ${typeof body}, not a string`);
  const { widgets } = JSON.parse(body) as DashboardView;
  const metrics: ShownMetric[] = [];
  const alarmArns: string[] = [];
  for (const { type, properties } of widgets) {
    if (type === 'alarm') alarmArns.push(...(properties.alarms as string[]));
    const annotations = properties.annotations as { alarms?: string[] } | undefined;
    alarmArns.push(...(annotations?.alarms ?? []));
    for (const row of (properties.metrics ?? []) as unknown[][]) metrics.push(metricOf(row));
  }
  return { widgets, metrics, alarmArns };
}

function metricOf(row: readonly unknown[]): ShownMetric {
  const plain = row.filter((item) => typeof item === 'string');
  const [namespace, metricName, ...pairs] = plain;
  if (namespace === undefined || metricName === undefined || namespace === '.' || pairs.length % 2 !== 0) {
    throw new Error(`a dashboard metric row this reader does not understand: ${JSON.stringify(row)}`);
  }
  const dimensions: Record<string, string> = {};
  for (let index = 0; index < pairs.length; index += 2)
    dimensions[pairs[index] ?? ''] = pairs[index + 1] ?? '';
  return { namespace, metricName, dimensions };
}

/** A metric as one comparable string: namespace, name and dimensions sorted by name. */
export const metricKey = ({ namespace, metricName, dimensions }: ShownMetric) =>
  [
    namespace,
    metricName,
    ...Object.entries(dimensions)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => `${name}=${value}`),
  ].join(' ');

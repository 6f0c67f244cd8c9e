import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  alarmWidgets,
  ephemeralUsersWidget,
  failureQueueWidget,
  membershipWidgets,
  requestQueueWidget,
  rotationWidgets,
  throttledCallsWidget,
} from './dashboard/widgets';
import { propsError } from './props-error';

/**
 * What the dashboard shows. The functions' metrics are keyed by namespace and service name, not by
 * function, so each flag says only whether the widgets for that function belong on it.
 */
export interface CacheAccessDashboardProps {
  /**
   * The dashboard's name.
   * @default - CloudFormation names it
   */
  readonly dashboardName?: string;
  /**
   * Show the rotation function: each step's successes, and the rotations that failed by step.
   * @default false
   */
  readonly rotation?: boolean;
  /**
   * Show the membership function: runs and failed runs, groups changed, members added and removed.
   * @default false
   */
  readonly membership?: boolean;
  /**
   * Show access requests granted and refused; only with `membership`.
   * @default false
   */
  readonly requests?: boolean;
  /**
   * Show how many ephemeral users exist, as the periodic reconcile counts them; only with `membership`.
   * @default false
   */
  readonly ephemeralUsers?: boolean;
  /**
   * Show the owned-groups function's throttled calls.
   * @default false
   */
  readonly ownedGroups?: boolean;
  /**
   * Queues that collect runs that failed for good, by the name their line gets.
   * @default - none
   */
  readonly failureQueues?: Readonly<Record<string, sqs.IQueue>>;
  /**
   * The queue access events wait in during a burst: how many wait, and for how long.
   * @default - not shown
   */
  readonly requestQueue?: sqs.IQueue;
  /**
   * Alarms to show: their state together, and each one's metric against its threshold.
   * @default - none
   */
  readonly alarms?: readonly cloudwatch.IAlarm[];
}

/**
 * One CloudWatch dashboard for the health of rotation, membership and requested access: the metrics
 * the functions emit (`CacheAccessAutomation` namespace), the failure queues and the alarms.
 */
export class CacheAccessDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  /** The dashboard in the CloudWatch console of the stack's region. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: CacheAccessDashboardProps) {
    super(scope, id);
    const { rotation = false, membership = false, ownedGroups = false } = props;
    const needMembership = (['requests', 'ephemeralUsers'] as const).filter(
      (name) => props[name] && !membership,
    );
    if (needMembership.length > 0) {
      throw propsError(
        'CacheAccessDashboard',
        needMembership.map(
          (name) => `${name}: true needs membership: true; those figures are the membership function's`,
        ),
      );
    }
    const functions = [
      ...(rotation ? rotationWidgets() : []),
      ...(membership ? membershipWidgets({ requests: props.requests === true }) : []),
    ];
    const health = [
      ...(props.ephemeralUsers ? [ephemeralUsersWidget()] : []),
      ...(rotation || membership || ownedGroups
        ? [throttledCallsWidget({ rotation, membership, ownedGroups })]
        : []),
      ...(props.requestQueue ? [requestQueueWidget(props.requestQueue)] : []),
      ...(Object.keys(props.failureQueues ?? {}).length > 0
        ? [failureQueueWidget(props.failureQueues ?? {})]
        : []),
    ];
    const [status, ...perAlarm] = alarmWidgets(props.alarms ?? []);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      ...(props.dashboardName !== undefined && { dashboardName: props.dashboardName }),
      widgets: [status ? [status] : [], functions, health, perAlarm].filter((row) => row.length > 0),
    });
    const { region } = Stack.of(this);
    this.url = `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${this.dashboard.dashboardName}`;
  }
}

import { type CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import {
  type CloudWatchClient,
  DescribeAlarmHistoryCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';

/** What proving the alert path needs; clients are passed in so the steps can be tested. */
export interface AlertPathRequest {
  readonly cloudFormation: CloudFormationClient;
  readonly cloudWatch: CloudWatchClient;
  readonly stackName: string;
  /** One alarm of the stack, by name; by default the first the stack has. */
  readonly alarmName?: string;
  /** Who asked, for the alarm's state reason. */
  readonly by: string;
  /** How long to wait for CloudWatch to report the action, in ms. */
  readonly waitMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface AlertPathResult {
  readonly alarmName: string;
  /** CloudWatch's own words on the SNS action: delivered or not, and why. */
  readonly actionSummary: string;
  readonly delivered: boolean;
}

export class AlertPathError extends Error {
  override readonly name = 'AlertPathError';
}

/**
 * Puts one of the stack's alarms into ALARM, waits for CloudWatch to record what its SNS action did,
 * and puts the alarm back to OK. CloudWatch's history says whether the topic accepted the message,
 * which is the part a topic or key policy can break; the subscriber then gets one alert.
 */
export async function proveAlertPath(request: AlertPathRequest): Promise<AlertPathResult> {
  const sleep = request.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const alarmName = request.alarmName ?? (await firstAlarm(request));
  const since = new Date();
  await setState(
    request,
    alarmName,
    'ALARM',
    `alert-test by ${request.by}: proving the alert path, not a failure`,
  );
  try {
    for (let waited = 0; ; waited += 2_000) {
      const summary = await actionSummary(request, alarmName, since);
      if (summary !== undefined) {
        return {
          alarmName,
          actionSummary: summary,
          delivered: /^Successfully executed action/i.test(summary),
        };
      }
      if (waited >= request.waitMs) {
        throw new AlertPathError(
          `alarm ${alarmName} went to ALARM, but CloudWatch recorded no action within ${request.waitMs / 1_000} s; check that it has an alarm action`,
        );
      }
      await sleep(2_000);
    }
  } finally {
    await setState(request, alarmName, 'OK', `alert-test by ${request.by}: done`);
  }
}

async function firstAlarm({ cloudFormation, stackName }: AlertPathRequest): Promise<string> {
  for await (const page of paginateListStackResources({ client: cloudFormation }, { StackName: stackName })) {
    const alarm = page.StackResourceSummaries?.find((r) => r.ResourceType === 'AWS::CloudWatch::Alarm');
    if (alarm?.PhysicalResourceId) return alarm.PhysicalResourceId;
  }
  throw new AlertPathError(`stack ${stackName} has no CloudWatch alarm; is it deployed?`);
}

async function setState(
  { cloudWatch }: AlertPathRequest,
  alarmName: string,
  state: 'ALARM' | 'OK',
  reason: string,
): Promise<void> {
  await cloudWatch.send(
    new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: state, StateReason: reason }),
  );
}

async function actionSummary(
  { cloudWatch }: AlertPathRequest,
  alarmName: string,
  since: Date,
): Promise<string | undefined> {
  const { AlarmHistoryItems = [] } = await cloudWatch.send(
    new DescribeAlarmHistoryCommand({ AlarmName: alarmName, HistoryItemType: 'Action', StartDate: since }),
  );
  return AlarmHistoryItems.find((item) => item.HistorySummary)?.HistorySummary;
}

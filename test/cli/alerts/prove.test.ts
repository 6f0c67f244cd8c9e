import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertPathError, proveAlertPath } from '../../../cli/alerts/prove';

const cloudFormation = mockClient(CloudFormationClient);
const cloudWatch = mockClient(CloudWatchClient);
const ALARM = 'CacheAccessAutomation-AlertsRotationErrors0F1D2348-1A2B3C';

afterEach(() => {
  cloudFormation.reset();
  cloudWatch.reset();
});

function request(overrides: { alarmName?: string; waitMs?: number } = {}) {
  return {
    cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
    cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }),
    stackName: 'CacheAccessAutomation',
    by: 'alice',
    waitMs: 4_000,
    sleep: async () => {},
    ...overrides,
  };
}

const states = () =>
  cloudWatch.commandCalls(SetAlarmStateCommand).map(({ args: [command] }) => command.input.StateValue);

describe('proveAlertPath', () => {
  it("puts the stack's first alarm into ALARM, reads what its action did, and puts it back to OK", async () => {
    cloudFormation.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        {
          ResourceType: 'AWS::SNS::Topic',
          PhysicalResourceId: 'arn:aws:sns:eu-west-1:1:topic',
          LogicalResourceId: 'T',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
        {
          ResourceType: 'AWS::CloudWatch::Alarm',
          PhysicalResourceId: ALARM,
          LogicalResourceId: 'A',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
      ],
    });
    cloudWatch
      .on(DescribeAlarmHistoryCommand)
      .resolvesOnce({ AlarmHistoryItems: [] })
      .resolves({
        AlarmHistoryItems: [{ HistorySummary: 'Successfully executed action arn:aws:sns:eu-west-1:1:topic' }],
      });

    const result = await proveAlertPath(request());

    expect(result).toEqual({
      alarmName: ALARM,
      actionSummary: 'Successfully executed action arn:aws:sns:eu-west-1:1:topic',
      delivered: true,
    });
    expect(states()).toEqual(['ALARM', 'OK']);
    expect(cloudWatch.commandCalls(SetAlarmStateCommand)[0]?.args[0].input.StateReason).toMatch(
      /alert-test by alice/,
    );
  });

  it('reports a refused publish as not delivered, in CloudWatch words, and still resets the alarm', async () => {
    const refusal =
      'Failed to execute action arn:aws:sns:eu-west-1:1:topic. Received error: "CloudWatch Alarms is not authorized to perform: SNS:Publish"';
    cloudWatch.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [{ HistorySummary: refusal }] });

    const result = await proveAlertPath(request({ alarmName: ALARM }));

    expect(result.delivered).toBe(false);
    expect(result.actionSummary).toBe(refusal);
    expect(states()).toEqual(['ALARM', 'OK']);
    expect(cloudFormation.calls()).toHaveLength(0);
  });

  it('fails naming the alarm when CloudWatch records no action in time, and resets the alarm', async () => {
    cloudWatch.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [] });

    await expect(proveAlertPath(request({ alarmName: ALARM }))).rejects.toThrow(
      new AlertPathError(
        `alarm ${ALARM} went to ALARM, but CloudWatch recorded no action within 4 s; check that it has an alarm action`,
      ),
    );
    expect(states()).toEqual(['ALARM', 'OK']);
  });

  it('fails naming the stack when it has no alarm, and changes no alarm', async () => {
    cloudFormation.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });

    await expect(proveAlertPath(request())).rejects.toThrow(
      /stack CacheAccessAutomation has no CloudWatch alarm/,
    );
    expect(states()).toEqual([]);
  });
});

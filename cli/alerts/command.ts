import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DEFAULT_STACK } from '../stack-outputs';
import { proveAlertPath } from './prove';

const USAGE = `usage: npm run alert-test -- [--stack NAME] [--alarm NAME] [--wait SECONDS]

Puts one alarm of the deployed stack (default ${DEFAULT_STACK}, its first alarm) into ALARM,
waits for CloudWatch to record whether the alert topic accepted the message, and puts the alarm
back to OK. The topic's subscribers get one alert that says it is a test. Run it after every
deploy that changes the topic, its key or its subscriptions.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stack: { type: 'string', default: DEFAULT_STACK },
      alarm: { type: 'string' },
      wait: { type: 'string', default: '60' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const cloudFormation = new CloudFormationClient({});
  const cloudWatch = new CloudWatchClient({});
  try {
    const result = await proveAlertPath({
      cloudFormation,
      cloudWatch,
      stackName: values.stack,
      alarmName: values.alarm,
      by: userInfo().username,
      waitMs: Number(values.wait) * 1_000,
    });
    console.log(`alarm ${result.alarmName}: ${result.actionSummary}`);
    if (!result.delivered) process.exitCode = 1;
  } finally {
    cloudFormation.destroy();
    cloudWatch.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

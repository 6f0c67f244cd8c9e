import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { quoted } from '#core/runtime/quoted';
import type { MembershipConfig } from '../../lib/config/membership';
import { loadMembership, readLiveGroups } from '../plan/inputs';
import { DEFAULT_STACK } from '../stack-outputs';
import { exitCodeOf, renderRows } from './rows';
import { verifyStack } from './verify';

const USAGE = `usage: npm run verify -- [--stack NAME] [--config path.json]

Read-only checks of the deployed stack (default ${DEFAULT_STACK}) with your AWS credentials: every
rotated secret (rotation on, rotated, not overdue, no rotation left unfinished), every schedule the
stack declares (present and ENABLED), every group the config governs (active and holding who the plan
wants now), the grant table, a confirmed subscription on the alert topic, and the request API when the
stack has one. Prints one row per check; exits 0 when nothing fails, 1 when something does, 2 on bad
arguments. --config is the config the stack was deployed from (default: cdk.json's).`;

// CloudFormation's stack name rule, or a stack ARN.
const STACK_NAME = /^([a-zA-Z][-a-zA-Z0-9]{0,127}|arn:aws[-a-z]*:cloudformation:[^\s]+)$/;

class UsageError extends Error {}

function parseCommandLine(): { stackName: string; membership: MembershipConfig | undefined } | 'help' {
  let values: { stack: string; config?: string; help: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        stack: { type: 'string', default: DEFAULT_STACK },
        config: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';
  if (!STACK_NAME.test(values.stack)) {
    throw new UsageError(
      `--stack ${quoted(values.stack)} is not a stack name (a letter, then letters, digits or hyphens, at most 128) or a stack ARN`,
    );
  }
  try {
    return { stackName: values.stack, membership: loadMembership(values.config) };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function main(): Promise<void> {
  const parsed = parseCommandLine();
  if (parsed === 'help') {
    console.log(USAGE);
    return;
  }
  const clients = {
    cloudFormation: new CloudFormationClient({}),
    secretsManager: new SecretsManagerClient({}),
    scheduler: new SchedulerClient({}),
    dynamoDb: new DynamoDBClient({}),
    sns: new SNSClient({}),
  };
  try {
    const rows = await verifyStack({
      clients,
      ...parsed,
      readGroups: readLiveGroups,
      identity: () => clients.sns.config.credentials(),
      region: await clients.sns.config.region(),
      now: new Date(),
    });
    console.log(renderRows(rows));
    process.exitCode = exitCodeOf(rows);
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  if (error instanceof UsageError) console.error(`\n${USAGE}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});

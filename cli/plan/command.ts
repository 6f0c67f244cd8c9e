import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { StoredCoverage } from '#core/requests/coverage';
import { DynamoDbAccessStore } from '#core/requests/dynamodb-store';
import { DEFAULT_STACK, stackOutput } from '../stack-outputs';
import { governedGroups, loadMembership, readLiveGroups } from './inputs';
import { planReport } from './report';

const USAGE = `usage: npm run plan -- [--at <ISO 8601 with offset>] [--days N] [--live] [--config path.json]
                        [--stack NAME | --table NAME]

Prints, from the config alone, who each group's members should be at --at (default: now) and the
changes in the next --days (default 7). --live also reads the groups and the grant table through the
AWS SDK (your credentials, read-only calls): requested grants, suspensions and the users the stack
has managed count, and it prints the change a reconcile would apply now. Nothing is changed.
--stack (default ${DEFAULT_STACK}) finds the grant table from the deployed stack's output.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      at: { type: 'string' },
      days: { type: 'string', default: '7' },
      live: { type: 'boolean', default: false },
      config: { type: 'string' },
      stack: { type: 'string', default: DEFAULT_STACK },
      table: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const at = values.at === undefined ? DateTime.now() : DateTime.fromISO(values.at, { setZone: true });
  if (!at.isValid)
    throw new Error(`--at '${values.at}' is not an ISO 8601 date-time such as 2026-12-01T10:00:00+01:00`);
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 0 || days > 366)
    throw new Error(`--days '${values.days}' must be a whole number from 0 to 366`);

  const membership = loadMembership(values.config);
  if (!membership) throw new Error('the config has no membership section: there is nothing to plan');
  const { grants } = membership;
  const groups = governedGroups(membership);
  if (!values.live) {
    console.log(planReport({ grants, groups, at, days }));
    return;
  }
  const tableName = values.table ?? (await stackOutput(values.stack, 'MembershipAccessTableName'));
  const store = new DynamoDbAccessStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName);
  const [live, coverage] = await Promise.all([readLiveGroups(groups), new StoredCoverage(store).coverage()]);
  console.log(planReport({ grants, groups, at, days, live, coverage }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});

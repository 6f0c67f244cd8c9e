import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { cacheDirectories } from '#core/cache/adapters/directories';
import type { GroupState } from '#core/cache/ports';
import type { CacheGroupRef } from '#core/cache/refs';
import { StoredCoverage } from '#core/requests/coverage';
import { DynamoDbAccessStore } from '#core/requests/dynamodb-store';
import { CONFIG_FILE_CONTEXT_KEY, loadConfig } from '../../lib/config/load';
import { DEFAULT_STACK, stackOutput } from '../stack-outputs';
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

  const cdkContext =
    JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context ?? {};
  const config = loadConfig((key) => (key === CONFIG_FILE_CONTEXT_KEY ? values.config : cdkContext[key]));
  if (!config.membership) throw new Error('the config has no membership section: there is nothing to plan');
  const { grants, requests } = config.membership;

  const groups = new Map([...grants, ...(requests?.rules ?? [])].map(({ group }) => [group.arn, group]));
  if (!values.live) {
    console.log(planReport({ grants, groups: [...groups.values()], at, days }));
    return;
  }
  const tableName = values.table ?? (await stackOutput(values.stack, 'MembershipAccessTableName'));
  const store = new DynamoDbAccessStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName);
  const [live, coverage] = await Promise.all([
    readLiveGroups([...groups.values()]),
    new StoredCoverage(store).coverage(),
  ]);
  console.log(planReport({ grants, groups: [...groups.values()], at, days, live, coverage }));
}

/** Reads the groups in one batched call per engine; a group that cannot be read is reported, not fatal. */
async function readLiveGroups(groups: readonly CacheGroupRef[]): Promise<Map<string, GroupState | string>> {
  const directories = cacheDirectories();
  const states = new Map<string, GroupState | string>();
  for (const engine of new Set(groups.map((group) => group.engine))) {
    const ofEngine = groups.filter((group) => group.engine === engine);
    try {
      const found = await directories[engine].describeGroups(ofEngine);
      for (const group of ofEngine) states.set(group.arn, found.get(group.arn) ?? 'it does not exist');
    } catch (error) {
      const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      for (const group of ofEngine) states.set(group.arn, why);
    }
  }
  return states;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});

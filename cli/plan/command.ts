import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DateTime, IANAZone } from 'luxon';
import { StoredCoverage } from '#core/requests/coverage';
import { DynamoDbAccessStore } from '#core/requests/dynamodb-store';
import { quoted } from '#core/runtime/quoted';
import { DEFAULT_STACK, stackOutput } from '../stack-outputs';
import { timeline } from './html/model';
import { timelinePage } from './html/page';
import { governedGroups, loadMembership, readLiveGroups, readRecords } from './inputs';
import { planReport } from './report';

/** Past two months a day is a few pixels wide: the page stops being readable. */
const MAX_PAGE_DAYS = 62;

const USAGE = `usage: npm run plan -- [--at <ISO 8601 with offset>] [--days N] [--live] [--config path.json]
                        [--stack NAME | --table NAME] [--html FILE [--tz ZONE]]

Prints, from the config alone, who each group's members should be at --at (default: now) and the
changes in the next --days (default 7). --live also reads the groups and the grant table through the
AWS SDK (your credentials, read-only calls): requested grants, suspensions and the users the stack
has managed count, and it prints the change a reconcile would apply now. Nothing is changed.
--stack (default ${DEFAULT_STACK}) finds the grant table from the deployed stack's output.
--html writes the access timeline instead: one self-contained HTML page with a lane per group, a
row per user and bars for --days calendar days (1 to ${MAX_PAGE_DAYS}) from today, in --tz (an IANA zone;
default this machine's).`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      at: { type: 'string' },
      days: { type: 'string', default: '7' },
      live: { type: 'boolean', default: false },
      config: { type: 'string' },
      stack: { type: 'string', default: DEFAULT_STACK },
      table: { type: 'string' },
      html: { type: 'string' },
      tz: { type: 'string', default: DateTime.local().zoneName },
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
  if (values.html !== undefined) {
    const zone = values.tz;
    if (!IANAZone.isValidZone(zone))
      throw new Error(`--tz ${quoted(zone)} is not an IANA time zone such as Europe/Berlin`);
    if (days < 1 || days > MAX_PAGE_DAYS)
      throw new Error(`--days '${days}' must be from 1 to ${MAX_PAGE_DAYS} for --html`);
    const store = values.live ? await grantTable(values) : undefined;
    const [live, records] = store ? await Promise.all([readLiveGroups(groups), readRecords(store)]) : [];
    const page = timeline({ grants, groups, nowMs: at.toMillis(), days, zone, records, live });
    const from = `${values.config ?? 'cdk.json'}${store ? ', the live groups and the grant table' : ''}`;
    writeFileSync(values.html, timelinePage(page, { from }));
    console.log(`Wrote ${values.html}: ${groups.length} group(s), ${days} day(s) in ${zone}`);
    return;
  }
  if (!values.live) {
    console.log(planReport({ grants, groups, at, days }));
    return;
  }
  const store = await grantTable(values);
  const [live, coverage] = await Promise.all([readLiveGroups(groups), new StoredCoverage(store).coverage()]);
  console.log(planReport({ grants, groups, at, days, live, coverage }));
}

/** The deployed stack's grant table, or the one `--table` names, read with the caller's credentials. */
async function grantTable({ table, stack }: { table?: string; stack: string }): Promise<DynamoDbAccessStore> {
  const tableName = table ?? (await stackOutput(stack, 'MembershipAccessTableName'));
  return new DynamoDbAccessStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});

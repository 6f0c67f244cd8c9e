import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAccessStore } from '#core/requests/dynamodb-store';
import { ACCESS_EVENTS, parseAccessEvent } from '#core/requests/events-in';
import { CONFIG_FILE_CONTEXT_KEY, loadConfig } from '../../lib/config/load';
import { DEFAULT_STACK, stackOutput } from '../stack-outputs';
import { accessReport } from './report';

const USAGE = `usage: npm run access -- <command> [options]

  request   --group ARN (--user ID | --reader IAM_ARN) (--for PT2H | --until ISO 8601) --reason "..."
            [--id REQUEST_ID]
  revoke    --request REQUEST_ID [--reason "..."]
  suspend   --user ID --reason "..."
  reinstate --user ID [--reason "..."]
  list      [--group ARN]

request, revoke, suspend and reinstate put the event on the stack's bus with your AWS credentials
(who may do so is decided by IAM: events:PutEvents on the bus); the membership function acts on it
within seconds and answers with Cache Access Granted / Ended / Request Refused on the same bus.
--reader asks for an ephemeral user of its own (a rule with ephemeral), whose credentials only that
IAM role or user may read, from the secret Cache Access Granted names.
list reads the grant table and prints open grants and suspensions with their expiry.

Options: --by WHO (default: your login name), --bus NAME (default: the config's requests.eventBusName),
--config path.json, --stack NAME (default ${DEFAULT_STACK}; list finds the table from its output),
--table NAME (instead of the stack's output).`;

const OPERATOR_SOURCE = 'cache-access.operator';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      group: { type: 'string' },
      user: { type: 'string' },
      reader: { type: 'string' },
      for: { type: 'string' },
      until: { type: 'string' },
      reason: { type: 'string' },
      id: { type: 'string' },
      request: { type: 'string' },
      by: { type: 'string', default: userInfo().username },
      bus: { type: 'string' },
      config: { type: 'string' },
      stack: { type: 'string', default: DEFAULT_STACK },
      table: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const [command] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return;
  }
  if (command === 'list') {
    const tableName = values.table ?? (await stackOutput(values.stack, 'MembershipAccessTableName'));
    const store = new DynamoDbAccessStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName);
    const [grants, suspensions] = await Promise.all([store.activeGrants(), store.activeSuspensions()]);
    console.log(accessReport({ grants, suspensions, group: values.group, now: Date.now() }));
    return;
  }
  const detail = detailOf(command, values);
  const event = { 'detail-type': detail.type, source: OPERATOR_SOURCE, detail: detail.fields };
  // The function's own rules, so a mistake is reported here rather than as a refusal on the bus.
  const parsed = parseAccessEvent(event);
  if ('refusal' in parsed) throw new Error(parsed.refusal.refusal);
  const bus = values.bus ?? busFromConfig(values.config);
  const client = new EventBridgeClient({});
  const { FailedEntryCount = 0, Entries = [] } = await client.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: bus,
          Source: OPERATOR_SOURCE,
          DetailType: detail.type,
          Detail: JSON.stringify(detail.fields),
        },
      ],
    }),
  );
  client.destroy();
  if (FailedEntryCount > 0) {
    throw new Error(
      `bus ${bus} refused the event: ${Entries[0]?.ErrorCode} ${Entries[0]?.ErrorMessage ?? ''}`,
    );
  }
  const subject =
    'requestId' in detail.fields ? `request ${detail.fields.requestId}` : `user ${detail.fields.user}`;
  console.log(`put ${detail.type} for ${subject} on bus ${bus} (event ${Entries[0]?.EventId}).`);
  console.log('The answer arrives on the same bus: Cache Access Granted, Ended or Request Refused.');
}

type Options = Record<string, string | boolean | undefined>;

/** The event's detail-type and fields from the command line; what is missing is reported by the event's own rules. */
function detailOf(
  command: string,
  values: Options,
): { type: string; fields: Record<string, string | { reader: string }> } {
  const by = String(values.by);
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const fields = (record: Record<string, string | undefined>) =>
    Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Record<
      string,
      string
    >;
  switch (command) {
    case 'request': {
      const reader = text('reader');
      return {
        type: ACCESS_EVENTS.requested,
        fields: {
          ...fields({
            requestId:
              text('id') ?? `op-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`,
            groupArn: text('group'),
            user: text('user'),
            duration: text('for'),
            until: text('until'),
            requestedBy: by,
            reason: text('reason'),
          }),
          ...(reader !== undefined && { ephemeral: { reader } }),
        },
      };
    }
    case 'revoke':
      return {
        type: ACCESS_EVENTS.revoked,
        fields: fields({
          requestId: text('request'),
          revokedBy: by,
          reason: text('reason') ?? 'revoked by an operator',
        }),
      };
    case 'suspend':
      return {
        type: ACCESS_EVENTS.suspended,
        fields: fields({ user: text('user'), suspendedBy: by, reason: text('reason') }),
      };
    case 'reinstate':
      return {
        type: ACCESS_EVENTS.reinstated,
        fields: fields({
          user: text('user'),
          reinstatedBy: by,
          reason: text('reason') ?? 'reinstated by an operator',
        }),
      };
    default:
      throw new Error(
        `unknown command '${command}'; expected request, revoke, suspend, reinstate or list (npm run access -- --help)`,
      );
  }
}

/** The bus the config names, so the command puts events where the deployed stack listens. */
function busFromConfig(configFile: string | undefined): string {
  const context = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context ?? {};
  const config = loadConfig((key) => (key === CONFIG_FILE_CONTEXT_KEY ? configFile : context[key]));
  const bus = config.membership?.requests?.eventBusName;
  if (!bus)
    throw new Error('the config has no membership.requests section: the stack takes no access events');
  return bus;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});

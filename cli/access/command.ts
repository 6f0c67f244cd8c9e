import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAccessStore } from '#core/requests/dynamodb-store';
import { signedFetch } from '../signed-fetch';
import { DEFAULT_STACK, stackOutput } from '../stack-outputs';
import { API_COMMANDS, apiCall, EXIT, isApiCommand, printed } from './api-commands';
import { putOnBus } from './bus';
import { accessReport } from './report';

const USAGE = `usage: npm run access -- <command> [options]

  request   --group ARN (--user ID | --reader IAM_ARN) (--for PT2H | --until ISO 8601) --reason "..."
            [--id REQUEST_ID]
  approve   REQUEST_ID [--reason "..."]
  deny      REQUEST_ID --reason "..."
  revoke    REQUEST_ID --reason "..."
  pending   the requests waiting for approval you may see: yours, and those you may approve
  suspend   USER --reason "..."
  reinstate USER --reason "..."
  list      [--group ARN]   open grants and suspensions, read from the grant table

Every command but list calls the stack's request API (its AccessApiUrl output, a Lambda function URL
with IAM auth), signed with your own AWS credentials from the SDK's default chain: the API knows who
you are from the signature, and the rules decide what you may do (requesters, approvers, operators).
--reader asks for an ephemeral user of its own (a rule with ephemeral), whose credentials only that
IAM role or user may read, from the secret Cache Access Granted names.

Options: --stack NAME (default ${DEFAULT_STACK}), --url URL (instead of the stack's AccessApiUrl),
--table NAME (list: instead of the stack's output).
--via bus puts request, revoke, suspend and reinstate on the stack's bus instead, for a rule with
via ["api", "bus"]; the function records --by WHO (default: your login name) as unverified.
--bus NAME (default: the config's requests.eventBusName) and --config path.json go with it.

Exit codes: 0 done, 1 failed (no answer, server error, or the request was refused by its rule),
2 usage, 3 malformed (HTTP 400), 4 not allowed (403), 5 not found (404), 6 already decided or ended (409).`;

const BUS_COMMANDS = ['request', 'revoke', 'suspend', 'reinstate'];

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const [command, subject, ...extra] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (extra.length > 0) {
    console.error(`unexpected arguments: ${extra.join(' ')}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (command === 'list') {
    const tableName = values.table ?? (await stackOutput(values.stack, 'MembershipAccessTableName'));
    const store = new DynamoDbAccessStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName);
    const [grants, suspensions] = await Promise.all([store.activeGrants(), store.activeSuspensions()]);
    console.log(accessReport({ grants, suspensions, group: values.group, now: Date.now() }));
    return EXIT.ok;
  }
  if (values.via === 'bus' && BUS_COMMANDS.includes(command)) {
    const named = subject === undefined ? {} : { [command === 'revoke' ? 'request' : 'user']: subject };
    console.log(await putOnBus(command, { ...values, ...named }));
    return EXIT.ok;
  }
  if (!isApiCommand(command) || (values.via !== undefined && values.via !== 'api')) {
    console.error(
      `unknown command '${command}'${values.via ? ` with --via ${values.via}` : ''}; expected ${API_COMMANDS.join(', ')} or list (--via bus: ${BUS_COMMANDS.join(', ')})\n\n${USAGE}`,
    );
    return EXIT.usage;
  }
  const call = apiCall(command, subject, values);
  if ('usage' in call) {
    console.error(`${call.usage}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const url = values.url ?? (await stackOutput(values.stack, 'AccessApiUrl'));
  // A client only for its resolved credentials and region: the SDK's default chain, as every command uses.
  const sdk = new CloudFormationClient({});
  try {
    const answer = await signedFetch(url, call, {
      identity: () => sdk.config.credentials(),
      region: await sdk.config.region(),
    });
    const { exitCode, text } = printed(command, answer, Date.now());
    (exitCode === EXIT.ok ? console.log : console.error)(text);
    return exitCode;
  } finally {
    sdk.destroy();
  }
}

function parse() {
  return parseArgs({
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
      via: { type: 'string' },
      by: { type: 'string', default: userInfo().username },
      bus: { type: 'string' },
      config: { type: 'string' },
      stack: { type: 'string', default: DEFAULT_STACK },
      url: { type: 'string' },
      table: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = EXIT.failed;
  },
);

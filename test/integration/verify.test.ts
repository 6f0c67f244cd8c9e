import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ModifyUserGroupCommand } from '@aws-sdk/client-elasticache';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readLiveGroups } from '../../cli/plan/inputs';
import type { Row } from '../../cli/verify/rows';
import { exitCodeOf } from '../../cli/verify/rows';
import { type VerifyClients, verifyStack } from '../../cli/verify/verify';
import { parseConfig } from '../../lib/config/load';
import { accessTableBeside, closedWindow, groupArnOf, type LocalCredentials, openWindow } from '../../local';
import { useLocalEngines } from '../support/local-cloud';
import { callerAs } from '../support/signed-calls';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const DAY_MS = 86_400_000;
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:membership';
const SCHEDULER_ROLE = 'arn:aws:iam::123456789012:role/scheduler';

const cloud = useLocalEngines();
let clients: VerifyClients;
let dir: string;

beforeAll(() => {
  clients = {
    cloudFormation: new CloudFormationClient({}),
    secretsManager: new SecretsManagerClient({}),
    scheduler: new SchedulerClient({}),
    dynamoDb: new DynamoDBClient({}),
    sns: new SNSClient({}),
  };
  dir = mkdtempSync(join(tmpdir(), 'verify-'));
});

afterAll(() => {
  for (const client of Object.values(clients ?? {})) client.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** A deployed stack in good health, its resources made through the endpoint; every name starts with `id`. */
async function healthyStack(
  id: string,
  opts: { confirmed?: boolean; outputs?: Record<string, string> } = {},
) {
  const { aws } = cloud;
  const secret = await clients.secretsManager.send(
    new CreateSecretCommand({ Name: `${id}-secret`, SecretString: '{"username":"app"}' }),
  );
  const secretArn = secret.ARN ?? '';
  aws.secrets.setRotationEnabled(secretArn, true);
  aws.secretRotations.set(secretArn, {
    scheduleExpression: 'rate(30 days)',
    lastRotatedAt: new Date(Date.now() - DAY_MS),
    nextRotationAt: new Date(Date.now() + 29 * DAY_MS),
  });
  const scheduleGroup = `${id}-windows`;
  const schedules = [`${id}-opens`, `${id}-reconcile`];
  for (const name of schedules) await createSchedule(scheduleGroup, name, 'ENABLED');
  for (const user of ['alice', 'bob']) {
    await aws.users.create({ engine: 'elasticache', id: `${id}-${user}`, passwords: ['p'.repeat(20)] });
  }
  await aws.groups.create({ engine: 'elasticache', id: `${id}-ug`, members: [`${id}-alice`] });
  const table = `${id}-grants`;
  await aws.dynamo.createTable(accessTableBeside(inject('bundles').membership ?? ''), table);
  const topicArn = (await clients.sns.send(new CreateTopicCommand({ Name: `${id}-alerts` }))).TopicArn ?? '';
  await clients.sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'ops@x.io' }),
  );
  if (opts.confirmed !== false) {
    const token = aws.topics.confirmationToken(topicArn, 'ops@x.io') ?? '';
    await clients.sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: token }));
  }
  aws.stacks.put(
    {
      stackName: id,
      stackId: `arn:aws:cloudformation:eu-west-1:123456789012:stack/${id}/00000000-0000-4000-8000-000000000000`,
      outputs: { AlertTopicArn: topicArn, MembershipAccessTableName1A2B3C: table, ...opts.outputs },
    },
    [
      { logicalId: 'RotationSchedule', physicalId: secretArn, type: 'AWS::SecretsManager::RotationSchedule' },
      { logicalId: 'Windows', physicalId: scheduleGroup, type: 'AWS::Scheduler::ScheduleGroup' },
      ...schedules.map((name, index) => ({
        logicalId: `Schedule${index}`,
        physicalId: name,
        type: 'AWS::Scheduler::Schedule',
      })),
    ],
  );
  const groupArn = groupArnOf('elasticache', `${id}-ug`);
  const config = {
    membership: {
      grants: [
        { name: 'day', groupArn, users: [`${id}-alice`], windows: [openWindow()] },
        { name: 'night', groupArn, users: [`${id}-bob`], windows: [closedWindow()] },
      ],
    },
  };
  const configFile = join(dir, `${id}.json`);
  writeFileSync(configFile, JSON.stringify(config));
  return { id, secretArn, scheduleGroup, schedules, groupId: `${id}-ug`, config, configFile };
}

const createSchedule = (group: string, name: string, state: 'ENABLED' | 'DISABLED') =>
  clients.scheduler.send(
    new CreateScheduleCommand({
      Name: name,
      GroupName: group,
      State: state,
      ScheduleExpression: 'rate(5 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: FUNCTION_ARN, RoleArn: SCHEDULER_ROLE },
    }),
  );

type Arranged = Awaited<ReturnType<typeof healthyStack>>;

const verify = (stack: Arranged) =>
  verifyStack({
    clients,
    stackName: stack.id,
    membership: parseConfig(stack.config, 'test').membership,
    readGroups: readLiveGroups,
    identity: async () => ({ accessKeyId: 'test', secretAccessKey: 'test' }),
    region: 'eu-west-1',
    now: new Date(),
  });

const failing = (rows: readonly Row[]) => rows.filter((row) => row.status === 'fail');

/** Runs `npm run verify` the way npm does, against the local endpoint. */
const command = (args: readonly string[]) =>
  run(
    process.execPath,
    [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'cli/verify/command.ts'), ...args],
    {
      env: { ...process.env, ...cloud.aws.env() },
    },
  ).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

describe('npm run verify', () => {
  it('passes a healthy stack with a table of ok rows and exit 0', async () => {
    const stack = await healthyStack('healthy');
    const before = cloud.aws.calls.length;

    const { code, stdout } = await command(['--stack', stack.id, '--config', stack.configFile]);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^check +subject +status +detail$/m);
    expect(stdout).toMatch(/^stack +healthy +ok +CREATE_COMPLETE$/m);
    expect(stdout).toMatch(/^secret rotation +healthy-secret +ok +last rotated \S+, next \S+$/m);
    expect(stdout).toMatch(/^schedule +healthy-windows\/healthy-opens +ok +enabled$/m);
    expect(stdout).toMatch(/^schedule +healthy-windows\/healthy-reconcile +ok +enabled$/m);
    expect(stdout).toMatch(
      /group members +\S+usergroup:healthy-ug +ok +active, as planned: default, healthy-alice/,
    );
    expect(stdout).toMatch(/^grant table +healthy-grants +ok +active$/m);
    expect(stdout).toMatch(/^alert subscribers +\S+:healthy-alerts +ok +1 confirmed \(email\)$/m);
    expect(stdout).toMatch(/^request API +- +skip +the stack has no AccessApiUrl output$/m);
    const made = cloud.aws.calls.slice(before).map((call) => call.operation);
    expect(made).toEqual(expect.arrayContaining(['DescribeStacks', 'DescribeSecret', 'ListSchedules']));
    // DynamoDB reads too, now that its calls go through the endpoint: a read-only check may Query.
    expect(made.filter((operation) => !/^(Describe|List|Get|Query)/.test(operation))).toEqual([]);
  });

  it('exits 1 with a fail row for a stack that does not exist', async () => {
    const { code, stdout } = await command(['--stack', 'NeverDeployed']);

    expect(code).toBe(1);
    expect(stdout).toMatch(
      /^stack +NeverDeployed +fail +could not read it: ValidationError: Stack with id NeverDeployed does not exist$/m,
    );
  });

  it.each([
    [['--stack', 'not a name!'], "--stack 'not a name!' is not a stack name"],
    [['--stak', 'x'], "Unknown option '--stak'"],
    [['--config', '/nonexistent/config.json'], '/nonexistent/config.json'],
  ])('exits 2 with the usage for %j', async (args, message) => {
    const { code, stderr } = await command(args);

    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('usage: npm run verify');
  });
});

describe('verify finds each fault on its own', () => {
  it('passes the healthy stack the faults start from', async () => {
    const rows = await verify(await healthyStack('baseline'));

    expect(failing(rows)).toEqual([]);
    expect(exitCodeOf(rows)).toBe(0);
  });

  const faults: ReadonlyArray<readonly [string, (stack: Arranged) => unknown, string, RegExp]> = [
    [
      'rotation disabled',
      (s) => cloud.aws.secrets.setRotationEnabled(s.secretArn, false),
      'secret rotation',
      /rotation is disabled/,
    ],
    [
      'rotation overdue',
      (s) =>
        cloud.aws.secretRotations.set(s.secretArn, {
          lastRotatedAt: new Date(Date.now() - 33 * DAY_MS),
          nextRotationAt: new Date(Date.now() - 3 * DAY_MS),
        }),
      'secret rotation',
      /rotation is overdue: the next one was due \S+Z/,
    ],
    [
      'last rotation step failed',
      (s) => cloud.aws.secrets.beginRotation(s.secretArn, '11111111-2222-4333-8444-555555555555'),
      'secret rotation',
      /the last rotation did not finish: version 11111111-2222-4333-8444-555555555555 is still AWSPENDING/,
    ],
    [
      'secret never rotated',
      (s) => cloud.aws.secretRotations.set(s.secretArn, { nextRotationAt: new Date(Date.now() + DAY_MS) }),
      'secret rotation',
      /it has never rotated/,
    ],
    [
      'secret scheduled for deletion',
      (s) => clients.secretsManager.send(new DeleteSecretCommand({ SecretId: s.secretArn })),
      'secret rotation',
      /it is scheduled for deletion since \S+Z/,
    ],
    [
      'schedule missing',
      (s) =>
        clients.scheduler.send(
          new DeleteScheduleCommand({ Name: s.schedules[0], GroupName: s.scheduleGroup }),
        ),
      'schedule',
      /missing from the stack's groups \(\S+-windows\)/,
    ],
    [
      'schedule disabled',
      async (s) => {
        await clients.scheduler.send(
          new DeleteScheduleCommand({ Name: s.schedules[1], GroupName: s.scheduleGroup }),
        );
        await createSchedule(s.scheduleGroup, s.schedules[1] ?? '', 'DISABLED');
      },
      'schedule',
      /state DISABLED: it never fires/,
    ],
    [
      'group not active',
      (s) => cloud.aws.groups.setStatus('elasticache', s.groupId, 'modifying'),
      'group members',
      /status modifying, not active/,
    ],
    [
      'group missing a user the plan wants now',
      (s) =>
        cloud.elastiCache.send(
          new ModifyUserGroupCommand({ UserGroupId: s.groupId, UserIdsToRemove: [`${s.id}-alice`] }),
        ),
      'group members',
      /missing \S+-alice, which the plan wants now/,
    ],
    [
      'group holding a user the plan does not want now',
      (s) =>
        cloud.elastiCache.send(
          new ModifyUserGroupCommand({ UserGroupId: s.groupId, UserIdsToAdd: [`${s.id}-bob`] }),
        ),
      'group members',
      /holds \S+-bob, which the plan does not want now/,
    ],
  ];

  it.each(faults)('%s gives one fail row and exit 1', async (_name, fault, check, detail) => {
    const stack = await healthyStack(`f${faults.findIndex(([name]) => name === _name)}`);
    await fault(stack);

    const rows = await verify(stack);

    expect(failing(rows)).toEqual([
      expect.objectContaining({ check, status: 'fail', detail: expect.stringMatching(detail) }),
    ]);
    expect(exitCodeOf(rows)).toBe(1);
  });

  it('a grant table that is gone gives a fail row naming it', async () => {
    const stack = await healthyStack('notable', {
      outputs: { MembershipAccessTableName1A2B3C: 'deleted-grants' },
    });

    const rows = await verify(stack);

    expect(failing(rows)).toEqual([
      expect.objectContaining({
        check: 'grant table',
        subject: 'deleted-grants',
        detail: expect.stringMatching(/ResourceNotFoundException/),
      }),
    ]);
    // Without the table the members cannot be judged, but the group is still read and reported.
    expect(rows.find((row) => row.check === 'group members')).toMatchObject({ status: 'warn' });
    expect(exitCodeOf(rows)).toBe(1);
  });

  it('a topic with only a pending subscription fails: an alert nobody receives is silence', async () => {
    const rows = await verify(await healthyStack('pending', { confirmed: false }));

    expect(failing(rows)).toEqual([
      expect.objectContaining({
        check: 'alert subscribers',
        detail: 'no confirmed subscription, 1 pending confirmation: alerts reach nobody',
      }),
    ]);
  });
});

describe('the request API row', () => {
  let answer: { ok: boolean; result?: unknown } = { ok: true };
  const seen: Record<string, unknown>[] = [];
  let apiUrl: string;

  beforeAll(async () => {
    apiUrl = await cloud.aws.functionUrls.serve({
      functionArn: FUNCTION_ARN,
      invoke: async (event) => {
        seen.push(event as Record<string, unknown>);
        return answer;
      },
    });
  });

  const verifyAs = (stack: Arranged, credentials: LocalCredentials) =>
    verifyStack({
      clients,
      stackName: stack.id,
      membership: parseConfig(stack.config, 'test').membership,
      readGroups: readLiveGroups,
      identity: async () => credentials,
      region: 'eu-west-1',
      now: new Date(),
    });
  const apiRow = (rows: readonly Row[]) => rows.find((row) => row.check === 'request API');

  it('passes when the function URL lets the signed caller list pending requests', async () => {
    const operator = callerAs(cloud.aws, 'arn:aws:sts::123456789012:assumed-role/ops/verifier');
    answer = { ok: true, result: { statusCode: 200, body: '{"requests":[]}' } };

    const rows = await verifyAs(
      await healthyStack('api', { outputs: { AccessApiUrl: apiUrl } }),
      operator.credentials,
    );

    expect(apiRow(rows)).toEqual({ check: 'request API', subject: apiUrl, status: 'ok', detail: 'HTTP 200' });
    expect(seen.at(-1)).toMatchObject({
      rawPath: '/requests',
      rawQueryString: 'status=pending',
      requestContext: { authorizer: { iam: { userArn: operator.arn } } },
    });
  });

  it('fails naming why when AWS refuses the signature or the function answers with an error', async () => {
    const stack = await healthyStack('apierr', { outputs: { AccessApiUrl: apiUrl } });
    const operator = callerAs(cloud.aws, 'arn:aws:iam::123456789012:user/verifier');

    const refused = await verify(stack);
    answer = { ok: false };
    const broken = await verifyAs(stack, operator.credentials);

    expect(failing(refused)).toEqual([
      expect.objectContaining({
        check: 'request API',
        detail:
          'HTTP 403: it refused the signed request (The security token included in the request is invalid.)',
      }),
    ]);
    expect(failing(broken)).toEqual([
      expect.objectContaining({
        check: 'request API',
        detail: 'HTTP 502: it answers with an error (Internal Server Error)',
      }),
    ]);
  });
});

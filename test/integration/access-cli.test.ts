import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  groupArnOf,
  MEMBERSHIP_FUNCTION_ARN,
  MEMBERSHIP_STACK,
  type MembershipFunction,
  startMembershipFunction,
} from '../../local';
import { simulateCall } from '../support/iam-simulation';
import type { PolicyDocument } from '../support/iam-template';
import { useLocalCloud } from '../support/local-cloud';
import { type Caller, callerAs } from '../support/signed-calls';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const bundle = inject('bundles').membership ?? '';
const ACCOUNT = '123456789012';
const session = (role: string, name: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${name}`;

const cloud = useLocalCloud();
const passwords: Record<string, string> = {};
let fn: MembershipFunction;
let groupArn: string;
let dev: Caller;
let lead: Caller;
let intern: Caller;
let ops: Caller;

beforeAll(async () => {
  for (const user of ['alice', 'bob']) {
    passwords[user] = `${user}-password-0123456789`;
    await cloud.aws.users.create({
      engine: 'elasticache',
      id: user,
      passwords: [passwords[user] ?? ''],
      governedByGroups: true,
    });
  }
  await cloud.aws.groups.create({ engine: 'elasticache', id: 'prod-ug', members: [] });
  groupArn = groupArnOf('elasticache', 'prod-ug');
  dev = callerAs(cloud.aws, session('dev', 'alice'));
  lead = callerAs(cloud.aws, session('lead', 'carol'));
  intern = callerAs(cloud.aws, session('intern', 'ivan'));
  ops = callerAs(cloud.aws, session('ops', 'olga'));
});

/** The bundled membership function behind its URL, with one rule a lead approves, for each test. */
async function start() {
  fn = await startMembershipFunction(bundle, cloud.aws, [], {
    requests: {
      operators: [`arn:aws:iam::${ACCOUNT}:role/ops`],
      rules: [
        {
          name: 'prod',
          groupArn,
          users: ['alice', 'bob'],
          requesters: [`arn:aws:iam::${ACCOUNT}:role/dev`],
          approvers: [`arn:aws:iam::${ACCOUNT}:role/lead`],
          approvals: 1,
        },
      ],
    },
  });
  cloud.fn = fn;
}

/** `npm run access -- <args>` as `caller`, with its own credentials from the environment, as the SDK's chain reads them. */
async function access(caller: Pick<Caller, 'credentials'>, args: readonly string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...cloud.aws.env() };
  // Only the caller's own token: a session token left from elsewhere would not match its keys.
  delete env.AWS_SESSION_TOKEN;
  const { accessKeyId, secretAccessKey, sessionToken } = caller.credentials;
  return run(
    process.execPath,
    [
      join(root, 'node_modules/tsx/dist/cli.mjs'),
      join(root, 'cli/access/command.ts'),
      ...args,
      '--stack',
      MEMBERSHIP_STACK.name,
    ],
    {
      env: {
        ...env,
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: secretAccessKey,
        ...(sessionToken && { AWS_SESSION_TOKEN: sessionToken }),
      },
    },
  ).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

const ask = (id: string, user = 'alice', duration = 'PT2H') =>
  access(dev, [
    'request',
    '--group',
    groupArn,
    '--user',
    user,
    '--for',
    duration,
    '--reason',
    'INC-42',
    '--id',
    id,
  ]);

describe('npm run access against the request API', () => {
  it('requests, lists what waits for the approver with age and time left, and grants on approval', async () => {
    await start();

    const asked = await ask('CHG-1');
    const pending = await access(lead, ['pending']);
    const approved = await access(lead, ['approve', 'CHG-1', '--reason', 'looks right']);
    const again = await access(lead, ['approve', 'CHG-1']);

    expect(asked).toMatchObject({ code: 0 });
    expect(asked.stdout).toContain('request CHG-1 is pending: 1 more approval needed');
    expect(asked.stdout).toContain('An approver runs: npm run access -- approve CHG-1');
    expect(pending.code).toBe(0);
    expect(pending.stdout).toContain(`CHG-1  user alice in ${groupArn} (rule prod)`);
    expect(pending.stdout).toMatch(new RegExp(`asked by ${session('dev', 'alice')} [01] min ago: INC-42`));
    expect(pending.stdout).toMatch(/needs 1 more approval; expires in (59 min|1 h 0 min) \(\S+\)/);
    expect(pending.stdout).toContain('approve: npm run access -- approve CHG-1');
    expect(approved).toMatchObject({ code: 0 });
    expect(approved.stdout).toMatch(/^request CHG-1 is granted to alice until \S+\.$/m);
    expect(await cloud.redis.authenticates('alice', passwords.alice ?? '')).toBe(true);
    expect(again.code).toBe(6);
    expect(again.stderr).toMatch(/^approve refused \(HTTP 409, already decided or ended\): /);
  });

  it('exits 4 echoing the rule when the caller may not, 5 for an unknown request and 3 for a malformed one', async () => {
    await start();
    await ask('CHG-2', 'bob');

    const notApprover = await access(intern, ['approve', 'CHG-2']);
    const unknown = await access(lead, ['approve', 'CHG-nope']);
    const malformed = await ask('CHG-3', 'bob', 'P1M');
    const denied = await access(lead, ['deny', 'CHG-2', '--reason', 'not during the freeze']);

    expect(notApprover.code).toBe(4);
    expect(notApprover.stderr).toContain(
      'approve refused (HTTP 403, not allowed): rule prod takes approvals',
    );
    expect(notApprover.stderr).toContain(session('intern', 'ivan'));
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toContain('approve refused (HTTP 404, not found): ');
    expect(malformed.code).toBe(3);
    expect(malformed.stderr).toMatch(/request refused \(HTTP 400, malformed, nothing recorded\): .*duration/);
    expect(denied).toMatchObject({ code: 0, stdout: 'CHG-2: denied.\n' });
    expect(await cloud.redis.authenticates('bob', passwords.bob ?? '')).toBe(false);
  });

  it('lets only operators suspend, and says when AWS refused the signature before the API saw it', async () => {
    await start();

    const byIntern = await access(intern, ['suspend', 'bob', '--reason', 'INC-7']);
    const byOps = await access(ops, ['suspend', 'bob', '--reason', 'INC-7']);
    const forged = await access(
      { credentials: { accessKeyId: ops.credentials.accessKeyId, secretAccessKey: 'guessed' } },
      ['reinstate', 'bob', '--reason', 'x'],
    );
    const usage = await access(lead, ['approve']);

    expect(byIntern.code).toBe(4);
    expect(byIntern.stderr).toContain('only operators');
    expect(byOps).toMatchObject({ code: 0, stdout: 'bob: suspended.\n' });
    expect(forged.code).toBe(4);
    expect(forged.stderr).toContain('The security token included in the request is invalid.');
    expect(forged.stderr).toContain('AWS refused the call before the request API saw it');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('approve needs the request id');
  });
});

/** The identity policy docs/deploying.md tells requesters, approvers and operators to attach. */
function documentedCallerPolicy(): PolicyDocument {
  const page = readFileSync(join(root, 'docs/deploying.md'), 'utf8');
  const section = page.slice(page.indexOf('## Who may call the request API'));
  const json = /```json\n([\s\S]*?)```/.exec(section)?.[1] ?? expect.fail('no JSON policy in the section');
  return JSON.parse(json) as PolicyDocument;
}

describe('the IAM a caller needs', () => {
  it('is the policy docs/deploying.md gives: it allows every call the CLI made, and half of it would not', async () => {
    await start();
    await access(lead, ['pending']);
    const policy = documentedCallerPolicy();
    const calls = cloud.aws.callsOf('InvokeFunctionUrl', 'lambda').filter((call) => call.error === undefined);
    const callerOf = (key: string | undefined) =>
      cloud.aws.iam.identityOf(key ?? '')?.arn ?? expect.fail(`no caller for ${key}`);
    const as = (callArn: string, document: PolicyDocument) => ({
      roleArn: callArn,
      policies: [{ name: 'documented', policy: document }],
      resourcePolicies: new Map<string, PolicyDocument>(),
    });

    const denials = await Promise.all(
      calls.map((call) => simulateCall(call, as(callerOf(call.caller), policy))),
    );
    const urlOnly = {
      ...policy,
      Statement: policy.Statement.filter((s) => s.Action === 'lambda:InvokeFunctionUrl'),
    };
    const first = calls[0] ?? expect.fail('no call');
    const withoutInvoke = await simulateCall(first, as(callerOf(first.caller), urlOnly));

    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((call) => call.params.FunctionName === MEMBERSHIP_FUNCTION_ARN)).toBe(true);
    expect(denials.flat()).toEqual([]);
    expect(withoutInvoke).toEqual([expect.objectContaining({ action: 'lambda:InvokeFunction' })]);
  });
});

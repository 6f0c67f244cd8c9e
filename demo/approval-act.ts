import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ChatNotification } from '#core/requests/chat-message';
import { type SignedAnswer, signedFetch } from '../cli/signed-fetch';
import { type LocalCredentials, MEMBERSHIP_STACK, startMembershipFunction } from '../local';
import type { Cleanup } from './cleanup';
import { expectLogin } from './requests-act';
import { bundleOf, describeGroup, type Stage } from './stage';
import { act, say, took } from './story';
import { DemoError } from './waits';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ACCOUNT = '123456789012';
const LEADS = `arn:aws:iam::${ACCOUNT}:role/leads`;

/**
 * Act 8: alice, signed in through IAM Identity Center, asks through the signed request API; the request
 * waits; carol, a lead, approves it with `npm run access` under her own credentials; alice logs in. Chat
 * hears each step on the stack's topic.
 */
export async function approvedFromTheCli(stage: Stage, cleanup: Cleanup, actNumber: number): Promise<void> {
  const { alice, userGroup, aws } = stage;
  const login = { username: alice.name, password: alice.password };
  const requester = aws.iam.identityCenterUser('Developers', `${alice.name}@example.com`);
  aws.iam.add(LEADS);
  const fn = await cleanup.start(
    'approvals function host',
    () =>
      startMembershipFunction(bundleOf(stage, 'membership'), aws, [], {
        requests: {
          notify: { create: true },
          rules: [
            {
              name: 'prod-approved',
              groupArn: userGroup.arn,
              users: [alice.name],
              requesters: [requester.roleArn],
              approvers: [LEADS],
              approvals: 1,
            },
          ],
        },
      }),
    (host) => host.stop(),
    { host: true },
  );
  act(
    `Act ${actNumber} · Approved access: a request waits, a lead approves it from the CLI, the user logs in`,
  );
  say(`  rule prod-approved: Identity Center users of Developers ask, one of ${LEADS} approves`);
  const requestId = `CHG-${Date.now().toString(36)}`;
  const asked = await signedFetch(
    fn.accessApiUrl ?? '',
    {
      method: 'POST',
      path: 'requests',
      body: { requestId, groupArn: userGroup.arn, user: alice.name, duration: 'PT2H', reason: 'INC-44' },
    },
    signer(aws.iam.credentialsFor(requester.sessionArn)),
  );
  expectStatus(asked, 'pending');
  say(
    `  → ${alice.name}@example.com, signed in with the Developers permission set, asks via the signed API: ${requestId} is pending`,
  );
  await expectLogin(stage, login, false);
  say(`  ✔ ${alice.name} cannot log in to ${describeGroup(userGroup)} while it waits`);

  const carol = aws.iam.credentialsFor(`arn:aws:sts::${ACCOUNT}:assumed-role/leads/carol`);
  const approvedAt = Date.now();
  const { stdout } = await access(stage, carol, ['approve', requestId, '--reason', 'checked INC-44']);
  say(`  $ npm run access -- approve ${requestId}   (as carol, a lead)`);
  for (const line of stdout.trim().split('\n')) say(`    ${line}`);
  await expectLogin(stage, login, true);
  say(`  ✔ ${alice.name} can log in ${took(Date.now() - approvedAt).trim()} after the approval`);
  say('');
  say("  chat heard, on the stack's topic (one thread per request):");
  for (const { message } of aws.topics.published(fn.chatTopicArn ?? '')) {
    const notification = JSON.parse(message) as ChatNotification;
    say(`    ${notification.metadata.eventType}: ${notification.content.title}`);
  }
}

const signer = (credentials: LocalCredentials) => ({
  identity: async () => credentials,
  region: 'eu-west-1',
});

function expectStatus(answer: SignedAnswer, status: string): void {
  const body = answer.body as { status?: string; message?: string };
  if (answer.status !== 200 || body.status !== status) {
    throw new DemoError(
      `expected ${status}, the API answered HTTP ${answer.status}: ${JSON.stringify(answer.body)}`,
    );
  }
}

/** `npm run access` as someone else: their keys in the environment, as the SDK's default chain reads them. */
async function access(stage: Stage, credentials: LocalCredentials, args: readonly string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...stage.aws.env() };
  delete env.AWS_SESSION_TOKEN;
  try {
    return await run(
      process.execPath,
      [
        `${ROOT}node_modules/tsx/dist/cli.mjs`,
        `${ROOT}cli/access/command.ts`,
        ...args,
        '--stack',
        MEMBERSHIP_STACK.name,
      ],
      {
        env: {
          ...env,
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          ...(credentials.sessionToken && { AWS_SESSION_TOKEN: credentials.sessionToken }),
        },
      },
    );
  } catch (error) {
    const { stderr = '' } = error as { stderr?: string };
    throw new DemoError(`npm run access -- ${args[0]} failed: ${stderr.trim()}`);
  }
}

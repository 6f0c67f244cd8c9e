import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsClient, startMembershipFunction } from '../local';
import type { Cleanup } from './cleanup';
import { deliver, describeEvent, expectLogin } from './requests-act';
import { bundleOf, describeGroup, type Stage } from './stage';
import { act, clock, mask, say, took } from './story';
import { DemoError } from './waits';

const BUS = 'cache-access';
const READER = 'arn:aws:iam::123456789012:role/oncall';
const ACCESS = 'on ~* &* -@all +@read +ping';

interface Credentials {
  readonly username: string;
  readonly password: string;
  readonly expires_at: string;
}

/**
 * Act 7: on-call asks for a user of its own; the stack makes one, hands the password over in a secret
 * only on-call may read, and deletes user and secret when the request is revoked.
 */
export async function ephemeralUser(stage: Stage, cleanup: Cleanup, actNumber: number): Promise<void> {
  const { userGroup } = stage;
  stage.aws.iam.add(READER);
  const fn = await cleanup.start(
    'ephemeral access function host',
    () =>
      startMembershipFunction(bundleOf(stage, 'membership'), stage.aws, [], {
        requests: {
          eventBusName: BUS,
          rules: [
            {
              name: 'readonly-debug',
              groupArn: userGroup.arn,
              maxDuration: 'PT2H',
              ephemeral: { accessString: ACCESS, maxActive: 3, readers: [READER] },
            },
          ],
        },
      }),
    (host) => host.stop(),
    { host: true },
  );
  act(`Act ${actNumber} · A user of its own: made on request, handed over in a secret, deleted at the end`);
  say(`  rule readonly-debug: ${READER} may receive a read-only user in ${describeGroup(userGroup)}`);
  const requestId = `INC-${Date.now().toString(36)}`;
  const before = stage.aws.events.entries.length;

  const granted = await deliver(fn, 'Cache Access Requested', {
    requestId,
    groupArn: userGroup.arn,
    ephemeral: { reader: READER },
    duration: 'PT1H',
    requestedBy: 'oncall@example.com',
    reason: 'INC-43: slow checkout',
  });
  const event = stage.aws.events.entries
    .slice(before)
    .find((entry) => entry.detailType === 'Cache Access Granted');
  const { secretArn, user } = (event?.detail ?? {}) as { secretArn?: string; user?: string };
  if (!secretArn || !user) throw new DemoError('Cache Access Granted did not name a secret and a user');
  say(`  Cache Access Granted names user ${user} and secret ${secretArn}`);
  const credentials = await readSecret(stage, secretArn);
  say(
    `  the reader fetches it: username ${credentials.username}, password ${mask(credentials.password)} (64 characters), expires_at ${clock(Date.parse(credentials.expires_at))}`,
  );
  await expectLogin(stage, credentials, true);
  say(`  ✔ ${user} can log in ${took(Date.now() - granted).trim()} after the event, read-only`);

  await deliver(fn, 'Cache Access Revoked', {
    requestId,
    revokedBy: 'oncall-lead@example.com',
    reason: 'fixed',
  });
  await expectLogin(stage, credentials, false);
  const gone = !stage.aws.users.get(userGroup.engine, user) && !stage.aws.secrets.exists(secretArn);
  if (!gone) throw new DemoError(`${user} or its secret is still there after the revoke`);
  say(`  ✔ ${user} and its secret are deleted, and the password is refused`);
  say('');
  say('  events the stack answered with:');
  for (const answer of stage.aws.events.entries.slice(before)) describeEvent(answer);
}

async function readSecret(stage: Stage, secretArn: string): Promise<Credentials> {
  const client = secretsClient(stage.aws);
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    return JSON.parse(SecretString ?? '{}') as Credentials;
  } finally {
    client.destroy();
  }
}

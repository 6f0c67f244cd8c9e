import type { LambdaHost, PutEvent } from '../local';
import { busEvent, startMembershipFunction } from '../local';
import type { Cleanup } from './cleanup';
import { bundleOf, describeGroup, members, type Stage } from './stage';
import { act, clock, list, say, took } from './story';
import { DemoError, settlesTo, within } from './waits';

const BUS = 'cache-access';
const INVOKE_TIMEOUT_MS = 30_000;
const LOGIN_SETTLE_MS = 5_000;

/** Act 6: alice asks for the user group on the bus, logs in, and loses access the moment it is revoked. */
export async function requestAndRevoke(stage: Stage, cleanup: Cleanup, actNumber: number): Promise<void> {
  const { alice, userGroup } = stage;
  const login = { username: alice.name, password: alice.password };
  const fn = await cleanup.start(
    'access function host',
    () =>
      startMembershipFunction(bundleOf(stage, 'membership'), stage.aws, [], {
        requests: {
          eventBusName: BUS,
          rules: [{ name: 'oncall-prod', groupArn: userGroup.arn, users: [alice.name], maxDuration: 'PT4H' }],
        },
      }),
    (host) => host.stop(),
    { host: true },
  );
  act(
    `Act ${actNumber} · Access on request: an approval tool asks, the user gets in, a revoke takes it away`,
  );
  say(`  rule oncall-prod: ${alice.name} may request ${describeGroup(userGroup)} for at most PT4H`);
  const requestId = `CHG-${Date.now().toString(36)}`;

  const before = stage.aws.events.entries.length;
  const granted = await deliver(fn, 'Cache Access Requested', {
    requestId,
    groupArn: userGroup.arn,
    user: alice.name,
    duration: 'PT2H',
    requestedBy: 'approvals@example.com',
    reason: 'INC-42: debugging the checkout cache',
  });
  await expectLogin(stage, login, true);
  say(
    `  ✔ ${alice.name} is in ${userGroup.id} and can log in ${took(Date.now() - granted).trim()} after the event`,
  );

  const revoked = await deliver(fn, 'Cache Access Revoked', {
    requestId,
    revokedBy: 'oncall-lead@example.com',
    reason: 'fixed',
  });
  await expectLogin(stage, login, false);
  say(
    `  ✔ ${alice.name} is out of ${userGroup.id} and refused at login ${took(Date.now() - revoked).trim()} after the revoke`,
  );
  say('');
  say('  events the stack answered with:');
  for (const event of stage.aws.events.entries.slice(before)) describeEvent(event);
}

/** Hands the function the event as the rule on the bus would; returns when it was sent. */
export async function deliver(fn: LambdaHost, detailType: string, detail: object): Promise<number> {
  const started = Date.now();
  say(`  → ${detailType}: ${summary(detail as Record<string, string> & { ephemeral?: { reader: string } })}`);
  const result = await within(
    INVOKE_TIMEOUT_MS + 5_000,
    detailType,
    fn.invoke(busEvent(detailType, detail), { timeoutMs: INVOKE_TIMEOUT_MS }),
  );
  if (!result.ok)
    throw new DemoError(`${detailType} failed: ${result.error?.name}: ${result.error?.message}`);
  return started;
}

/** Waits for the login to settle as it should, and checks the user group agrees. */
export async function expectLogin(
  stage: Stage,
  login: { readonly username: string; readonly password: string },
  shouldLogIn: boolean,
): Promise<void> {
  const logsIn = await settlesTo(
    () => stage.redis.authenticates(login.username, login.password),
    shouldLogIn,
    LOGIN_SETTLE_MS,
  );
  const isMember = members(stage.aws, stage.userGroup).includes(login.username);
  if (logsIn !== shouldLogIn || isMember !== shouldLogIn) {
    throw new DemoError(
      `${login.username} should ${shouldLogIn ? '' : 'not '}be able to log in; member: ${isMember}, logs in: ${logsIn}`,
    );
  }
}

/** The event's fields as a sentence; ids and times only, nothing an approval tool would call secret. */
function summary({
  requestId,
  user,
  ephemeral,
  duration,
  requestedBy,
  revokedBy,
  reason,
}: Record<string, string> & { ephemeral?: { reader: string } }): string {
  return [
    `request ${requestId}`,
    user && `for ${user}`,
    ephemeral && `for a user of its own, read by ${ephemeral.reader}`,
    duration && `for ${duration}`,
    `by ${requestedBy ?? revokedBy}`,
    `(${reason})`,
  ]
    .filter(Boolean)
    .join(' ');
}

export function describeEvent(event: PutEvent): void {
  const { requestId, user, cause, expiresAt, added, removed } = event.detail as Record<
    string,
    string & string[]
  >;
  const facts =
    event.detailType === 'Cache Membership Changed'
      ? `added ${list(added ?? [])} · removed ${list(removed ?? [])}`
      : `request ${requestId} · ${user}${expiresAt ? ` · until ${clock(Date.parse(expiresAt))}` : ''}${cause ? ` · cause ${cause}` : ''}`;
  say(`    ${event.detailType} on bus ${event.eventBusName}: ${facts}`);
}

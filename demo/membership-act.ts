import { setTimeout as sleep } from 'node:timers/promises';
import type { GrantSpec } from '#core/membership/grant';
import type { LambdaHost, PutEvent } from '../local';
import { startMembershipFunction } from '../local';
import type { Cleanup } from './cleanup';
import { bundleOf, describeGroup, type Group, type Member, members, type Stage } from './stage';
import { act, clock, list, row, say, took } from './story';
import { DemoError, settlesTo, within } from './waits';

/** Long enough to reconcile both groups inside it on a slow laptop, short enough to keep the demo brisk. */
const WINDOW_MS = 6_000;
/** Past the window's end, so the second run is unambiguously outside it. */
const AFTER_CLOSE_MS = 300;
const INVOKE_TIMEOUT_MS = 30_000;
/** A membership change reaches redis a moment after the group is active again, as on AWS. */
const LOGIN_SETTLE_MS = 5_000;

const RUN_COLUMNS = [22, 7, 8];

interface Assignment {
  readonly member: Member;
  readonly group: Group;
  readonly grant: GrantSpec;
}

/** Acts 4 and 5: reconciles both groups inside a one-time window, then again after it has closed. */
export async function reconcileAroundWindow(stage: Stage, cleanup: Cleanup, firstAct: number): Promise<void> {
  const opens = Date.now();
  const closes = opens + WINDOW_MS;
  const window = { start: new Date(opens).toISOString(), end: new Date(closes).toISOString() };
  const assignments: Assignment[] = [
    assignment(stage.alice, stage.userGroup, 'alice-oncall', window),
    assignment(stage.bob, stage.acl, 'bob-contract', window),
  ];
  const fn = await cleanup.start(
    'membership function host',
    () =>
      startMembershipFunction(
        bundleOf(stage, 'membership'),
        stage.aws,
        assignments.map((a) => a.grant),
      ),
    (host) => host.stop(),
    { host: true },
  );

  act(`Act ${firstAct} · Inside the window: reconcile at ${clock(Date.now())}`);
  say('  grants (as the stack bundles them with the membership function):');
  for (const { grant, group } of assignments) {
    say(
      `    ${grant.name}: ${list(grant.users)} in ${describeGroup(group)}, one-time window ${clock(opens)} → ${clock(closes)}`,
    );
  }
  await reconcileAll(stage, fn, assignments, opens, 'added');

  act(`Act ${firstAct + 1} · Outside the window: reconcile after it closed at ${clock(closes)}`);
  const wait = closes + AFTER_CLOSE_MS - Date.now();
  say(`  waiting ${(Math.max(0, wait) / 1000).toFixed(1)} s for the window to close…`);
  await sleep(Math.max(0, wait));
  say(`  reconciling at ${clock(Date.now())}, as the window-end schedule would`);
  await reconcileAll(stage, fn, assignments, closes, 'removed');
}

function assignment(
  member: Member,
  group: Group,
  name: string,
  window: GrantSpec['windows'][number],
): Assignment {
  return { member, group, grant: { name, groupArn: group.arn, users: [member.name], windows: [window] } };
}

/** One invocation for every group, as each boundary schedule sends; then the logins and the events it caused. */
async function reconcileAll(
  stage: Stage,
  fn: LambdaHost,
  assignments: readonly Assignment[],
  scheduledTime: number,
  expected: 'added' | 'removed',
): Promise<void> {
  say();
  const before = stage.aws.events.entries.length;
  const result = await within(
    INVOKE_TIMEOUT_MS + 5_000,
    'reconciling every group',
    fn.invoke(
      { trigger: 'window-boundary', scheduledTime: new Date(scheduledTime).toISOString() },
      { timeoutMs: INVOKE_TIMEOUT_MS },
    ),
  );
  if (!result.ok) {
    throw new DemoError(`reconciling failed: ${result.error?.name}: ${result.error?.message}`);
  }
  say(`  one invocation reconciled ${assignments.length} groups in ${took(result.durationMs).trim()}`);
  row(RUN_COLUMNS, ['group', 'added', 'removed', 'members now']);
  const { groups } = result.result as { groups: { groupArn: string; added: string[]; removed: string[] }[] };
  for (const { group } of assignments) {
    const outcome = groups.find((candidate) => candidate.groupArn === group.arn);
    row(RUN_COLUMNS, [
      describeGroup(group),
      list(outcome?.added ?? []),
      list(outcome?.removed ?? []),
      list(members(stage.aws, group)),
    ]);
  }
  const published: PutEvent[] = stage.aws.events.entries.slice(before);
  say();
  say('  EventBridge events published:');
  for (const event of published) describeEvent(event);
  say();
  for (const { member, group } of assignments) {
    await checkLogin(stage, member, group, expected);
  }
}

function describeEvent(event: PutEvent): void {
  const detail = event.detail as {
    groupArn?: string;
    added?: string[];
    removed?: string[];
    grants?: string[];
    trigger?: string;
  };
  say(`    ${event.detailType} from ${event.source} on bus ${event.eventBusName}`);
  say(`      group ${detail.groupArn}`);
  say(
    `      added ${list(detail.added ?? [])} · removed ${list(detail.removed ?? [])} · grants ${list(detail.grants ?? [])} · trigger ${detail.trigger}`,
  );
}

async function checkLogin(
  stage: Stage,
  member: Member,
  group: Group,
  expected: 'added' | 'removed',
): Promise<void> {
  const isMember = members(stage.aws, group).includes(member.name);
  const shouldBe = expected === 'added';
  const logsIn = await settlesTo(
    () => stage.redis.authenticates(member.name, member.password),
    shouldBe,
    LOGIN_SETTLE_MS,
  );
  if (isMember !== shouldBe || logsIn !== shouldBe) {
    throw new DemoError(
      `${member.name} should ${shouldBe ? '' : 'not '}be in ${group.id} and ${shouldBe ? 'able' : 'unable'} to log in; member: ${isMember}, logs in: ${logsIn}`,
    );
  }
  say(
    shouldBe
      ? `  ✔ ${member.name} added to ${group.id} and can log in`
      : `  ✔ ${member.name} removed from ${group.id} and can no longer log in`,
  );
}

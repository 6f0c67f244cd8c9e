import { randomUUID } from 'node:crypto';
import type { LambdaHost } from '../local';
import { type ProvisionedUser, STEPS, startRotationFunction } from '../local';
import type { Cleanup } from './cleanup';
import { bundleOf, type Stage } from './stage';
import { act, ENGINE_LABEL, mask, row, say, short, took, yesNo } from './story';
import { DemoError, settlesTo, within } from './waits';

/** Generous next to the few seconds a step takes here; the demo fails rather than hangs. */
const STEP_TIMEOUT_MS = 30_000;
/** How long the demo gives a new password to reach redis before it reports what it saw. */
const LOGIN_SETTLE_MS = 3_000;

const WHAT_IT_DID: Readonly<Record<(typeof STEPS)[number], string>> = {
  createSecret: 'generated a new password, stored it as AWSPENDING',
  setSecret: 'gave the user two passwords: [new, current]',
  testSecret: 'proved the new password: AUTH + PING over TLS',
  finishSecret: 'moved AWSCURRENT to the new version',
};
const STEP_COLUMNS = [13, 8, 6, 11, 13];
const VERSION_COLUMNS = [11, 24, 9];

/** Acts 2 and 3: one rotation per engine through the bundled rotation function, as Secrets Manager drives it. */
export async function rotateBoth(stage: Stage, cleanup: Cleanup, firstAct: number): Promise<void> {
  const fn = await cleanup.start(
    'rotation function host',
    () => startRotationFunction(bundleOf(stage, 'rotate'), stage.aws, stage.redis, stage.rotated),
    (host) => host.stop(),
    { host: true },
  );
  for (const [index, user] of stage.rotated.entries()) {
    await rotateOne(stage, fn, user, firstAct + index);
  }
}

async function rotateOne(
  stage: Stage,
  fn: LambdaHost,
  user: ProvisionedUser,
  actNumber: number,
): Promise<void> {
  const { aws } = stage;
  const engine = ENGINE_LABEL[user.engine];
  act(`Act ${actNumber} · Rotating ${user.name} (${engine}) with the bundled rotation function`);
  say(`  secret ${user.secretArn}`);
  const logsIn = (password: string) => stage.redis.authenticates(user.name, password);
  const initialBefore = await logsIn(user.initialPassword);
  say(`  before: current password ${mask(user.initialPassword)} logs in: ${yesNo(initialBefore)}`);

  const token = randomUUID();
  aws.secrets.beginRotation(user.secretArn, token);
  say(`  Secrets Manager starts a rotation: token ${short(token)} gets an empty AWSPENDING version`);
  say();
  row(STEP_COLUMNS, [
    'step',
    'took'.padStart(8),
    'result',
    'current pwd',
    'new pwd',
    'what the function did',
  ]);
  let next = '';
  for (const step of STEPS) {
    const result = await within(
      STEP_TIMEOUT_MS + 5_000,
      `${step} for ${user.name}`,
      fn.invoke(
        { Step: step, SecretId: user.secretArn, ClientRequestToken: token },
        { timeoutMs: STEP_TIMEOUT_MS },
      ),
    );
    if (!result.ok) {
      row(STEP_COLUMNS, [step, took(result.durationMs), 'FAILED', '', '', result.error?.name ?? 'Error']);
      throw new DemoError(`${step} failed for ${user.name}: ${result.error?.message ?? 'no message'}`);
    }
    next ||= pendingPassword(stage, user, token);
    const [current, fresh] = await Promise.all([logsIn(user.initialPassword), logsIn(next)]);
    row(STEP_COLUMNS, [
      step,
      took(result.durationMs),
      'ok',
      `${mask(user.initialPassword)} ${yesNo(current)}`,
      `${mask(next)} ${fresh ? 'yes' : 'not yet'}`,
      WHAT_IT_DID[step],
    ]);
  }
  await reportAfter(stage, user, next);
}

async function reportAfter(stage: Stage, user: ProvisionedUser, next: string): Promise<void> {
  const logsIn = (password: string) => stage.redis.authenticates(user.name, password);
  const [fresh, previous] = await Promise.all([
    settlesTo(() => logsIn(next), true, LOGIN_SETTLE_MS),
    logsIn(user.initialPassword),
  ]);
  say();
  say('  after the rotation, the secret holds');
  row(VERSION_COLUMNS, ['version', 'stages', 'password', 'logs in']);
  const stages = stage.aws.secrets.stagesOf(user.secretArn);
  // The version clients read (AWSCURRENT) on top; versions without a label are history nobody reads.
  const isCurrent = ([, labels]: [string, string[]]) => (labels.includes('AWSCURRENT') ? 0 : 1);
  const labelled = Object.entries(stages).filter(([, labels]) => labels.length > 0);
  for (const [versionId, labels] of labelled.sort((a, b) => isCurrent(a) - isCurrent(b))) {
    const password = passwordOf(stage, user, versionId);
    row(VERSION_COLUMNS, [
      short(versionId),
      labels.join(', '),
      mask(password),
      yesNo(await logsIn(password)),
    ]);
  }
  const state = stage.aws.users.get(user.engine, user.name);
  say(`  user ${user.name} is ${state?.status} with ${state?.passwordCount} passwords`);
  if (!fresh || !previous) {
    throw new DemoError(
      `after rotating ${user.name} the new password ${fresh ? 'works' : 'does not work'} and the previous one ${previous ? 'works' : 'does not work'}; both should`,
    );
  }
  say(
    `  ✔ rotation done for ${user.name} (${ENGINE_LABEL[user.engine]}): new password ${mask(next)} authenticates, previous password ${mask(user.initialPassword)} authenticates too`,
  );
}

function pendingPassword(stage: Stage, user: ProvisionedUser, token: string): string {
  const password = passwordOf(stage, user, token);
  if (!password) throw new DemoError(`createSecret left no AWSPENDING password on version ${token}`);
  return password;
}

/** Read through the endpoint's own controls: the demo never prints a value, only a masked password. */
function passwordOf(stage: Stage, user: ProvisionedUser, versionId: string): string {
  const value = stage.aws.secrets.valueOf(user.secretArn, versionId);
  const password = value === undefined ? undefined : (JSON.parse(value) as { password?: unknown }).password;
  return typeof password === 'string' ? password : '';
}

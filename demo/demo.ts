// `npm run demo`: the whole stack working on this machine. A TLS redis-server stands in for the caches, a
// local endpoint for Secrets Manager, ElastiCache, MemoryDB, EventBridge and Scheduler, dynalite for
// DynamoDB, and the functions run from
// the bundles a real synth produces, each in its own Node process as on Lambda.
import { recordCallsIfAsked } from '../local';
import { approvedFromTheCli } from './approval-act';
import { Cleanup } from './cleanup';
import { ephemeralUser } from './ephemeral-act';
import { reconcileAroundWindow } from './membership-act';
import { requestAndRevoke } from './requests-act';
import { rotateBoth } from './rotation-act';
import { setTheStage } from './stage';
import { act, say } from './story';
import { DemoError } from './waits';

const cleanup = new Cleanup();
const started = Date.now();

async function main(): Promise<void> {
  say(
    'cache-access-automation demo: password rotation, scheduled and requested group membership, users made per request, all on this machine',
  );
  say('(passwords are shown masked: first 4 characters and …)');
  const stage = await setTheStage(cleanup);
  await rotateBoth(stage, cleanup, 2);
  await reconcileAroundWindow(stage, cleanup, 4);
  await requestAndRevoke(stage, cleanup, 6);
  await ephemeralUser(stage, cleanup, 7);
  await approvedFromTheCli(stage, cleanup, 8);
  recordCallsIfAsked(stage.aws.calls);
}

/** Everything that was started stops here, whatever happened; returns the exit code. */
async function finish(failure: unknown): Promise<number> {
  act('Clean-up');
  const { done, problems } = await cleanup.run();
  for (const line of done) say(`  ${line}`);
  for (const problem of problems) say(`  could not clean up ${problem}`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (failure !== undefined) {
    process.stderr.write(`\n✘ demo failed after ${seconds} s: ${describe(failure)}\n`);
    return 1;
  }
  if (problems.length > 0) {
    process.stderr.write(`\n✘ demo ran in ${seconds} s but left something behind (see above)\n`);
    return 1;
  }
  say(`\n✔ demo finished in ${seconds} s`);
  return 0;
}

/**
 * The message without a stack: the failures the demo expects (a missing redis-server, a step that failed)
 * explain themselves, and a stack would bury the fix. Unusual error types keep their name.
 */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const plain = error instanceof DemoError || error.name === 'Error';
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${plain ? '' : `${error.name}: `}${error.message}${cause}`;
}

let ending: Promise<never> | undefined;

/** The one way out: cleans up once, however many of success, failure and signals arrive. */
function end(failure: unknown): Promise<never> {
  ending ??= finish(failure).then((code) => process.exit(code));
  return ending;
}

function onSignal(signal: NodeJS.Signals): void {
  if (ending !== undefined) return;
  process.stderr.write(`\ninterrupted by ${signal}; cleaning up\n`);
  void end(new DemoError(`interrupted by ${signal}`));
}

// Kept for every signal, not once: a second Ctrl-C (or tsx relaying the first one again) would otherwise
// end the process halfway through the clean-up and leave redis-server running. Every stop is time-bounded.
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// After a signal, main's own failure (the services stopped under it) is a consequence: end() ignores it.
void main().then(
  () => end(undefined),
  (error: unknown) => end(error),
);

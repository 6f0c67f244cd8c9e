import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '#core/membership/bus-event';
import { adoptRecordedCalls, EPHEMERAL_NAMES, RECORDED_CALLS_FILE_ENV } from '../../local';
import { expectCallsAllowed } from '../support/iam-simulation';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// What `npm run demo` runs, minus npm: the exit code and output are the demo's own.
const DEMO = [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'demo/demo.ts'];
const RUN_TIMEOUT_MS = 90_000;

interface DemoRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly output: string;
  readonly durationMs: number;
}

/** Runs the demo to its end; `onLine` sees each stdout line as it arrives, with the child's pid. */
function runDemo(
  options: { env?: NodeJS.ProcessEnv; onLine?: (line: string, pid: number) => void } = {},
): Promise<DemoRun> {
  const started = Date.now();
  const child = spawn(process.execPath, DEMO, {
    cwd: ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) options.onLine?.(line, child.pid ?? -1);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, output: stdout + stderr, durationMs: Date.now() - started });
    });
  });
}

function redisPid(output: string): number {
  const pid = Number(/redis-server pid (\d+)/.exec(output)?.[1]);
  expect(pid, 'the demo names the redis-server it started').toBeGreaterThan(0);
  return pid;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM would mean a process exists that we may not signal: still running.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every scratch directory the demo named (Act 1) or removed (clean-up). */
function scratchDirs(output: string): string[] {
  return [...new Set(output.match(/\/\S*(?:cache-access-demo|redis-harness)-[A-Za-z0-9]+/g) ?? [])];
}

/** Grants end at an instant, which the CLI and chat print; no password is one. */
const ISO_INSTANT = /^\(?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z\)?\.?$/;

/** The users made per request are named, not secret; their ids are long enough to look like a password. */
const EPHEMERAL_USER = new RegExp(`^${EPHEMERAL_NAMES.userPrefix}[0-9a-f]{16}$`);

/**
 * Runs of characters a password may contain that are long enough to be one. Passwords here are printable
 * ASCII without space , " / @ ' ` \ and at least 16 long (the local endpoint refuses shorter ones; the
 * demo's own are 29 and 64), so a printed password always appears whole inside such a run. The few
 * non-secret tokens the demo prints that can form a run that long are set aside first: ARNs, URLs and
 * absolute paths (a password cannot contain '/', and none starts with "arn:aws:"), ISO 8601 instants,
 * and the event source.
 * What is left must be empty: the demo prints passwords only masked (4 characters and '…').
 */
function passwordLikeRuns(output: string): string[] {
  const tokens = output
    .split(/\s+/)
    .filter(
      (token) =>
        !/^(arn:aws:|https?:\/\/|\/)/.test(token) &&
        !EPHEMERAL_USER.test(token.replace(/,$/, '')) &&
        !ISO_INSTANT.test(token),
    );
  const text = tokens.join(' ').replaceAll(EVENT_SOURCE, ' ');
  return text.match(/[!#-&(-+\-.0-?A-[\]-_a-~]{16,}/g) ?? [];
}

describe('npm run demo', () => {
  it('tells the rotation, membership and request story, masks every password and leaves nothing behind', async () => {
    const calls = join(await mkdtemp(join(tmpdir(), 'demo-calls-')), 'calls.json');
    const run = await runDemo({ env: { ...process.env, [RECORDED_CALLS_FILE_ENV]: calls } });

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /✔ rotation done for app-writer \(ElastiCache\): new password \S{4}… authenticates, previous password Init… authenticates too/,
    );
    expect(run.stdout).toMatch(
      /✔ rotation done for app-reader \(MemoryDB\): new password \S{4}… authenticates, previous password Init… authenticates too/,
    );
    for (const [user, group] of [
      ['alice', 'prod-ug'],
      ['bob', 'prod-acl'],
    ]) {
      const added = run.stdout.indexOf(`✔ ${user} added to ${group} and can log in`);
      const removed = run.stdout.indexOf(`✔ ${user} removed from ${group} and can no longer log in`);
      expect(added, `${user} added`).toBeGreaterThan(0);
      expect(removed, `${user} removed after being added`).toBeGreaterThan(added);
    }
    expect(run.stdout.match(/Cache Membership Changed from cache-access-automation/g)).toHaveLength(4);
    const granted = run.stdout.indexOf('✔ alice is in prod-ug and can log in');
    const revoked = run.stdout.indexOf('✔ alice is out of prod-ug and refused at login');
    expect(granted, 'alice granted on request').toBeGreaterThan(0);
    expect(revoked, 'alice revoked after').toBeGreaterThan(granted);
    expect(run.stdout).toMatch(/Cache Access Granted on bus cache-access: request CHG-\S+ · alice · until/);
    expect(run.stdout).toMatch(
      /Cache Access Ended on bus cache-access: request CHG-\S+ · alice · cause revoked/,
    );
    // The times are from the event to the login seen, and a login takes well under a minute.
    for (const figure of run.stdout.matchAll(
      /(?:can log in|refused at login) (\d+) ms|(?:can log in|refused at login) (\d+\.\d) s/g,
    )) {
      expect(Number(figure[1] ?? Number(figure[2]) * 1000)).toBeLessThan(60_000);
    }
    const made = /Cache Access Granted names user (\S+) and secret (arn:aws:secretsmanager:\S+)/.exec(
      run.stdout,
    );
    expect(made?.[1]).toMatch(EPHEMERAL_USER);
    expect(run.stdout).toMatch(/the reader fetches it: username \S+, password \S{4}… \(64 characters\)/);
    expect(run.stdout).toContain(`✔ ${made?.[1]} can log in`);
    expect(run.stdout).toContain(`✔ ${made?.[1]} and its secret are deleted, and the password is refused`);
    expect(run.stdout).toMatch(
      /→ alice@example\.com, signed in with the Developers permission set, asks via the signed API: CHG-\S+ is pending/,
    );
    const waiting = run.stdout.indexOf('✔ alice cannot log in to prod-ug (ElastiCache) while it waits');
    const approved = run.stdout.search(/request CHG-\S+ is granted to alice until \S+\./);
    const loggedIn = run.stdout.search(/✔ alice can log in \d+(\.\d)? m?s after the approval/);
    expect(waiting, 'the request waits').toBeGreaterThan(revoked);
    expect(approved, 'approved from the CLI').toBeGreaterThan(waiting);
    expect(loggedIn, 'alice logs in after the approval').toBeGreaterThan(approved);
    expect(run.stdout).toContain('Cache Access Pending: alice@example.com asks prod-ug for 2 h: INC-44');
    expect(run.stdout).toContain(
      "Cache Access Approved: carol approved alice@example.com's request for prod-ug",
    );
    expect(run.stdout).toMatch(/✔ demo finished in \d+\.\d s/);
    expect(passwordLikeRuns(run.output)).toEqual([]);
    // The initial passwords all start "Init-": one character past the mask would show that dash.
    expect(run.output).not.toContain('Init-');
    expect(run.output).not.toMatch(/"level"|"message"/);
    expect(isRunning(redisPid(run.stdout))).toBe(false);
    const dirs = scratchDirs(run.stdout);
    expect(dirs).toHaveLength(2);
    for (const dir of dirs) expect(existsSync(dir), dir).toBe(false);
    // The demo's functions ran in its own process: their calls are proved here, as every suite's are.
    await expectCallsAllowed(adoptRecordedCalls(await readFile(calls, 'utf8')), 'npm run demo', {
      functionsHosted: true,
    });
    await rm(dirname(calls), { recursive: true, force: true });
  }, 180_000);

  describe('without redis-server on PATH', () => {
    let bin: string;

    beforeAll(async () => {
      // Only openssl: certificates are made before redis-server is started, so its absence is what fails.
      bin = await mkdtemp(join(tmpdir(), 'demo-path-'));
      const openssl = (process.env.PATH ?? '')
        .split(delimiter)
        .map((dir) => join(dir, 'openssl'))
        .find((file) => existsSync(file));
      if (!openssl) throw new Error('openssl not found on PATH; install it with: apt-get install -y openssl');
      await symlink(openssl, join(bin, 'openssl'));
    });

    afterAll(async () => {
      await rm(bin, { recursive: true, force: true });
    });

    it('fails at once with the install hint, no stack trace and exit code 1', async () => {
      const run = await runDemo({ env: { ...process.env, PATH: bin } });

      expect(run.code).toBe(1);
      expect(run.stderr).toContain('demo failed after');
      expect(run.stderr).toContain(
        'redis-server not found on PATH; install it with: apt-get install -y redis-server',
      );
      expect(run.output).not.toMatch(/^\s+at /m);
      expect(run.durationMs).toBeLessThan(15_000);
      for (const dir of scratchDirs(run.stdout)) expect(existsSync(dir), dir).toBe(false);
    }, 60_000);
  });

  it('stops redis-server and removes its directories when interrupted with SIGTERM mid-rotation', async () => {
    let signalled = false;

    const run = await runDemo({
      onLine: (line, pid) => {
        // The rotation function host is up and a rotation is under way: everything there is to clean up.
        if (!signalled && /^\s+createSecret\s/.test(line)) {
          signalled = true;
          process.kill(pid, 'SIGTERM');
        }
      },
    });

    expect(signalled).toBe(true);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('demo failed after');
    expect(run.stderr).toContain('interrupted by SIGTERM');
    expect(run.stdout).toContain('stopped rotation function host');
    expect(isRunning(redisPid(run.stdout))).toBe(false);
    const dirs = scratchDirs(run.stdout);
    expect(dirs).toHaveLength(2);
    for (const dir of dirs) expect(existsSync(dir), dir).toBe(false);
  }, 180_000);
});

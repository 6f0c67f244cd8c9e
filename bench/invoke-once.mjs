// Loads one bundle in a fresh process, as a cold Lambda would, and reports the module's
// initialisation time, optionally one invocation's time, and the process's peak RSS.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { lambdaContext } from '../local/lambda/context.mjs';

const [bundle, eventJson] = process.argv.slice(2);
const started = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const initMs = performance.now() - started;
let invokeMs;
if (eventJson) {
  const invokeStarted = performance.now();
  await handler(JSON.parse(eventJson), lambdaContext('bench', 600_000)).catch(() => undefined);
  invokeMs = performance.now() - invokeStarted;
}
process.stderr.write(`${JSON.stringify({ initMs, invokeMs, maxRssKb: peakRssKb() })}\n`);

/**
 * This process's own peak. getrusage's maxRSS survives exec on Linux, so a child started by a
 * large parent reports the parent's peak; /proc's VmHWM belongs to this process alone.
 */
function peakRssKb() {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    if (match) return Number(match[1]);
  } catch {}
  return process.resourceUsage().maxRSS;
}

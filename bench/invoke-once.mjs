// Loads one bundle in a fresh process, as a cold Lambda would, and reports the module's
// initialisation time, optionally one invocation's time, and the process's peak RSS.
import { pathToFileURL } from 'node:url';

const [bundle, eventJson] = process.argv.slice(2);
const started = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const initMs = performance.now() - started;
let invokeMs;
if (eventJson) {
  const invokeStarted = performance.now();
  const context = {
    functionName: 'bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bench',
    memoryLimitInMB: '256',
    awsRequestId: 'bench',
    getRemainingTimeInMillis: () => 600_000 - (performance.now() - invokeStarted),
  };
  await handler(JSON.parse(eventJson), context).catch(() => undefined);
  invokeMs = performance.now() - invokeStarted;
}
process.stderr.write(`${JSON.stringify({ initMs, invokeMs, maxRssKb: process.resourceUsage().maxRSS })}\n`);

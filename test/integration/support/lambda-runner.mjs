// Hosts one bundled handler the way the Lambda runtime does: the module loads once (cold start),
// then each IPC message is one invocation with a context whose remaining time counts down.
import { pathToFileURL } from 'node:url';

const [bundle] = process.argv.slice(2);
let handler;
try {
  ({ handler } = await import(pathToFileURL(bundle).href));
} catch (error) {
  process.send({ type: 'init-error', error: { name: error.name, message: error.message } });
  process.exit(1);
}

process.on('message', async ({ id, event, timeoutMs }) => {
  const started = Date.now();
  const context = {
    functionName: 'cache-access-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:cache-access-test',
    memoryLimitInMB: '256',
    awsRequestId: id,
    logGroupName: '/aws/lambda/cache-access-test',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
  };
  try {
    const result = await handler(event, context);
    process.send({ type: 'result', id, ok: true, result, durationMs: Date.now() - started });
  } catch (error) {
    process.send({
      type: 'result',
      id,
      ok: false,
      error: { name: error?.name, message: error?.message },
      durationMs: Date.now() - started,
    });
  }
});
process.send({ type: 'ready' });

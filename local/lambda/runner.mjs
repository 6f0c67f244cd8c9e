// Hosts one bundled handler the way the Lambda runtime does: the module loads once (cold start),
// then each IPC message is one invocation with a context whose remaining time counts down.
import { pathToFileURL } from 'node:url';
import { lambdaContext } from './context.mjs';

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
  const context = lambdaContext(id, timeoutMs);
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

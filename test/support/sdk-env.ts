import type { LocalAwsEnv } from '../../local';

/**
 * Points unmodified SDK clients created afterwards at the local endpoint through the standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables, as the deployed handlers are configured; returns what undoes it.
 */
export function pointSdkAt(env: LocalAwsEnv): () => void {
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(env)) {
    saved.set(name, process.env[name]);
    process.env[name] = value;
  }
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  };
}

/** The error the call fails with; fails the test if the call succeeds. */
export function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

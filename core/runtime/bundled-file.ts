import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DeployedConfigError } from './errors';

/**
 * A file the stack bundled beside the handler (configuration too large for Lambda's 4 KB of
 * environment), or the file an environment variable names instead (local runs and tests).
 */
export function readBundledFile(
  fileName: string,
  overrideVariable: string,
  handlerUrl: string,
): { readonly path: string; readonly content: string } {
  const path = process.env[overrideVariable] ?? join(dirname(fileURLToPath(handlerUrl)), fileName);
  try {
    return { path, content: readFileSync(path, 'utf8') };
  } catch (error) {
    throw new DeployedConfigError(`cannot read ${path}; redeploy the stack to restore it`, { cause: error });
  }
}

/** A bundled file's JSON checked against the schema it was written with: the function trusts nothing it reads. */
export function parseBundledJson<Schema extends z.ZodType>(
  json: string,
  source: string,
  schema: Schema,
  what: string,
): z.output<Schema> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new DeployedConfigError(`${source} is not valid JSON`, { cause: error });
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new DeployedConfigError(`${source} is not ${what}: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}

import { readFileSync } from 'node:fs';
import { type CacheAccessConfig, configSchema } from './schema';

/** Raised for any config problem; the message lists every problem with its JSON path and value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const CONTEXT_KEY = 'cacheAccess';
export const CONFIG_FILE_CONTEXT_KEY = 'config';

/** Reads the config from `-c config=path.json` when given, else from the `cacheAccess` context object. */
export function loadConfig(tryGetContext: (key: string) => unknown): CacheAccessConfig {
  const file = tryGetContext(CONFIG_FILE_CONTEXT_KEY);
  if (file !== undefined) {
    if (typeof file !== 'string' || file === '') {
      throw new ConfigError(`context '${CONFIG_FILE_CONTEXT_KEY}' must be a path to a JSON file`);
    }
    return parseConfig(readJsonFile(file), file);
  }
  const inline = tryGetContext(CONTEXT_KEY);
  if (inline === undefined) {
    throw new ConfigError(
      `no configuration: add a '${CONTEXT_KEY}' object to cdk.json's context or pass -c ${CONFIG_FILE_CONTEXT_KEY}=path.json`,
    );
  }
  return parseConfig(inline, `cdk.json context '${CONTEXT_KEY}'`);
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

export function parseConfig(input: unknown, source: string): CacheAccessConfig {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.reduce<string>(
      (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`),
      '$',
    );
    const received = valueAt(input, issue.path);
    const shown = received === undefined ? 'nothing' : JSON.stringify(received);
    return `  ${path}: ${issue.message} (got ${shown})`;
  });
  throw new ConfigError(`invalid configuration in ${source}:\n${problems.join('\n')}`);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

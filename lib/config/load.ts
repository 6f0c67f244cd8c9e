import { readFileSync } from 'node:fs';
import { type CacheAccessConfig, configSchema } from './schema';
import { InvalidConfigError, validated } from './validate';

const CONTEXT_KEY = 'cacheAccess';
export const CONFIG_FILE_CONTEXT_KEY = 'config';

/** Reads the config from `-c config=path.json` when given, else from the `cacheAccess` context object. */
export function loadConfig(tryGetContext: (key: string) => unknown): CacheAccessConfig {
  const file = tryGetContext(CONFIG_FILE_CONTEXT_KEY);
  if (file !== undefined) {
    if (typeof file !== 'string' || file === '') {
      throw new InvalidConfigError(`context '${CONFIG_FILE_CONTEXT_KEY}' must be a path to a JSON file`);
    }
    return parseConfig(readJsonFile(file), file);
  }
  const inline = tryGetContext(CONTEXT_KEY);
  if (inline === undefined) {
    throw new InvalidConfigError(
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
    throw new InvalidConfigError(`cannot read config file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidConfigError(`config file ${file} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export function parseConfig(input: unknown, source: string): CacheAccessConfig {
  return validated(configSchema, input, source);
}

import { readFileSync } from 'node:fs';
import { type CacheAccessConfig, configSchema, jsonPath } from './schema';

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
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export function parseConfig(input: unknown, source: string): CacheAccessConfig {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => {
    // Zod reports unknown keys on their parent object; report each key at its own path instead,
    // with its value rather than the whole parent, and the keys that are allowed there.
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(issue.path);
      const expected = allowed ? `; expected one of ${allowed.join(', ')}` : '';
      return issue.keys.map((key) =>
        problem(input, [...issue.path, key], `unrecognized key '${key}'${expected}`),
      );
    }
    return [problem(input, issue.path, issue.message)];
  });
  throw new ConfigError(`invalid configuration in ${source}:\n${problems.join('\n')}`);
}

function problem(input: unknown, path: readonly PropertyKey[], message: string): string {
  const received = valueAt(input, path);
  const shown = received === undefined ? 'nothing' : JSON.stringify(received);
  return `  ${jsonPath(path)}: ${message} (got ${shown})`;
}

/** Just the parts of a Zod schema definition needed to find an object's keys by path. */
interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, { readonly _zod: { readonly def: SchemaDef } }>;
  readonly element?: { readonly _zod: { readonly def: SchemaDef } };
  readonly innerType?: { readonly _zod: { readonly def: SchemaDef } };
  readonly in?: { readonly _zod: { readonly def: SchemaDef } };
}

/** The keys the schema allows for the object at `path`, or undefined if the path leads elsewhere. */
function allowedKeysAt(path: readonly PropertyKey[]): string[] | undefined {
  const unwrap = (def: SchemaDef): SchemaDef => {
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    return inner ? unwrap(inner._zod.def) : def;
  };
  let def: SchemaDef | undefined = unwrap((configSchema as unknown as { _zod: { def: SchemaDef } })._zod.def);
  for (const key of path) {
    const next: { readonly _zod: { readonly def: SchemaDef } } | undefined =
      typeof key === 'number' ? def?.element : def?.shape?.[String(key)];
    def = next && unwrap(next._zod.def);
  }
  return def?.shape ? Object.keys(def.shape) : undefined;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

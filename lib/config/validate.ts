import type { z } from 'zod';
import { quotedJson } from '#core/runtime/quoted';

/**
 * A configuration or construct props that AWS would refuse or that cannot mean what was meant, found
 * at synth. The message lists every problem with its JSON path, the value received and what is
 * allowed. (A deployed function that finds its own configuration broken raises DeployedConfigError.)
 */
export class InvalidConfigError extends Error {
  override name = 'InvalidConfigError';
}

/** The schema's output for `input`, or an InvalidConfigError naming every problem and where it is. */
export function validated<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  source: string,
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => {
    // Zod reports unknown keys on their parent object; report each key at its own path instead,
    // with its value rather than the whole parent, and the keys that are allowed there.
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(schema, issue.path);
      const expected = allowed ? `; expected one of ${allowed.join(', ')}` : '';
      return issue.keys.map((key) =>
        problem(input, [...issue.path, key], `unrecognized key '${key}'${expected}`),
      );
    }
    return [problem(input, issue.path, issue.message)];
  });
  throw new InvalidConfigError(`invalid configuration in ${source}:\n${problems.join('\n')}`);
}

/** `$.rotation.targets[0].userArn`, the form every config message uses. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`),
    '$',
  );
}

function problem(input: unknown, path: readonly PropertyKey[], message: string): string {
  const received = valueAt(input, path);
  const shown = received === undefined ? 'nothing' : quotedJson(received);
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
function allowedKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  const unwrap = (def: SchemaDef): SchemaDef => {
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    return inner ? unwrap(inner._zod.def) : def;
  };
  let def: SchemaDef | undefined = unwrap((schema as unknown as { _zod: { def: SchemaDef } })._zod.def);
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

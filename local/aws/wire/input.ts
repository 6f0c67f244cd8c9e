import { ServiceError } from './errors';

/** Request parameters, read the same way whether they arrived as JSON or as an awsQuery form. */
export interface Input {
  string(name: string): string | undefined;
  strings(name: string): readonly string[] | undefined;
  struct(name: string): Input | undefined;
  structs(name: string): readonly Input[] | undefined;
  /** JSON sends epoch seconds, awsQuery an ISO 8601 string. */
  timestamp(name: string): Date | undefined;
  /** JSON sends a number, awsQuery its digits. */
  integer(name: string): number | undefined;
  /** JSON sends `true`/`false`, awsQuery the same words. */
  boolean(name: string): boolean | undefined;
  /** A map of strings: a JSON object, or awsQuery's `Name.entry.N.key` / `.value` pairs. */
  stringMap(name: string): Readonly<Record<string, string>> | undefined;
  /** The value if it is a string or a list of strings, without judging the request; for the call log. */
  peek(name: string): string | readonly string[] | undefined;
}

export function requiredString(input: Input, name: string): string {
  const value = input.string(name);
  if (value === undefined || value === '') {
    throw new ServiceError('MissingParameter', `The request must contain the parameter ${name}.`);
  }
  return value;
}

export function parseJsonObject(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body === '' ? '{}' : body);
  } catch {
    throw new ServiceError('SerializationException', 'The request body is not valid JSON.');
  }
  if (!isRecord(parsed)) {
    throw new ServiceError('SerializationException', 'The request body must be a JSON object.');
  }
  return parsed;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class JsonInput implements Input {
  constructor(private readonly fields: Record<string, unknown>) {}

  string(name: string): string | undefined {
    const value = this.fields[name];
    if (value === undefined || typeof value === 'string') {
      return value;
    }
    throw new ServiceError('SerializationException', `${name} must be a string.`);
  }

  strings(name: string): readonly string[] | undefined {
    const value = this.fields[name];
    if (value === undefined || (Array.isArray(value) && value.every((item) => typeof item === 'string'))) {
      return value;
    }
    throw new ServiceError('SerializationException', `${name} must be a list of strings.`);
  }

  struct(name: string): Input | undefined {
    const value = this.fields[name];
    if (value === undefined) {
      return undefined;
    }
    if (isRecord(value)) {
      return new JsonInput(value);
    }
    throw new ServiceError('SerializationException', `${name} must be an object.`);
  }

  structs(name: string): readonly Input[] | undefined {
    const value = this.fields[name];
    if (value === undefined) {
      return undefined;
    }
    if (Array.isArray(value) && value.every(isRecord)) {
      return value.map((item) => new JsonInput(item));
    }
    throw new ServiceError('SerializationException', `${name} must be a list of objects.`);
  }

  timestamp(name: string): Date | undefined {
    const value = this.fields[name];
    if (value === undefined) {
      return undefined;
    }
    if (typeof value === 'number') {
      return new Date(value * 1000);
    }
    throw new ServiceError('SerializationException', `${name} must be a timestamp in epoch seconds.`);
  }

  integer(name: string): number | undefined {
    const value = this.fields[name];
    if (value === undefined || Number.isInteger(value)) {
      return value as number | undefined;
    }
    throw new ServiceError('SerializationException', `${name} must be an integer.`);
  }

  boolean(name: string): boolean | undefined {
    const value = this.fields[name];
    if (value === undefined || typeof value === 'boolean') {
      return value;
    }
    throw new ServiceError('SerializationException', `${name} must be a boolean.`);
  }

  stringMap(name: string): Readonly<Record<string, string>> | undefined {
    const value = this.fields[name];
    if (value === undefined) {
      return undefined;
    }
    if (isRecord(value) && Object.values(value).every((item) => typeof item === 'string')) {
      return value as Record<string, string>;
    }
    throw new ServiceError('SerializationException', `${name} must be a map of strings.`);
  }

  peek(name: string): string | readonly string[] | undefined {
    const value = this.fields[name];
    const isStrings = Array.isArray(value) && value.every((item) => typeof item === 'string');
    return typeof value === 'string' || isStrings ? value : undefined;
  }
}

// awsQuery flattens structures into dotted keys: `AuthenticationMode.Passwords.member.1=...`.
export class QueryInput implements Input {
  constructor(
    private readonly params: URLSearchParams,
    private readonly prefix: string,
  ) {}

  string(name: string): string | undefined {
    return this.params.get(this.prefix + name) ?? undefined;
  }

  strings(name: string): readonly string[] | undefined {
    const key = `${this.prefix}${name}`;
    const items: string[] = [];
    for (let index = 1; this.params.has(`${key}.member.${index}`); index++) {
      items.push(this.params.get(`${key}.member.${index}`) ?? '');
    }
    // The SDK sends an empty list as a bare `Name=`.
    return items.length > 0 || this.params.has(key) ? items : undefined;
  }

  struct(name: string): Input | undefined {
    const prefix = `${this.prefix}${name}.`;
    return [...this.params.keys()].some((key) => key.startsWith(prefix))
      ? new QueryInput(this.params, prefix)
      : undefined;
  }

  structs(name: string): readonly Input[] | undefined {
    const key = `${this.prefix}${name}`;
    const items: Input[] = [];
    for (let index = 1; this.struct(`${name}.member.${index}`) !== undefined; index++) {
      items.push(new QueryInput(this.params, `${key}.member.${index}.`));
    }
    return items.length > 0 || this.params.has(key) ? items : undefined;
  }

  timestamp(name: string): Date | undefined {
    const value = this.string(name);
    if (value === undefined) {
      return undefined;
    }
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) {
      throw new ServiceError('InvalidParameterValue', `${name} must be an ISO 8601 timestamp.`);
    }
    return date;
  }

  integer(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) {
      return undefined;
    }
    if (!/^-?\d+$/.test(value)) {
      throw new ServiceError('InvalidParameterValue', `${name} must be an integer.`);
    }
    return Number(value);
  }

  boolean(name: string): boolean | undefined {
    const value = this.string(name);
    if (value === undefined || value === 'true' || value === 'false') {
      return value === undefined ? undefined : value === 'true';
    }
    throw new ServiceError('InvalidParameterValue', `${name} must be true or false.`);
  }

  stringMap(name: string): Readonly<Record<string, string>> | undefined {
    const key = `${this.prefix}${name}.entry`;
    const map: Record<string, string> = {};
    for (let index = 1; this.params.has(`${key}.${index}.key`); index++) {
      map[this.params.get(`${key}.${index}.key`) ?? ''] = this.params.get(`${key}.${index}.value`) ?? '';
    }
    return Object.keys(map).length > 0 ? map : undefined;
  }

  peek(name: string): string | readonly string[] | undefined {
    return this.string(name) ?? this.strings(name);
  }
}

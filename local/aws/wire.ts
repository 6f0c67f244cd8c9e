import type { IncomingHttpHeaders } from 'node:http';

export type ServiceName =
  | 'secretsmanager'
  | 'elasticache'
  | 'memorydb'
  | 'eventbridge'
  | 'scheduler'
  | 'cloudformation';

/** A modelled AWS error; `code` is the error shape name, e.g. `InvalidUserStateFault`. */
export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * How one error shape appears on the wire. awsQuery services send a shorter code than the shape name
 * (the `awsQueryError` trait in the SDK's schemas), and some faults use a status other than 400.
 */
export interface Fault {
  readonly shape: string;
  readonly queryCode: string;
  readonly status: number;
}

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

export interface Encoded {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Where a REST request put its parameters besides the body: the path's named parts and the query. */
export interface RestParams {
  readonly path: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}

export interface Protocol {
  readonly decode: (body: string, rest?: RestParams) => Input;
  readonly result: (operation: string, output: object, requestId: string) => Encoded;
  readonly error: (error: ServiceError, requestId: string) => Encoded;
}

/** The code every service answers an excess request with; see `ThrottleOptions`. */
export const THROTTLING = 'ThrottlingException';

// Faults no service models but every one can send. The SDK retries the server faults because of their status
// and the throttling fault because of its code, which awsQuery services spell `Throttling`.
const COMMON_FAULTS: readonly Fault[] = [
  { shape: 'InternalFailure', queryCode: 'InternalFailure', status: 500 },
  { shape: 'InternalServiceError', queryCode: 'InternalServiceError', status: 500 },
  { shape: 'ServiceUnavailable', queryCode: 'ServiceUnavailable', status: 503 },
  { shape: THROTTLING, queryCode: 'Throttling', status: 400 },
];

// Accepts either spelling so a test can inject a fault by the name it knows.
function faultFor(faults: readonly Fault[], code: string): Fault {
  const known = [...faults, ...COMMON_FAULTS].find(
    (fault) => fault.shape === code || fault.queryCode === code,
  );
  return known ?? { shape: code, queryCode: code, status: 400 };
}

/** awsJson1_1, as Secrets Manager, MemoryDB and EventBridge speak it. */
export function awsJson(faults: readonly Fault[]): Protocol {
  const contentType = 'application/x-amz-json-1.1';
  return {
    decode: (body) => new JsonInput(parseJsonObject(body)),
    result: (_operation, output) => ({ status: 200, contentType, body: JSON.stringify(output) }),
    error: (error) => {
      const fault = faultFor(faults, error.code);
      return {
        status: fault.status,
        contentType,
        body: JSON.stringify({ __type: fault.shape, message: error.message }),
      };
    },
  };
}

/**
 * restJson1, as EventBridge Scheduler speaks it: the operation is the method and path, parameters come
 * from the path, the query and a JSON body, and an error names its type in `x-amzn-errortype`.
 */
export function restJson(faults: readonly Fault[]): Protocol {
  const contentType = 'application/json';
  return {
    decode: (body, rest) => {
      const fields: Record<string, unknown> = { ...parseJsonObject(body) };
      for (const [name, value] of rest?.query ?? []) fields[name] = value;
      Object.assign(fields, rest?.path);
      return new JsonInput(fields);
    },
    result: (_operation, output) => ({ status: 200, contentType, body: JSON.stringify(output) }),
    error: (error) => {
      const fault = faultFor(faults, error.code);
      return {
        status: fault.status,
        contentType,
        headers: { 'x-amzn-errortype': fault.shape },
        body: JSON.stringify({ message: error.message }),
      };
    },
  };
}

/** awsQuery, as ElastiCache and CloudFormation speak it: form-encoded requests, XML responses. */
export function awsQuery(xmlNamespace: string, faults: readonly Fault[]): Protocol {
  const contentType = 'text/xml';
  return {
    decode: (body) => new QueryInput(new URLSearchParams(body), ''),
    result: (operation, output, requestId) => ({
      status: 200,
      contentType,
      body:
        `<${operation}Response xmlns="${xmlNamespace}"><${operation}Result>${toXml(output)}</${operation}Result>` +
        `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`,
    }),
    error: (error, requestId) => {
      const fault = faultFor(faults, error.code);
      const type = fault.status >= 500 ? 'Receiver' : 'Sender';
      return {
        status: fault.status,
        contentType,
        body:
          `<ErrorResponse xmlns="${xmlNamespace}"><Error><Type>${type}</Type><Code>${escapeXml(fault.queryCode)}</Code>` +
          `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    },
  };
}

/** The region the SDK signed for, from the SigV4 credential scope. */
export function signedRegion(headers: IncomingHttpHeaders, fallback: string): string {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(headers.authorization ?? '')?.[1] ?? fallback;
}

function parseJsonObject(body: string): Record<string, unknown> {
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class JsonInput implements Input {
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

  peek(name: string): string | readonly string[] | undefined {
    const value = this.fields[name];
    const isStrings = Array.isArray(value) && value.every((item) => typeof item === 'string');
    return typeof value === 'string' || isStrings ? value : undefined;
  }
}

// awsQuery flattens structures into dotted keys: `AuthenticationMode.Passwords.member.1=...`.
class QueryInput implements Input {
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

  peek(name: string): string | readonly string[] | undefined {
    return this.string(name) ?? this.strings(name);
  }
}

function toXml(value: unknown): string {
  if (Array.isArray(value)) {
    return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  }
  if (isRecord(value)) {
    return Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .map(([name, field]) => `<${name}>${toXml(field)}</${name}>`)
      .join('');
  }
  return escapeXml(String(value));
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

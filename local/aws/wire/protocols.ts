import type { IncomingHttpHeaders } from 'node:http';
import { type Fault, faultFor, type ServiceError } from './errors';
import { type Input, isRecord, JsonInput, parseJsonObject, QueryInput } from './input';

export type ServiceName =
  | 'secretsmanager'
  | 'elasticache'
  | 'memorydb'
  | 'eventbridge'
  | 'scheduler'
  | 'cloudformation'
  | 'sns'
  | 'dynamodb'
  | 'sqs';

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

/** awsJson1_1, as Secrets Manager, MemoryDB and EventBridge speak it; DynamoDB speaks version 1.0. */
export function awsJson(faults: readonly Fault[], version: '1.0' | '1.1' = '1.1'): Protocol {
  const contentType = `application/x-amz-json-${version}`;
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
 * awsJson1_0 with the `awsQueryCompatible` trait, as SQS speaks it: `__type` names the error shape in the
 * service's namespace, and `x-amzn-query-error` carries the awsQuery code and who was at fault
 * (`AWS.SimpleQueueService.NonExistentQueue;Sender`). The SDK reads the code from that header first and
 * fails with a TypeError when it is missing.
 */
export function awsJsonQueryCompatible(namespace: string, faults: readonly Fault[]): Protocol {
  const json = awsJson(faults, '1.0');
  return {
    ...json,
    error: (error) => {
      const fault = faultFor(faults, error.code);
      return {
        status: fault.status,
        contentType: 'application/x-amz-json-1.0',
        headers: {
          'x-amzn-query-error': `${fault.queryCode};${fault.status >= 500 ? 'Receiver' : 'Sender'}`,
        },
        body: JSON.stringify({ __type: `${namespace}#${fault.shape}`, message: error.message }),
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

/** awsQuery, as ElastiCache, CloudFormation and SNS speak it: form-encoded requests, XML responses. */
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

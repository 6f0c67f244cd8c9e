import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Authorizer } from './authorization/types';
import type { CallLog, FaultPlan } from './calls';
import type { Throttle } from './throttle';
import { type Fault, ServiceError, THROTTLING } from './wire/errors';
import type { Input } from './wire/input';
import {
  awsJson,
  awsJsonQueryCompatible,
  awsQuery,
  type Encoded,
  type Protocol,
  type RestParams,
  restJson,
  type ServiceName,
  signedRegion,
} from './wire/protocols';

export interface RequestContext {
  /** The region the SDK signed the request for. */
  readonly region: string;
  /** The access key id the request was signed with, if any. */
  readonly caller?: string;
  /** Aborted when the server stops or the caller hangs up, so a long poll ends with its request. */
  readonly signal?: AbortSignal;
}

export type Operation = (input: Input, context: RequestContext) => object | Promise<object>;

/** A REST operation: the method and a path pattern whose named groups are parameters. */
export interface RestRoute {
  readonly method: string;
  readonly path: RegExp;
  readonly operation: string;
}

/** A slice of one service; several modules may serve the same service (users, groups). */
export interface ServiceModule {
  readonly service: ServiceName;
  /** For a REST service: which method and path is which operation. */
  readonly routes?: readonly RestRoute[];
  /** Error shapes the module throws, so the protocol spells them the way the service does. */
  readonly faults: readonly Fault[];
  /** Parameters the call log may keep: identifiers, tokens, stages; never a password or secret value. */
  readonly safeParams: readonly string[];
  readonly operations: Readonly<Record<string, Operation>>;
  /** For a service another server answers: passes each request on unchanged, after it is recorded. */
  readonly forward?: Forward;
}

export type Forward = (body: string, headers: IncomingHttpHeaders) => Promise<Encoded>;

export interface DispatchOptions {
  readonly modules: readonly ServiceModule[];
  readonly calls: CallLog;
  /** What IAM would authorize for each call, recorded with it. */
  readonly authorize: Authorizer;
  readonly faults: FaultPlan;
  /** Rate limits, judged when a request arrives; a refused request is logged with its error like any other. */
  readonly throttle?: Throttle;
  readonly latencyMs: number;
  readonly defaultRegion: string;
  /** Aborted on stop, so requests waiting out the latency end with the server. */
  readonly signal: AbortSignal;
}

interface Service {
  readonly protocol: Protocol;
  readonly safeParams: readonly string[];
  readonly operations: Readonly<Record<string, Operation>>;
  readonly routes: readonly RestRoute[];
  readonly forward?: Forward;
}

const PROTOCOLS: Readonly<Record<ServiceName, (faults: readonly Fault[]) => Protocol>> = {
  secretsmanager: awsJson,
  memorydb: awsJson,
  eventbridge: awsJson,
  elasticache: (faults) => awsQuery('http://elasticache.amazonaws.com/doc/2015-02-02/', faults),
  cloudformation: (faults) => awsQuery('http://cloudformation.amazonaws.com/doc/2010-05-15/', faults),
  scheduler: restJson,
  sns: (faults) => awsQuery('http://sns.amazonaws.com/doc/2010-03-31/', faults),
  dynamodb: (faults) => awsJson(faults, '1.0'),
  sqs: (faults) => awsJsonQueryCompatible('com.amazonaws.sqs', faults),
};

// awsJson names the service in X-Amz-Target; awsQuery only in the API version inside the form body.
const JSON_TARGET_PREFIXES: Readonly<Record<string, ServiceName>> = {
  secretsmanager: 'secretsmanager',
  AmazonMemoryDB: 'memorydb',
  AWSEvents: 'eventbridge',
  DynamoDB_20120810: 'dynamodb',
  AmazonSQS: 'sqs',
};
const QUERY_VERSIONS: Readonly<Record<string, ServiceName>> = {
  '2015-02-02': 'elasticache',
  '2010-05-15': 'cloudformation',
  '2010-03-31': 'sns',
};
// A REST service is named only in the SigV4 credential scope; its routes tell the operation.
const REST_SERVICES: readonly ServiceName[] = ['scheduler'];

export function createDispatcher(
  options: DispatchOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const services = combine(options.modules);
  return (req, res) => {
    // 'close' also follows a finished response, when nobody waits on the signal any more.
    const hungUp = new AbortController();
    res.once('close', () => hungUp.abort());
    dispatch(req, services, options, AbortSignal.any([options.signal, hungUp.signal]))
      .then((encoded) => {
        res.writeHead(encoded.status, { 'content-type': encoded.contentType, ...encoded.headers });
        res.end(encoded.body);
      })
      .catch((error: unknown) => {
        // Aborted while waiting out the latency: the server is stopping and nobody needs an answer.
        if (options.signal.aborted) {
          res.destroy();
          return;
        }
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`local AWS failed: ${error instanceof Error ? error.message : String(error)}`);
      });
  };
}

function combine(modules: readonly ServiceModule[]): Map<ServiceName, Service> {
  const services = new Map<ServiceName, Service>();
  for (const name of Object.keys(PROTOCOLS) as ServiceName[]) {
    const parts = modules.filter((module) => module.service === name);
    const operations = parts.flatMap((part) => Object.entries(part.operations));
    const duplicate = operations.find(
      ([operation], index) => operations.findIndex(([other]) => other === operation) !== index,
    );
    if (duplicate !== undefined) {
      throw new Error(`two modules implement ${name} operation ${duplicate[0]}`);
    }
    services.set(name, {
      protocol: PROTOCOLS[name](parts.flatMap((part) => part.faults)),
      safeParams: parts.flatMap((part) => part.safeParams),
      operations: Object.fromEntries(operations),
      routes: parts.flatMap((part) => part.routes ?? []),
      forward: parts.find((part) => part.forward)?.forward,
    });
  }
  return services;
}

async function dispatch(
  req: IncomingMessage,
  services: Map<ServiceName, Service>,
  options: DispatchOptions,
  signal: AbortSignal,
): Promise<Encoded> {
  const body = await readBody(req);
  const route = identify(req, body, services);
  const service = route && services.get(route.service);
  if (route === undefined || service === undefined) {
    return {
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({
        __type: 'UnknownOperationException',
        message: `local AWS cannot tell which service and operation this request is for (X-Amz-Target: ${String(req.headers['x-amz-target'])})`,
      }),
    };
  }
  const requestId = randomUUID();
  const { protocol } = service;
  let input: Input;
  try {
    input = protocol.decode(body, route.rest);
  } catch (error) {
    return encodeFailure(protocol, error, requestId);
  }
  const region = signedRegion(req.headers, options.defaultRegion);
  const caller = signingKey(req);
  const call = options.calls.record(route.service, route.operation, input, service.safeParams, {
    caller,
    authorizations: options.authorize(route.service, route.operation, input, region),
  });
  const admitted = options.throttle?.admit(route.service) ?? true;
  await sleep(options.latencyMs, undefined, { signal: options.signal });
  try {
    if (!admitted) {
      throw new ServiceError(THROTTLING, 'Rate exceeded');
    }
    const injected = options.faults.take(route.service, route.operation);
    if (injected !== undefined) {
      throw new ServiceError(injected, `Injected fault for ${route.operation}.`);
    }
    if (service.forward) {
      const forwarded = await service.forward(body, req.headers);
      if (forwarded.status >= 400) call.error = errorCodeOf(forwarded.body);
      return forwarded;
    }
    const operation = service.operations[route.operation];
    if (operation === undefined) {
      throw new ServiceError(
        'UnknownOperationException',
        `local AWS does not implement ${route.service} operation ${route.operation}.`,
      );
    }
    const output = await operation(input, { region, ...(caller !== undefined && { caller }), signal });
    return protocol.result(route.operation, output, requestId);
  } catch (error) {
    call.error = error instanceof ServiceError ? error.code : 'InternalFailure';
    return encodeFailure(protocol, error, requestId);
  }
}

/** The error a forwarded JSON answer names, without its namespace (`com.amazonaws.dynamodb.v20120810#`). */
function errorCodeOf(body: string): string {
  try {
    const type = (JSON.parse(body) as { __type?: unknown }).__type;
    return typeof type === 'string' ? (type.split('#').at(-1) ?? type) : 'InternalFailure';
  } catch {
    return 'InternalFailure';
  }
}

// A bug in the harness surfaces to the test as a 500 that names it, rather than as a hung request.
function encodeFailure(protocol: Protocol, error: unknown, requestId: string): Encoded {
  const failure =
    error instanceof ServiceError
      ? error
      : new ServiceError(
          'InternalFailure',
          `local AWS failed: ${error instanceof Error ? error.message : String(error)}`,
        );
  return protocol.error(failure, requestId);
}

function identify(
  req: IncomingMessage,
  body: string,
  services: Map<ServiceName, Service>,
): { readonly service: ServiceName; readonly operation: string; readonly rest?: RestParams } | undefined {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix = '', operation = ''] = target.split('.', 2);
    const service = JSON_TARGET_PREFIXES[prefix];
    return service && operation ? { service, operation } : undefined;
  }
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
  const rest = REST_SERVICES.find((name) => name === scope);
  if (rest) {
    const url = new URL(req.url ?? '/', 'http://local');
    for (const route of services.get(rest)?.routes ?? []) {
      const match = route.method === req.method ? route.path.exec(url.pathname) : null;
      if (match) {
        const path = Object.fromEntries(
          Object.entries(match.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]),
        );
        return { service: rest, operation: route.operation, rest: { path, query: url.searchParams } };
      }
    }
    return undefined;
  }
  const form = new URLSearchParams(body);
  const service = QUERY_VERSIONS[form.get('Version') ?? ''];
  const operation = form.get('Action');
  return service && operation ? { service, operation } : undefined;
}

/** The access key id SigV4 names in the Authorization header: the caller, never read from the payload. */
function signingKey(req: IncomingMessage): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

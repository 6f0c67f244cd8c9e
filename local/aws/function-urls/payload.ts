import { randomBytes, randomUUID } from 'node:crypto';
import type { CallerIdentity } from '../iam/callers';

/** The function URL a request arrived at. */
export interface UrlScope {
  readonly urlId: string;
  readonly region: string;
  /** The function's owner, which `requestContext.accountId` names (not the caller's account). */
  readonly ownerAccount: string;
}

/** The request as the socket delivered it, with the caller AWS verified. */
export interface VerifiedRequest {
  readonly method: string;
  readonly target: string;
  readonly httpVersion: string;
  /** Each header's values in the order they came, names lower-cased (Node's `headersDistinct`). */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly caller: CallerIdentity & { readonly accessKey: string };
  readonly arrivedAt: Date;
}

/** Content types Lambda passes as text; any other body (or one without a type) arrives base64-encoded. */
const TEXT = /^(text\/|application\/(json|javascript|xml|x-www-form-urlencoded)\b|[^;]*\+(json|xml)\b)/i;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The payload format 2.0 event Lambda builds for a function URL with `AWS_IAM` auth: headers lower-cased
 * with repeated values joined by commas, cookies moved out of the headers, repeated query parameters
 * joined, fields with nothing to say left out, and the verified caller in `authorizer.iam`.
 */
export function urlEvent(request: VerifiedRequest, url: UrlScope): Record<string, unknown> {
  const at = request.target.indexOf('?');
  const rawPath = at < 0 ? request.target : request.target.slice(0, at);
  const rawQueryString = at < 0 ? '' : request.target.slice(at + 1);
  const { cookie, ...sent } = request.headers;
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(sent).map(([name, values]) => [name, values.join(',')])),
    // Lambda's front end adds these; the function sees where the request came from and its trace.
    'x-amzn-trace-id': `Root=1-${Math.floor(request.arrivedAt.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`,
    'x-forwarded-for': request.sourceIp,
    'x-forwarded-proto': 'https',
    'x-forwarded-port': '443',
  };
  const query = queryParameters(rawQueryString);
  const contentType = headers['content-type'] ?? '';
  const text = TEXT.test(contentType);
  const domainName = `${url.urlId}.lambda-url.${url.region}.on.aws`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookie && { cookies: cookie.flatMap((line) => line.split(/;\s*/)).filter((c) => c !== '') }),
    headers,
    ...(query && { queryStringParameters: query }),
    requestContext: {
      accountId: url.ownerAccount,
      apiId: url.urlId,
      authentication: null,
      authorizer: {
        iam: {
          accessKey: request.caller.accessKey,
          accountId: request.caller.accountId,
          callerId: request.caller.userId,
          cognitoIdentity: null,
          principalOrgId: null,
          userArn: request.caller.arn,
          userId: request.caller.userId,
        },
      },
      domainName,
      domainPrefix: url.urlId,
      http: {
        method: request.method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: clfTime(request.arrivedAt),
      timeEpoch: request.arrivedAt.getTime(),
    },
    ...(request.body.length > 0 && {
      body: text ? request.body.toString('utf8') : request.body.toString('base64'),
    }),
    isBase64Encoded: request.body.length > 0 && !text,
  };
}

function queryParameters(raw: string): Record<string, string> | undefined {
  if (raw === '') return undefined;
  const values = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(raw))
    values.set(name, [...(values.get(name) ?? []), value]);
  return Object.fromEntries([...values].map(([name, list]) => [name, list.join(',')]));
}

/** `12/Mar/2020:19:03:58 +0000`, the time format of the event's `requestContext.time`. */
function clfTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

const FAILED: UrlResponse = {
  status: 502,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ Message: 'Internal Server Error' })),
};

/** A result that names a status must name a real one; Lambda answers anything else as a failed function. */
function validStatus(result: unknown): boolean {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) return true;
  const status = (result as { statusCode: unknown }).statusCode;
  return Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 599;
}

/** What the client receives. */
export interface UrlResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Buffer;
}

/**
 * The HTTP response Lambda makes of what the function returned: an object with a `statusCode` is taken as
 * the response (headers, cookies as `set-cookie`, a base64 body decoded); any other value is the JSON body
 * of a 200. A function that failed is a 502.
 */
export function urlResponse(outcome: { readonly ok: boolean; readonly result?: unknown }): UrlResponse {
  const result = outcome.result;
  if (!outcome.ok || !validStatus(result)) return FAILED;
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(result ?? null)),
    };
  }
  const shaped = result as {
    statusCode: unknown;
    headers?: Record<string, unknown>;
    cookies?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
  };
  const headers: Record<string, string | string[]> = Object.fromEntries(
    Object.entries(shaped.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
  if (Array.isArray(shaped.cookies)) headers['set-cookie'] = shaped.cookies.map(String);
  const body = typeof shaped.body === 'string' ? shaped.body : '';
  return {
    status: Number(shaped.statusCode),
    headers: { 'content-type': 'application/json', ...headers },
    body: shaped.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
  };
}

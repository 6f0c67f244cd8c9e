import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { IssuedKey } from '../iam/callers';

/** A request as it arrived, before anything is decoded: what the signature covers. */
export interface ArrivedRequest {
  readonly method: string;
  /** The request target as sent: path and query, still percent-encoded. */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Why AWS refused a request before the function ran, as the 403 names it. */
export interface Refusal {
  /** `x-amzn-ErrorType`; absent for the plain `Forbidden` of a request that is not signed at all. */
  readonly type?: string;
  readonly message: string;
}

export type Verification = { readonly key: IssuedKey } | { readonly refusal: Refusal };

/** What a function URL answers a request that carries no SigV4 signature. */
export const UNSIGNED: Refusal = {
  message:
    'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
};
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const SKEW_MS = 15 * 60_000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

const invalid = (message: string): Verification => ({
  refusal: { type: 'InvalidSignatureException', message },
});

/**
 * Checks a request's SigV4 signature (the `Authorization` header form) the way AWS does for a service in a
 * region: the key must have been issued and, for a session, come with its token; the date must be within
 * 15 minutes; the scope must name the region and service; the signature must be the one the key's secret
 * gives over the canonical request. Written from AWS's published algorithm, not from the SDK's signer.
 */
export function verifySignature(
  request: ArrivedRequest,
  scope: { readonly region: string; readonly service: string },
  keys: (accessKeyId: string) => IssuedKey | undefined,
  now: Date,
): Verification {
  const header = request.headers.authorization;
  if (header === undefined) return { refusal: UNSIGNED };
  const parsed = AUTHORIZATION.exec(header);
  if (parsed === null) {
    return {
      refusal: {
        type: 'IncompleteSignatureException',
        message: `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters of AWS4-HMAC-SHA256. Authorization=${header.slice(0, 100)}`,
      },
    };
  }
  const [, accessKeyId = '', day = '', region, service, signedHeaders = '', signature = ''] = parsed;
  const key = keys(accessKeyId);
  if (key === undefined || request.headers['x-amz-security-token'] !== key.sessionToken) {
    return { refusal: { type: 'UnrecognizedClientException', message: INVALID_TOKEN } };
  }
  const stamp = request.headers['x-amz-date'];
  const signedAt = typeof stamp === 'string' ? parseStamp(stamp) : undefined;
  if (stamp === undefined || signedAt === undefined || stamp.slice(0, 8) !== day) {
    return invalid(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${day}' != '${String(stamp).slice(0, 8)}'`,
    );
  }
  if (signedAt.getTime() < now.getTime() - SKEW_MS) {
    return invalid(
      `Signature expired: ${stamp} is now earlier than ${formatStamp(new Date(now.getTime() - SKEW_MS))} (${formatStamp(now)} - 15 min.)`,
    );
  }
  if (signedAt.getTime() > now.getTime() + SKEW_MS) {
    return invalid(
      `Signature not yet current: ${stamp} is still later than ${formatStamp(new Date(now.getTime() + SKEW_MS))} (${formatStamp(now)} + 15 min.)`,
    );
  }
  if (service !== scope.service)
    return invalid(`Credential should be scoped to correct service: '${scope.service}'. `);
  if (region !== scope.region) return invalid(`Credential should be scoped to a valid region. `);
  const names = signedHeaders.split(';');
  if (!names.includes('host')) return invalid(`'Host' must be a 'SignedHeader' in the AWS Authorization.`);
  const credentialScope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    stamp,
    credentialScope,
    sha256Hex(canonicalRequest(request, names)),
  ].join('\n');
  let signingKey: Buffer = hmac(`AWS4${key.secretAccessKey}`, day);
  for (const part of [region, service, 'aws4_request']) signingKey = hmac(signingKey, part ?? '');
  const expected = hmac(signingKey, stringToSign);
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? { key } : invalid(MISMATCH);
}

/** Method, normalized double-encoded path, sorted query, the signed headers and the payload's hash. */
function canonicalRequest(request: ArrivedRequest, signedHeaders: readonly string[]): string {
  const [path = '', query = ''] = splitTarget(request.target);
  const headers = signedHeaders.map((name) => {
    const value = request.headers[name];
    const text = Array.isArray(value) ? value.join(',') : (value ?? '');
    return `${name}:${text.trim().replace(/\s+/g, ' ')}\n`;
  });
  return [
    request.method,
    canonicalPath(path),
    canonicalQuery(query),
    headers.join(''),
    signedHeaders.join(';'),
    sha256Hex(request.body),
  ].join('\n');
}

function splitTarget(target: string): [string, string] {
  const at = target.indexOf('?');
  return at < 0 ? [target, ''] : [target.slice(0, at), target.slice(at + 1)];
}

/** Dot segments and empty segments removed, then each segment encoded again (services other than S3). */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  if (segments.length === 0) return '/';
  return `/${segments.map(uriEncode).join('/')}${path.endsWith('/') ? '/' : ''}`;
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      const [name, value] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
      return [uriEncode(decode(name)), uriEncode(decode(value))] as const;
    })
    .sort(([a, x], [b, y]) => (a === b ? compare(x, y) : compare(a, b)))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** RFC 3986: everything but unreserved characters percent-encoded, in upper-case hex. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function parseStamp(stamp: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : undefined;
}

export function formatStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

const hmac = (key: string | Buffer, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** Credentials as an SDK client resolves them from the default chain. */
export interface SigningIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Who signs, and for which region: the request is signed for the `lambda` service (a function URL). */
export interface Signer {
  readonly identity: () => Promise<SigningIdentity>;
  readonly region: string;
}

export interface SignedRequest {
  readonly method: 'GET' | 'POST';
  /** Relative to the URL's root, its segments already encoded (`requests/${encodeURIComponent(id)}/approve`). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** @default 10 000 */
  readonly timeoutMs?: number;
}

export interface SignedAnswer {
  readonly status: number;
  /** The body parsed as JSON when it is JSON, else its text. */
  readonly body: unknown;
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** SHA-256 for the signer, from node:crypto: keyed (HMAC) when the signer gives a secret. */
export class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

/** RFC 3986 encoding, as SigV4 canonicalizes the query: the URL sent must spell it the same way. */
const uriEncode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * One HTTP request to a Lambda function URL with `AuthType: AWS_IAM`, signed with SigV4 for `lambda` with
 * the caller's own credentials. Rejects only when no answer came (network, timeout); any status is returned.
 */
export async function signedFetch(
  baseUrl: string,
  request: SignedRequest,
  signer: Signer,
): Promise<SignedAnswer> {
  const target = new URL(request.path, baseUrl);
  const query = Object.entries(request.query ?? {});
  target.search = query.map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`).join('&');
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  const signed = await new SignatureV4({
    credentials: signer.identity,
    region: signer.region,
    service: 'lambda',
    sha256: Sha256,
  }).sign({
    method: request.method,
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port === '' ? undefined : Number(target.port),
    path: target.pathname,
    query: Object.fromEntries(query),
    headers: { host: target.host, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body }),
  });
  const response = await fetch(target, {
    method: request.method,
    headers: signed.headers,
    body,
    signal: AbortSignal.timeout(request.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  return { status: response.status, body: parseBody(text, response.headers.get('content-type')) };
}

function parseBody(text: string, contentType: string | null): unknown {
  if (!/json/i.test(contentType ?? '')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** What an error answer says: Lambda's front end spells it `Message` or `message`, the request API `message`. */
export function messageOf(body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const { message, Message } = body as { message?: unknown; Message?: unknown };
    const text = message ?? Message;
    if (typeof text === 'string') return text.slice(0, 300);
  }
  return typeof body === 'string' && body !== '' ? body.slice(0, 300) : 'no message';
}

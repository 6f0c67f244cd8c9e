import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Row } from './rows';

const CHECK = 'request API';

/** Credentials as an SDK client resolves them from the default chain. */
export interface SigningIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** SHA-256 for the signer, from node:crypto: keyed (HMAC) when the signer gives a secret. */
class Sha256 {
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

/**
 * The request API (a Lambda function URL with IAM auth, output `AccessApiUrl`) answers a GET signed with
 * the caller's credentials. The stack has no such API until it deploys one: the row then says so.
 */
export async function requestApiRow(
  url: string | undefined,
  identity: () => Promise<SigningIdentity>,
  region: string,
): Promise<Row> {
  if (url === undefined) {
    return { check: CHECK, subject: '-', status: 'skip', detail: 'the stack has no AccessApiUrl output' };
  }
  let status: number;
  try {
    const target = new URL(url);
    const signer = new SignatureV4({ credentials: identity, region, service: 'lambda', sha256: Sha256 });
    const signed = await signer.sign({
      method: 'GET',
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port === '' ? undefined : Number(target.port),
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: { host: target.host },
    });
    const response = await fetch(target, {
      headers: signed.headers,
      signal: AbortSignal.timeout(10_000),
    });
    status = response.status;
    await response.body?.cancel();
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { check: CHECK, subject: url, status: 'fail', detail: `no answer: ${why}` };
  }
  if (status === 403) {
    return { check: CHECK, subject: url, status: 'fail', detail: 'HTTP 403: it refused the signed request' };
  }
  return status >= 500
    ? { check: CHECK, subject: url, status: 'fail', detail: `HTTP ${status}: it answers with an error` }
    : { check: CHECK, subject: url, status: 'ok', detail: `HTTP ${status}` };
}

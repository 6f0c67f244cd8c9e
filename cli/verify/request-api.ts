import { messageOf, type Signer, signedFetch } from '../signed-fetch';
import type { Row } from './rows';

export type { SigningIdentity } from '../signed-fetch';

const CHECK = 'request API';

/**
 * The request API (a Lambda function URL with IAM auth, output `AccessApiUrl`) answers a signed
 * `GET /requests?status=pending` with the caller's credentials: a 403 means AWS or the API refused the caller
 * (its message is shown), a 5xx that the function fails. The stack has no such API until it deploys one: the
 * row then says so.
 */
export async function requestApiRow(url: string | undefined, signer: Signer): Promise<Row> {
  if (url === undefined) {
    return { check: CHECK, subject: '-', status: 'skip', detail: 'the stack has no AccessApiUrl output' };
  }
  let answer: Awaited<ReturnType<typeof signedFetch>>;
  try {
    answer = await signedFetch(
      url,
      { method: 'GET', path: 'requests', query: { status: 'pending' } },
      signer,
    );
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { check: CHECK, subject: url, status: 'fail', detail: `no answer: ${why}` };
  }
  const { status } = answer;
  if (status === 403) {
    return {
      check: CHECK,
      subject: url,
      status: 'fail',
      detail: `HTTP 403: it refused the signed request (${messageOf(answer.body)})`,
    };
  }
  return status >= 500
    ? {
        check: CHECK,
        subject: url,
        status: 'fail',
        detail: `HTTP ${status}: it answers with an error (${messageOf(answer.body)})`,
      }
    : { check: CHECK, subject: url, status: 'ok', detail: `HTTP ${status}` };
}

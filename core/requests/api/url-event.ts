import { z } from 'zod';

/** The largest body the request API reads; anything longer is refused unread. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * A Lambda function URL event (payload format 2.0) with `AWS_IAM` auth, as far as the request API
 * reads it: AWS verified the signature before the function ran and names the caller in
 * `requestContext.authorizer.iam.userArn`; nothing in the body is trusted to say who asks.
 */
const urlEventSchema = z.object({
  version: z.literal('2.0'),
  rawPath: z.string(),
  rawQueryString: z.string().default(''),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().default(false),
  requestContext: z.object({
    http: z.object({ method: z.string() }),
    authorizer: z.object({ iam: z.object({ userArn: z.string().min(1) }) }),
  }),
});

/** One call to the request API: its route, its caller, and its body still unparsed. */
export interface UrlRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The caller AWS verified: an assumed-role session or IAM user ARN. */
  readonly caller: string;
  /** The body as text, or how many bytes it had when longer than the API reads. */
  readonly body: { readonly text: string } | { readonly tooLong: number };
}

/** Whether the event is a function URL call, as opposed to a bus event or a schedule's input. */
export function isUrlEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'requestContext' in event && 'rawPath' in event;
}

/** The call the event carries; undefined when the event lacks what an `AWS_IAM` function URL always sends. */
export function readUrlEvent(event: unknown): UrlRequest | undefined {
  const parsed = urlEventSchema.safeParse(event);
  if (!parsed.success) return undefined;
  const { rawPath, rawQueryString, body = '', isBase64Encoded, requestContext } = parsed.data;
  const bytes = isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  return {
    method: requestContext.http.method.toUpperCase(),
    path: rawPath,
    query: new URLSearchParams(rawQueryString),
    caller: requestContext.authorizer.iam.userArn,
    body: bytes.length > MAX_BODY_BYTES ? { tooLong: bytes.length } : { text: bytes.toString('utf8') },
  };
}

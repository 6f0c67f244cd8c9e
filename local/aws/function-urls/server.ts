import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Authorization } from '../authorization/types';
import type { CallLog } from '../calls';
import type { PrincipalRegistry } from '../iam/principals';
import { JsonInput } from '../wire/input';
import { type UrlResponse, urlEvent, urlResponse } from './payload';
import { type Refusal, verifySignature } from './sigv4';

/** A function behind a URL: its ARN, and how to run it with an event. */
export interface FunctionUrlTarget {
  /** `arn:aws:lambda:<region>:<account>:function:<name>`: what the caller is authorized to invoke. */
  readonly functionArn: string;
  /** Runs the function once with the event: what it returned, or `ok: false` when it failed. */
  invoke(event: unknown): Promise<{ readonly ok: boolean; readonly result?: unknown }>;
}

/** The controls tests get for Lambda function URLs. */
export interface FunctionUrlsHarness {
  /**
   * Serves the function at a URL of its own with `AuthType: AWS_IAM`, as `CreateFunctionUrlConfig` makes
   * one: each request must be SigV4-signed for `lambda` in the function's region by a key the local IAM
   * issued (`iam.credentialsFor`). Returns the URL, ending in `/` like AWS's.
   */
  serve(target: FunctionUrlTarget): Promise<string>;
}

const FUNCTION_ARN = /^arn:aws:lambda:([a-z0-9-]+):(\d{12}):function:[\w-]+$/;

/**
 * Function URLs, each an HTTP server on a loopback port of its own, so the path the client sends is the
 * event's `rawPath` as it is at `https://<url-id>.lambda-url.<region>.on.aws/`. AWS checks the signature
 * before the function runs; every request is recorded as `lambda:InvokeFunctionUrl` (and the
 * `lambda:InvokeFunction` it also needs) on the function, with the caller's access key, for the IAM proof.
 */
export class FunctionUrls implements FunctionUrlsHarness {
  private readonly servers: Server[] = [];

  constructor(
    private readonly iam: PrincipalRegistry,
    private readonly calls: CallLog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async serve(target: FunctionUrlTarget): Promise<string> {
    const arn = FUNCTION_ARN.exec(target.functionArn);
    if (arn === null) throw new Error(`${target.functionArn.slice(0, 200)} is not a Lambda function ARN`);
    const scope = {
      urlId: randomBytes(16).toString('hex').slice(0, 32),
      region: arn[1] ?? '',
      ownerAccount: arn[2] ?? '',
    };
    const server = createServer((req, res) => {
      this.handle(req, target, scope)
        .then((answer) => send(res, answer))
        .catch((error: unknown) =>
          send(res, {
            status: 500,
            headers: { 'content-type': 'text/plain' },
            body: Buffer.from(
              `local function URL failed: ${error instanceof Error ? error.message : String(error)}`,
            ),
          }),
        );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    this.servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.servers.map((server) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  }

  private async handle(
    req: IncomingMessage,
    target: FunctionUrlTarget,
    scope: { urlId: string; region: string; ownerAccount: string },
  ): Promise<UrlResponse> {
    const body = await readBody(req);
    const arrivedAt = this.now();
    const arrived = { method: req.method ?? 'GET', target: req.url ?? '/', headers: req.headers, body };
    const verdict = verifySignature(
      arrived,
      { region: scope.region, service: 'lambda' },
      (key) => this.iam.issuedKey(key),
      arrivedAt,
    );
    const call = this.calls.record(
      'lambda',
      'InvokeFunctionUrl',
      new JsonInput({ FunctionName: target.functionArn }),
      ['FunctionName'],
      {
        caller: /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1],
        authorizations: invokeAuthorizations(target.functionArn),
      },
    );
    if ('refusal' in verdict) {
      call.error = verdict.refusal.type ?? 'AccessDeniedException';
      return refused(verdict.refusal);
    }
    const event = urlEvent(
      {
        ...arrived,
        httpVersion: req.httpVersion,
        headers: req.headersDistinct as Record<string, string[]>,
        sourceIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
        caller: { ...verdict.key.identity, accessKey: verdict.key.accessKeyId },
        arrivedAt,
      },
      scope,
    );
    const outcome = await target.invoke(event);
    if (!outcome.ok) call.error = 'FunctionError';
    return urlResponse(outcome);
  }
}

/** What IAM checks for a function URL call: both actions, on the function, since AWS's 2025 change. */
function invokeAuthorizations(functionArn: string): Authorization[] {
  return [
    {
      action: 'lambda:InvokeFunctionUrl',
      resource: functionArn,
      context: { 'lambda:FunctionUrlAuthType': 'AWS_IAM', 'lambda:FunctionArn': functionArn },
    },
    {
      action: 'lambda:InvokeFunction',
      resource: functionArn,
      context: { 'lambda:InvokedViaFunctionUrl': 'true' },
    },
  ];
}

/** A 403 in the shape Lambda's front end gives: `{"Message": …}` unsigned, `{"message": …}` with its type otherwise. */
function refused(refusal: Refusal): UrlResponse {
  return {
    status: 403,
    headers: {
      'content-type': 'application/json',
      ...(refusal.type && { 'x-amzn-errortype': refusal.type }),
    },
    body: Buffer.from(
      JSON.stringify(refusal.type ? { message: refusal.message } : { Message: refusal.message }),
    ),
  };
}

function send(res: ServerResponse, answer: UrlResponse): void {
  res.writeHead(answer.status, { ...answer.headers, 'x-amzn-requestid': randomUUID() });
  res.end(answer.body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

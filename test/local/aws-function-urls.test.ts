import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SignatureV4 } from '@smithy/signature-v4';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { Sha256, signedFetch } from '../../cli/signed-fetch';
import {
  type FunctionUrlTarget,
  groupArnOf,
  MEMBERSHIP_FUNCTION_ARN,
  MEMBERSHIP_STACK,
  startMembershipFunction,
} from '../../local';
import { useLocalCloud } from '../support/local-cloud';
import { callerAs, identityCenterCaller } from '../support/signed-calls';

const run = promisify(execFile);
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:api';
const ALICE = 'arn:aws:iam::123456789012:user/alice';
const FORBIDDEN = {
  Message:
    'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
};
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const cloud = useLocalCloud();
const events: Record<string, unknown>[] = [];
let answer: Awaited<ReturnType<FunctionUrlTarget['invoke']>> = { ok: true, result: { fine: true } };
let url: string;

beforeAll(async () => {
  url = await cloud.aws.functionUrls.serve({
    functionArn: FUNCTION_ARN,
    invoke: async (event) => {
      events.push(event as Record<string, unknown>);
      return answer;
    },
  });
});

const lastEvent = () => events.at(-1) ?? expect.fail('the function was not invoked');

/** A request signed with smithy's signer directly, for what the CLI's client never sends. */
async function rawSigned(opts: {
  credentials: { accessKeyId: string; secretAccessKey: string };
  signingDate?: Date;
  service?: string;
  body?: string;
  sentBody?: string;
}) {
  const target = new URL('requests', url);
  const signed = await new SignatureV4({
    credentials: opts.credentials,
    region: 'eu-west-1',
    service: opts.service ?? 'lambda',
    sha256: Sha256,
  }).sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      headers: { host: target.host, 'content-type': 'application/json' },
      body: opts.body ?? '{}',
    },
    opts.signingDate && { signingDate: opts.signingDate },
  );
  const response = await fetch(target, {
    method: 'POST',
    headers: signed.headers,
    body: opts.sentBody ?? opts.body ?? '{}',
  });
  return {
    status: response.status,
    type: response.headers.get('x-amzn-errortype'),
    body: await response.json(),
  };
}

describe('a function URL with AWS_IAM auth', () => {
  it('hands a signed request to the function as the payload format 2.0 event AWS builds', async () => {
    const alice = callerAs(cloud.aws, ALICE);
    answer = { ok: true, result: { requestId: 'r1', status: 'pending' } };

    const response = await alice.call(url, {
      method: 'POST',
      path: 'requests/r%201/approve',
      query: { status: 'pending', tag: 'a b' },
      body: { reason: 'INC-42' },
    });

    expect(response).toEqual({ status: 200, body: { requestId: 'r1', status: 'pending' } });
    const event = lastEvent();
    const identity = cloud.aws.iam.identityOf(alice.credentials.accessKeyId);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/requests/r%201/approve',
      rawQueryString: 'status=pending&tag=a%20b',
      queryStringParameters: { status: 'pending', tag: 'a b' },
      body: '{"reason":"INC-42"}',
      isBase64Encoded: false,
      headers: expect.objectContaining({ 'content-type': 'application/json', 'x-forwarded-proto': 'https' }),
      requestContext: {
        accountId: '123456789012',
        authentication: null,
        authorizer: {
          iam: {
            accessKey: alice.credentials.accessKeyId,
            accountId: '123456789012',
            callerId: identity?.userId,
            cognitoIdentity: null,
            principalOrgId: null,
            userArn: ALICE,
            userId: identity?.userId,
          },
        },
        http: {
          method: 'POST',
          path: '/requests/r%201/approve',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
        },
        routeKey: '$default',
        stage: '$default',
      },
    });
    const context = event.requestContext as Record<string, string>;
    expect(context.domainName).toBe(`${context.apiId}.lambda-url.eu-west-1.on.aws`);
    expect(context.domainPrefix).toBe(context.apiId);
    expect(context.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(Number(context.timeEpoch) - Date.now())).toBeLessThan(10_000);
    expect(identity?.userId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(alice.credentials.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(Object.keys(event.headers as object).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('names a role session and an Identity Center user by their assumed-role ARNs, with temporary keys', async () => {
    const session = callerAs(cloud.aws, 'arn:aws:sts::123456789012:assumed-role/deployer/ci-run-7');
    const sso = identityCenterCaller(cloud.aws, 'ProdAccess', 'alice@example.com');

    await session.call(url, { method: 'GET', path: 'requests' });
    const fromSession = lastEvent();
    await sso.call(url, { method: 'GET', path: 'requests' });
    const fromSso = lastEvent();

    const iamOf = (event: Record<string, unknown>) =>
      (event.requestContext as { authorizer: { iam: Record<string, string> } }).authorizer.iam;
    expect(iamOf(fromSession)).toMatchObject({
      userArn: 'arn:aws:sts::123456789012:assumed-role/deployer/ci-run-7',
      userId: expect.stringMatching(/^AROA[A-Z2-7]{17}:ci-run-7$/),
      accessKey: expect.stringMatching(/^ASIA/),
    });
    expect(iamOf(fromSso).userArn).toMatch(
      /^arn:aws:sts::123456789012:assumed-role\/AWSReservedSSO_ProdAccess_[0-9a-f]{16}\/alice@example\.com$/,
    );
    expect(session.credentials.sessionToken).toBeDefined();
    const ssoRole = cloud.aws.iam.identityCenterUser('ProdAccess', 'bob').roleArn;
    expect(ssoRole).toMatch(
      /^arn:aws:iam::123456789012:role\/aws-reserved\/sso\.amazonaws\.com\/eu-west-1\/AWSReservedSSO_ProdAccess_[0-9a-f]{16}$/,
    );
    expect(cloud.aws.iam.exists(ssoRole)).toBe(true);
  });

  it('refuses a session signed without its token, as an invalid security token', async () => {
    const { credentials } = callerAs(cloud.aws, 'arn:aws:sts::123456789012:assumed-role/deployer/no-token');
    const before = events.length;

    const response = await rawSigned({
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    });

    expect(response).toEqual({
      status: 403,
      type: 'UnrecognizedClientException',
      body: { message: 'The security token included in the request is invalid.' },
    });
    expect(events).toHaveLength(before);
  });

  it('answers 403 without running the function to an unsigned request, a wrong secret, an unknown key, an old date, another service and a changed body', async () => {
    const { credentials } = callerAs(cloud.aws, 'arn:aws:iam::123456789012:user/mallory');
    const before = events.length;

    const unsigned = await fetch(new URL('requests', url), { method: 'POST', body: '{}' });
    const wrongSecret = await rawSigned({
      credentials: { ...credentials, secretAccessKey: 'not-the-secret' },
    });
    const unknownKey = await rawSigned({ credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' } });
    const expired = await rawSigned({ credentials, signingDate: new Date(Date.now() - 20 * 60_000) });
    const otherService = await rawSigned({ credentials, service: 'execute-api' });
    const changedBody = await rawSigned({ credentials, body: '{"reason":"a"}', sentBody: '{"reason":"b"}' });

    expect({ status: unsigned.status, body: await unsigned.json() }).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(wrongSecret).toEqual({
      status: 403,
      type: 'InvalidSignatureException',
      body: { message: MISMATCH },
    });
    expect(unknownKey).toMatchObject({ status: 403, type: 'UnrecognizedClientException' });
    expect(expired).toMatchObject({
      status: 403,
      type: 'InvalidSignatureException',
      body: {
        message: expect.stringMatching(
          /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
        ),
      },
    });
    expect(otherService).toMatchObject({
      status: 403,
      body: { message: "Credential should be scoped to correct service: 'lambda'. " },
    });
    expect(changedBody).toEqual({
      status: 403,
      type: 'InvalidSignatureException',
      body: { message: MISMATCH },
    });
    expect(events).toHaveLength(before);
  });

  it('accepts a request signed by curl, a signer written independently of the SDK', async () => {
    const { credentials } = callerAs(cloud.aws, 'arn:aws:iam::123456789012:user/curl-user');
    answer = { ok: true, result: { fine: true } };

    const { stdout } = await run('curl', [
      '--silent',
      '--aws-sigv4',
      'aws:amz:eu-west-1:lambda',
      '--user',
      `${credentials.accessKeyId}:${credentials.secretAccessKey}`,
      '--header',
      'content-type: application/json',
      '--data',
      '{"reason":"from curl"}',
      // Sorted already: curl before 8.1 does not sort the query it signs, which AWS would refuse too.
      `${url}requests?a=1&b=2`,
    ]);

    expect(JSON.parse(stdout)).toEqual({ fine: true });
    expect(lastEvent()).toMatchObject({ rawQueryString: 'a=1&b=2', body: '{"reason":"from curl"}' });
  });

  it('maps what the function returns as function URLs do', async () => {
    const { call } = callerAs(cloud.aws, ALICE);
    const get = () => call(url, { method: 'GET', path: 'x' });

    answer = {
      ok: true,
      result: { statusCode: 409, headers: { 'X-Why': 'decided' }, body: '{"message":"already approved"}' },
    };
    const shaped = await get();
    answer = { ok: true, result: 'just text' };
    const text = await get();
    answer = { ok: true, result: { statusCode: 'soon' } };
    const badStatus = await get();
    answer = { ok: false };
    const failed = await get();

    expect(shaped).toEqual({ status: 409, body: { message: 'already approved' } });
    expect(text).toEqual({ status: 200, body: 'just text' });
    expect(badStatus.status).toBe(502);
    expect(failed).toEqual({ status: 502, body: { Message: 'Internal Server Error' } });
    answer = { ok: true, result: { fine: true } };
  });

  it('base64-encodes a binary body and moves cookies out of the headers', async () => {
    const { credentials } = callerAs(cloud.aws, ALICE);
    const target = new URL('upload', url);
    const signed = await new SignatureV4({
      credentials,
      region: 'eu-west-1',
      service: 'lambda',
      sha256: Sha256,
    }).sign({
      method: 'POST',
      protocol: 'http:',
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      headers: { host: target.host, 'content-type': 'application/octet-stream', cookie: 'a=1; b=2' },
      body: Buffer.from([0, 255, 1]),
    });

    await fetch(target, { method: 'POST', headers: signed.headers, body: Buffer.from([0, 255, 1]) });

    const event = lastEvent();
    expect(event).toMatchObject({ body: 'AP8B', isBase64Encoded: true, cookies: ['a=1', 'b=2'] });
    expect(event.headers).not.toHaveProperty('cookie');
  });

  it('records each call as lambda:InvokeFunctionUrl and lambda:InvokeFunction on the function, signed by the caller', async () => {
    const { call, credentials } = callerAs(cloud.aws, ALICE);

    await signedFetch(
      url,
      { method: 'GET', path: 'requests' },
      { identity: async () => credentials, region: 'eu-west-1' },
    );
    await call(url, { method: 'GET', path: 'requests' });

    expect(cloud.aws.callsOf('InvokeFunctionUrl', 'lambda').at(-1)).toMatchObject({
      service: 'lambda',
      caller: credentials.accessKeyId,
      params: { FunctionName: FUNCTION_ARN },
      authorizations: [
        {
          action: 'lambda:InvokeFunctionUrl',
          resource: FUNCTION_ARN,
          context: { 'lambda:FunctionUrlAuthType': 'AWS_IAM', 'lambda:FunctionArn': FUNCTION_ARN },
        },
        {
          action: 'lambda:InvokeFunction',
          resource: FUNCTION_ARN,
          context: { 'lambda:InvokedViaFunctionUrl': 'true' },
        },
      ],
    });
  });
});

describe('the membership function behind its URL', () => {
  const bundle = inject('bundles').membership ?? '';

  it('is served for a config with requests, and the stack outputs name its URL as AccessApiUrl', async () => {
    const groupArn = groupArnOf('elasticache', 'url-group');
    await cloud.aws.groups.create({ engine: 'elasticache', id: 'url-group', members: [] });
    const fn = await startMembershipFunction(bundle, cloud.aws, [], {
      requests: { rules: [{ name: 'oncall', groupArn, users: ['alice'] }] },
    });
    cloud.fn = fn;
    const cloudFormation = new CloudFormationClient({
      endpoint: cloud.aws.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });

    const { Stacks = [] } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: MEMBERSHIP_STACK.name }),
    );
    const logged = fn.logs.length;
    const unsigned = await fetch(new URL('requests', fn.accessApiUrl));
    const afterUnsigned = fn.logs.length;
    const signed = await callerAs(cloud.aws, ALICE).call(fn.accessApiUrl ?? '', {
      method: 'GET',
      path: 'requests',
    });
    cloudFormation.destroy();

    expect(Stacks[0]?.Outputs).toContainEqual({ OutputKey: 'AccessApiUrl', OutputValue: fn.accessApiUrl });
    expect(fn.accessApiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(unsigned.status).toBe(403);
    expect(afterUnsigned).toBe(logged);
    // The bundled function ran: it logged its invocation, whatever it answered.
    expect(signed.status).not.toBe(403);
    expect(fn.logs.length).toBeGreaterThan(afterUnsigned);
    expect(cloud.aws.callsOf('InvokeFunctionUrl', 'lambda').at(-1)?.params).toEqual({
      FunctionName: MEMBERSHIP_FUNCTION_ARN,
    });
  });
});

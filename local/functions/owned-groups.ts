import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalAws } from '../aws/endpoint';
import { type InvocationResult, type LambdaHost, startLambda } from '../lambda/host';
import { accessKeyFor } from './deployments';

/** What the function told CloudFormation, as CloudFormation reads it from the presigned URL. */
export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Record<string, string>;
}

export interface DeployStep {
  readonly invocation: InvocationResult;
  /** The answer PUT to the response URL; undefined if the function never answered. */
  readonly response?: CustomResourceResponse;
}

/** The bundled owned-groups function, with CloudFormation's side of the custom resource protocol. */
export interface OwnedGroupsFunction extends LambdaHost {
  /** Sends one request as CloudFormation does and waits for both the invocation and its answer. */
  send(
    requestType: 'Create' | 'Update' | 'Delete',
    properties: Record<string, unknown>,
    extra?: { readonly physicalResourceId?: string; readonly oldProperties?: Record<string, unknown> },
  ): Promise<DeployStep>;
}

/** The stack's id as CloudFormation hands it to a custom resource: the tag value that marks ownership. */
export const OWNER_STACK_ID =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/CacheAccessAutomation/6f1c2d3e-0000-4000-8000-000000000001';

const SERVICE_TOKEN = 'arn:aws:lambda:eu-west-1:123456789012:function:cache-access-owned-groups';

/**
 * Starts the bundled function against the local AWS, and a response URL server standing in for the S3
 * presigned URL CloudFormation reads the answer from. `stackId` is the stack the requests come from.
 */
export async function startOwnedGroupsFunction(
  bundle: string,
  aws: LocalAws,
  stackId = OWNER_STACK_ID,
): Promise<OwnedGroupsFunction> {
  const answers = new Map<string, CustomResourceResponse>();
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      answers.set(request.url ?? '', JSON.parse(body) as CustomResourceResponse);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const groups = new Map<unknown, Record<string, unknown>>();
  const host = await startLambda(bundle, {
    ...aws.env(),
    AWS_ACCESS_KEY_ID: accessKeyFor({
      purpose: 'owned-groups',
      config: () => ownedGroupsConfig([...groups.values()]),
      physicalNames: {},
      stack: { name: stackId.split('/')[1] ?? '', id: stackId },
    }),
  });
  return {
    ...host,
    async send(requestType, properties, extra = {}) {
      groups.set(properties.GroupArn, properties);
      const requestId = randomUUID();
      const path = `/answers/${requestId}`;
      const invocation = await host.invoke({
        RequestType: requestType,
        ServiceToken: SERVICE_TOKEN,
        ResponseURL: `http://127.0.0.1:${port}${path}`,
        StackId: stackId,
        RequestId: requestId,
        LogicalResourceId: 'OwnedGroupsGroup',
        ResourceType: 'Custom::CacheAccessOwnedGroup',
        ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...properties },
        ...(extra.physicalResourceId !== undefined && { PhysicalResourceId: extra.physicalResourceId }),
        ...(extra.oldProperties && {
          OldResourceProperties: { ServiceToken: SERVICE_TOKEN, ...extra.oldProperties },
        }),
      });
      return { invocation, response: answers.get(path) };
    },
    async stop() {
      await host.stop();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * The config that declares the groups sent so far, each as last sent. A config needs grants or
 * requests besides its groups; one grant on the first group stands in, and gives this function nothing.
 */
function ownedGroupsConfig(sent: readonly Record<string, unknown>[]) {
  const groups = sent.map((properties) => ({
    groupArn: properties.GroupArn,
    create: true,
    ...(properties.ServerEngine !== undefined && { engine: properties.ServerEngine }),
    ...(properties.RemovalPolicy !== undefined && { removalPolicy: properties.RemovalPolicy }),
  }));
  return {
    membership: {
      groups,
      grants: [
        {
          name: 'owned-groups-harness',
          groupArn: groups[0]?.groupArn,
          users: ['nobody'],
          windows: [{ start: '2020-01-01T00:00:00Z', end: '2020-01-02T00:00:00Z' }],
        },
      ],
    },
  };
}

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { parseUserArn, resourceKey } from '#core/cache/refs';
import {
  ROTATION_TARGETS_FILE,
  type RotationTarget,
  rotationTargetsFileContent,
} from '#core/rotation/targets';
import { ENV } from '#core/runtime/env-names';
import type { Engine, LocalAws } from '../aws/endpoint';
import type { InvocationResult, LambdaHost } from '../lambda/host';
import { startLambda } from '../lambda/host';
import type { RedisServer } from '../redis/server';
import { accessKeyFor } from './deployments';

export const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export const MODIFY_OPERATION: Record<Engine, string> = { elasticache: 'ModifyUser', memorydb: 'UpdateUser' };

/** A cache user with a secret that holds its current password, as a team would have before adopting rotation. */
export interface ProvisionedUser {
  readonly engine: Engine;
  readonly name: string;
  readonly userArn: string;
  readonly secretArn: string;
  readonly initialPassword: string;
  /** The customer managed key the secret is encrypted with; absent for the AWS managed key. */
  readonly kmsKeyArn?: string;
}

export function userArnOf(engine: Engine, name: string): string {
  return engine === 'elasticache'
    ? `arn:aws:elasticache:eu-west-1:123456789012:user:${name}`
    : `arn:aws:memorydb:eu-west-1:123456789012:user/${name}`;
}

export function samplePassword(): string {
  return `Init-${randomBytes(18).toString('base64url')}`;
}

export function secretsClient(aws: LocalAws): SecretsManagerClient {
  return new SecretsManagerClient({
    region: 'eu-west-1',
    endpoint: aws.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/** Creates the user (in the modelled service and in redis) and its secret through the wire API. */
export async function provisionUser(
  aws: LocalAws,
  engine: Engine,
  name: string,
  secretValue?: (user: { username: string; password: string; user_arn: string }) => string,
  options: { readonly kmsKeyArn?: string } = {},
): Promise<ProvisionedUser> {
  const initialPassword = samplePassword();
  const userArn = userArnOf(engine, name);
  await aws.users.create({ engine, id: name, passwords: [initialPassword] });
  const value = { username: name, password: initialPassword, user_arn: userArn };
  const { ARN } = await secretsClient(aws).send(
    new CreateSecretCommand({
      Name: `${engine}/${name}`,
      SecretString: secretValue?.(value) ?? JSON.stringify(value),
      KmsKeyId: options.kmsKeyArn,
    }),
  );
  if (!ARN) throw new Error('CreateSecret returned no ARN');
  aws.secrets.setRotationEnabled(ARN, true);
  return { engine, name, userArn, secretArn: ARN, initialPassword, kmsKeyArn: options.kmsKeyArn };
}

/** The stand-in for the stack that owns created secrets. */
const LOCAL_STACK = {
  stackName: 'CacheAccessAutomation',
  stackId:
    'arn:aws:cloudformation:eu-west-1:123456789012:stack/CacheAccessAutomation/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
};

/**
 * Starts the bundled rotation function with what the stack would give it: the targets file and the
 * environment naming it. With `created`, the secrets are named by logical id, as secrets the stack
 * created are, and the local CloudFormation lists them as the stack's resources.
 */
export function startRotationFunction(
  bundle: string,
  aws: LocalAws,
  redis: RedisServer,
  users: readonly ProvisionedUser[],
  options: { endpoint?: boolean; created?: boolean } = {},
): Promise<LambdaHost> {
  const endpoint = options.endpoint === false ? undefined : { host: redis.host, port: redis.port, tls: true };
  const targets: RotationTarget[] = users.map((u) =>
    options.created
      ? { secretLogicalId: logicalIdOf(u), userArn: u.userArn, endpoint }
      : { secretArn: u.secretArn, userArn: u.userArn, endpoint },
  );
  if (options.created) {
    aws.stacks.put(
      LOCAL_STACK,
      users.map((u) => ({
        logicalId: logicalIdOf(u),
        physicalId: u.secretArn,
        type: 'AWS::SecretsManager::Secret',
      })),
    );
  }
  const config = {
    rotation: {
      targets: users.map((u) => ({
        userArn: u.userArn,
        ...(!options.created && { secretArn: u.secretArn }),
        ...(u.kmsKeyArn && { kmsKeyArn: u.kmsKeyArn }),
        ...(endpoint && { endpoint }),
      })),
    },
  };
  return startLambda(bundle, {
    ...aws.env(),
    AWS_ACCESS_KEY_ID: accessKeyFor({
      purpose: 'rotation',
      config: () => config,
      // Secrets the stack creates are named by CloudFormation; here they are the ones provisioned.
      physicalNames: Object.fromEntries(
        options.created ? users.map((u) => [createdSecretPath(u.userArn), u.secretArn]) : [],
      ),
      stack: { name: LOCAL_STACK.stackName, id: LOCAL_STACK.stackId },
    }),
    NODE_EXTRA_CA_CERTS: redis.caFile,
    [ENV.rotationTargetsFile]: writeTargetsFile(targets),
    ...(options.created && { [ENV.rotationStack]: LOCAL_STACK.stackId }),
    [ENV.passwordLength]: '64',
  });
}

/** The start of the logical id the stack gives the secret it creates for a user: its construct path. */
const createdSecretPath = (userArn: string) =>
  `RotationSecret${resourceKey(parseUserArn(userArn)).replace(/[^A-Za-z0-9]/g, '')}`;

/** A logical id as the CDK makes them: letters and digits only. */
const logicalIdOf = (user: ProvisionedUser) => `Secret${user.name.replace(/[^A-Za-z0-9]/g, '')}`;

/** The targets file as the stack writes it, in a folder of its own so each start can have its own. */
export function writeTargetsFile(targets: readonly RotationTarget[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rotation-targets-')), ROTATION_TARGETS_FILE);
  writeFileSync(file, rotationTargetsFileContent(targets));
  return file;
}

export interface RotationRun {
  readonly token: string;
  readonly invocations: readonly (InvocationResult & { step: string })[];
  readonly failed?: InvocationResult & { step: string };
}

/**
 * Does what Secrets Manager does for one rotation: registers a new token as an empty AWSPENDING
 * version, then invokes the steps in order, stopping at the first failure.
 */
export async function rotate(
  fn: LambdaHost,
  aws: LocalAws,
  secretArn: string,
  options: { steps?: readonly string[]; repeat?: number; timeoutMs?: number } = {},
): Promise<RotationRun> {
  const token = randomUUID();
  aws.secrets.beginRotation(secretArn, token);
  const invocations: (InvocationResult & { step: string })[] = [];
  for (const step of options.steps ?? STEPS) {
    for (let i = 0; i < (options.repeat ?? 1); i++) {
      const result = await fn.invoke(
        { Step: step, SecretId: secretArn, ClientRequestToken: token },
        { timeoutMs: options.timeoutMs ?? 60_000 },
      );
      invocations.push({ ...result, step });
      if (!result.ok) return { token, invocations, failed: { ...result, step } };
    }
  }
  return { token, invocations };
}

export async function currentPassword(aws: LocalAws, secretArn: string): Promise<string> {
  const { SecretString } = await secretsClient(aws).send(
    new GetSecretValueCommand({ SecretId: secretArn, VersionStage: 'AWSCURRENT' }),
  );
  return JSON.parse(SecretString ?? '{}').password;
}

export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

import {
  DescribeUsersCommand,
  ElastiCacheClient,
  InvalidUserStateFault,
  ModifyUserCommand,
} from '@aws-sdk/client-elasticache';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { createClient } from '@redis/client';
import { generatePassword } from '#core/cache/password';

/** The fixed status poll of AWS's published ElastiCache rotation template. */
export const BASELINE_POLL_MS = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface BaselineEnv {
  readonly endpointUrl: string;
  readonly redis: { readonly host: string; readonly port: number; readonly caPem: string };
}

/**
 * The same four steps with the template's waiting strategy: after each change, check the user
 * and sleep a fixed 10 s until it is active; retry a failed AUTH after another 10 s. Returns the
 * duration of each step, which is what Lambda would bill.
 */
export async function baselineRotation(
  env: BaselineEnv,
  secretArn: string,
  userId: string,
  token: string,
): Promise<number[]> {
  const options = {
    region: 'eu-west-1',
    endpoint: env.endpointUrl,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  const sm = new SecretsManagerClient(options);
  const elasticache = new ElastiCacheClient(options);
  const waitActive = async () => {
    for (;;) {
      const { Users = [] } = await elasticache.send(new DescribeUsersCommand({ UserId: userId }));
      if (Users[0]?.Status === 'active') return;
      await sleep(BASELINE_POLL_MS);
    }
  };
  const timed = async (step: () => Promise<void>) => {
    const started = performance.now();
    await step();
    return performance.now() - started;
  };
  const current = async () =>
    JSON.parse(
      (await sm.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: 'AWSCURRENT' })))
        .SecretString ?? '{}',
    );
  const pending = async () =>
    JSON.parse(
      (
        await sm.send(
          new GetSecretValueCommand({ SecretId: secretArn, VersionId: token, VersionStage: 'AWSPENDING' }),
        )
      ).SecretString ?? '{}',
    );
  try {
    return [
      await timed(async () => {
        await sm.send(new DescribeSecretCommand({ SecretId: secretArn }));
        const value = await current();
        await elasticache.send(new DescribeUsersCommand({ UserId: userId }));
        await sm.send(
          new PutSecretValueCommand({
            SecretId: secretArn,
            ClientRequestToken: token,
            SecretString: JSON.stringify({ ...value, password: generatePassword(64) }),
            VersionStages: ['AWSPENDING'],
          }),
        );
      }),
      await timed(async () => {
        await sm.send(new DescribeSecretCommand({ SecretId: secretArn }));
        const [now, next] = [await current(), await pending()];
        for (;;) {
          await waitActive();
          try {
            await elasticache.send(
              new ModifyUserCommand({ UserId: userId, Passwords: [next.password, now.password] }),
            );
            break;
          } catch (error) {
            if (!(error instanceof InvalidUserStateFault)) throw error;
          }
        }
        await waitActive();
      }),
      await timed(async () => {
        await sm.send(new DescribeSecretCommand({ SecretId: secretArn }));
        const next = await pending();
        await waitActive();
        for (;;) {
          const client = createClient({
            socket: {
              host: env.redis.host,
              port: env.redis.port,
              tls: true,
              ca: env.redis.caPem,
              reconnectStrategy: false,
            },
            username: next.username,
            password: next.password,
          });
          client.on('error', () => {});
          try {
            await client.connect();
            await client.ping();
            return;
          } catch {
            await sleep(BASELINE_POLL_MS);
          } finally {
            if (client.isOpen) client.destroy();
          }
        }
      }),
      await timed(async () => {
        const { VersionIdsToStages = {} } = await sm.send(new DescribeSecretCommand({ SecretId: secretArn }));
        const from = Object.entries(VersionIdsToStages).find(([, stages]) =>
          stages.includes('AWSCURRENT'),
        )?.[0];
        await sm.send(
          new UpdateSecretVersionStageCommand({
            SecretId: secretArn,
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: token,
            RemoveFromVersionId: from,
          }),
        );
      }),
    ];
  } finally {
    sm.destroy();
    elasticache.destroy();
  }
}

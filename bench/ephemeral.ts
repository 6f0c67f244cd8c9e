import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateUserCommand,
  DeleteUserCommand,
  DescribeUsersCommand,
  ElastiCacheClient,
  ModifyUserGroupCommand,
  UserNotFoundFault,
} from '@aws-sdk/client-elasticache';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { generatePassword } from '#core/cache/password';
import { busEvent, groupArnOf, type LocalAws, startMembershipFunction } from '../local';
import {
  type AccessBenchOptions,
  compareAccess,
  type Login,
  localClientConfig,
  type Timing,
  untilGroupActive,
  untilLogin,
} from './access-timing';
import type { Row } from './stats';

/** The baseline waits on each status as scripts and cron-driven tools do: a look every 10 s. */
const STATUS_POLL_MS = 10_000;
const GROUP = 'bench-ephemeral-ug';
const BUS = 'cache-access';
const READER = 'arn:aws:iam::123456789012:role/oncall';
const ACCESS = 'on ~* &* -@all +@read +ping';

/**
 * From the request event to the first login with the password read from the new secret, and from the
 * revoke to the first refused login, as a reader who keeps trying sees it. The user must become active
 * and then its group membership must reach every node, so the physical limit is the two propagation
 * delays in a row; a deleted user is refused after one.
 */
export function ephemeralBench(options: AccessBenchOptions): Promise<Row[]> {
  return compareAccess(options, {
    section: 'ephemeral',
    who: 'new user',
    delays: (propagationMs) => ({ statusDelayMs: propagationMs, propagationDelayMs: propagationMs }),
    arrange: async (aws) => {
      await aws.groups.create({ engine: 'elasticache', id: GROUP, serverEngine: 'valkey' });
    },
    limits: (propagationS) => ({
      in: { seconds: 2 * propagationS, of: 'user, then group' },
      out: { seconds: propagationS, of: 'user deletion' },
    }),
    ours: (aws) => measureOurs(aws, options),
    baseline: (aws) => measureBaseline(aws, options),
  });
}

/** The bundled function, handed each event the moment it is put, as the rule on the bus does. */
async function measureOurs(aws: LocalAws, options: AccessBenchOptions): Promise<Timing[]> {
  const groupArn = groupArnOf('elasticache', GROUP);
  aws.iam.add(READER);
  const fn = await startMembershipFunction(options.bundle, aws, [], {
    requests: {
      eventBusName: BUS,
      rules: [
        { name: 'bench', groupArn, ephemeral: { accessString: ACCESS, maxActive: 50, readers: [READER] } },
      ],
    },
  });
  const secrets = secretsClient(aws);
  try {
    const timings: Timing[] = [];
    for (let run = 0; run < options.runs; run++) {
      const requestId = `bench-eph-${Date.now()}-${run}`;
      const requested = performance.now();
      void fn.invoke(
        busEvent('Cache Access Requested', {
          requestId,
          groupArn,
          ephemeral: { reader: READER },
          duration: 'PT1H',
          requestedBy: 'bench',
          reason: 'bench',
        }),
      );
      const secretArn = await grantedSecret(aws, requestId);
      const login = JSON.parse(
        (await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString ?? '',
      ) as Login;
      await untilLogin(options.redis, login, true);
      const toLogIn = performance.now() - requested;
      const revoked = performance.now();
      const ended = fn.invoke(
        busEvent('Cache Access Revoked', { requestId, revokedBy: 'bench', reason: 'bench' }),
      );
      await untilLogin(options.redis, login, false);
      timings.push({ toLogIn, toRefused: performance.now() - revoked });
      // The next run starts once this one's user and secret are gone, as they would be.
      await ended;
    }
    return timings;
  } finally {
    secrets.destroy();
    await fn.stop();
  }
}

/**
 * The same steps by a script that checks each status every 10 s: create the user, look until it is
 * active, store the secret, add it to the group; on revoke delete the user, look until it is gone, and
 * delete the secret.
 */
async function measureBaseline(aws: LocalAws, options: AccessBenchOptions): Promise<Timing[]> {
  const cache = new ElastiCacheClient(localClientConfig(aws));
  const secrets = secretsClient(aws);
  try {
    const timings: Timing[] = [];
    for (let run = 0; run < options.runs; run++) {
      const userId = `bench-baseline-${Date.now().toString(36)}-${run}`;
      const login = { username: userId, password: generatePassword(32) };
      const requested = performance.now();
      await cache.send(
        new CreateUserCommand({
          UserId: userId,
          UserName: userId,
          Engine: 'valkey',
          AccessString: ACCESS,
          Passwords: [login.password],
        }),
      );
      await pollEvery(async () => (await userStatus(cache, userId)) === 'active');
      const secret = await secrets.send(
        new CreateSecretCommand({ Name: `bench/${userId}`, SecretString: JSON.stringify(login) }),
      );
      await untilGroupActive(aws, GROUP);
      await cache.send(new ModifyUserGroupCommand({ UserGroupId: GROUP, UserIdsToAdd: [userId] }));
      await untilLogin(options.redis, login, true);
      const toLogIn = performance.now() - requested;
      const revoked = performance.now();
      await cache.send(new DeleteUserCommand({ UserId: userId }));
      await untilLogin(options.redis, login, false);
      timings.push({ toLogIn, toRefused: performance.now() - revoked });
      await pollEvery(async () => (await userStatus(cache, userId)) === undefined);
      await secrets.send(new DeleteSecretCommand({ SecretId: secret.ARN, ForceDeleteWithoutRecovery: true }));
    }
    return timings;
  } finally {
    cache.destroy();
    secrets.destroy();
  }
}

function secretsClient(aws: LocalAws): SecretsManagerClient {
  return new SecretsManagerClient(localClientConfig(aws));
}

/** The reader learns of the grant from the Granted event, which names the secret. */
async function grantedSecret(aws: LocalAws, requestId: string): Promise<string> {
  for (;;) {
    const granted = aws.events.entries.find(
      (event) =>
        event.detailType === 'Cache Access Granted' &&
        (event.detail as { requestId?: string }).requestId === requestId,
    );
    const secretArn = (granted?.detail as { secretArn?: string } | undefined)?.secretArn;
    if (secretArn) return secretArn;
    await sleep(25);
  }
}

async function userStatus(cache: ElastiCacheClient, userId: string): Promise<string | undefined> {
  try {
    return (await cache.send(new DescribeUsersCommand({ UserId: userId }))).Users?.[0]?.Status;
  } catch (error) {
    if (error instanceof UserNotFoundFault) return undefined;
    throw error;
  }
}

async function pollEvery(done: () => Promise<boolean>): Promise<void> {
  do await sleep(STATUS_POLL_MS);
  while (!(await done()));
}

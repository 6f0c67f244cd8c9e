import {
  DescribeUsersCommand as DescribeCacheUsersCommand,
  ElastiCacheClient,
  InvalidParameterValueException,
  InvalidUserStateFault,
  ModifyUserCommand,
  UserNotFoundFault,
} from '@aws-sdk/client-elasticache';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeUsersCommand as DescribeMemoryDbUsersCommand,
  MemoryDBClient,
  InvalidParameterValueException as MemoryDbInvalidParameterValueException,
  InvalidUserStateFault as MemoryDbInvalidUserStateFault,
  UserNotFoundFault as MemoryDbUserNotFoundFault,
  UpdateUserCommand,
} from '@aws-sdk/client-memorydb';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalAws, startLocalAws } from '../../local/aws/endpoint';
import { type RedisServer, startRedis } from '../../local/redis/server';
import { pointSdkAt, rejection } from '../support/sdk-env';

const OLD = 'old-password-0123456789';
const NEW = 'new-password-0123456789';
const NEWER = 'newer-password-0123456789';
const TOKEN_1 = '11111111-1111-4111-8111-111111111111';
const TOKEN_2 = '22222222-2222-4222-8222-222222222222';
const TOKEN_3 = '33333333-3333-4333-8333-333333333333';

let redis: RedisServer;
let aws: LocalAws;
let secretsManager: SecretsManagerClient;
let elastiCache: ElastiCacheClient;
let memoryDb: MemoryDBClient;
let eventBridge: EventBridgeClient;
let restoreEnv: (() => void) | undefined;

beforeAll(async () => {
  redis = await startRedis();
  aws = await startLocalAws({ redis });
  // The clients get no endpoint option: the standard variables must be enough, as for the deployed handlers.
  restoreEnv = pointSdkAt(aws.env());
  secretsManager = new SecretsManagerClient({ region: 'eu-west-1' });
  elastiCache = new ElastiCacheClient({ region: 'eu-west-1' });
  memoryDb = new MemoryDBClient({ region: 'eu-west-1' });
  eventBridge = new EventBridgeClient({ region: 'eu-west-1' });
});

afterAll(async () => {
  for (const client of [secretsManager, elastiCache, memoryDb, eventBridge]) {
    client?.destroy();
  }
  restoreEnv?.();
  await aws?.stop();
  await redis?.stop();
});

afterEach(() => {
  aws.setDelays({ statusDelayMs: 0, propagationDelayMs: 0 });
});

async function createSecret(name: string, value: string, token = TOKEN_1): Promise<string> {
  const created = await secretsManager.send(
    new CreateSecretCommand({ Name: name, SecretString: value, ClientRequestToken: token }),
  );
  return created.ARN ?? '';
}

describe('endpoint', () => {
  it('receives all four services through AWS_ENDPOINT_URL_<SERVICE> alone', async () => {
    await aws.users.create({ engine: 'elasticache', id: 'env-cache', passwords: [OLD] });
    await aws.users.create({ engine: 'memorydb', id: 'env-memorydb', passwords: [OLD] });

    await createSecret('env-secret', 'value');
    await elastiCache.send(new DescribeCacheUsersCommand({ UserId: 'env-cache' }));
    await memoryDb.send(new DescribeMemoryDbUsersCommand({ UserName: 'env-memorydb' }));
    await eventBridge.send(
      new PutEventsCommand({ Entries: [{ Source: 'env', DetailType: 'Env Probe', Detail: '{}' }] }),
    );

    expect(Object.keys(aws.env())).toContain('AWS_ENDPOINT_URL_EVENTBRIDGE');
    expect(aws.callsOf('PutEvents', 'eventbridge')).toHaveLength(1);
    expect(aws.callsOf('CreateSecret', 'secretsmanager')).toHaveLength(1);
    expect(aws.callsOf('DescribeUsers', 'elasticache').at(-1)?.params).toEqual({ UserId: 'env-cache' });
    expect(aws.callsOf('DescribeUsers', 'memorydb').at(-1)?.params).toEqual({ UserName: 'env-memorydb' });
  });

  it('takes the region for ARNs from the request signature', async () => {
    const ohio = new SecretsManagerClient({ region: 'us-east-2' });

    const created = await ohio.send(new CreateSecretCommand({ Name: 'ohio-secret', SecretString: 'value' }));
    ohio.destroy();

    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-2:123456789012:secret:ohio-secret-[A-Za-z0-9]{6}$/,
    );
  });

  it('answers an operation it does not implement with an error naming it', async () => {
    const error = await rejection(secretsManager.send(new GetRandomPasswordCommand({})));

    expect((error as Error).name).toBe('UnknownOperationException');
    expect((error as Error).message).toContain('GetRandomPassword');
  });

  it('answers a request it cannot route with a 400 that says so', async () => {
    const response = await fetch(aws.url, {
      method: 'POST',
      body: 'Action=DescribeUsers&Version=1999-01-01',
    });

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('cannot tell which service and operation');
  });

  it('delays every response by latencyMs', async () => {
    const slow = await startLocalAws({ redis, latencyMs: 300 });
    const client = new SecretsManagerClient({ region: 'eu-west-1', endpoint: slow.url });
    const started = Date.now();

    await rejection(client.send(new DescribeSecretCommand({ SecretId: 'missing' })));
    client.destroy();
    await slow.stop();

    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});

describe('Secrets Manager', () => {
  it('creates, describes and reads a secret by name and by ARN', async () => {
    const arn = await createSecret('plain', '{"username":"app"}');

    const described = await secretsManager.send(new DescribeSecretCommand({ SecretId: 'plain' }));
    const byArn = await secretsManager.send(new GetSecretValueCommand({ SecretId: arn }));

    expect(arn).toMatch(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:plain-[A-Za-z0-9]{6}$/);
    expect(described).toMatchObject({
      ARN: arn,
      Name: 'plain',
      RotationEnabled: false,
      VersionIdsToStages: { [TOKEN_1]: ['AWSCURRENT'] },
    });
    expect(byArn).toMatchObject({ SecretString: '{"username":"app"}', VersionId: TOKEN_1 });
    expect(byArn.CreatedDate).toBeInstanceOf(Date);
  });

  it('reports rotation as enabled once the harness says so', async () => {
    await createSecret('rotating', 'value');

    aws.secrets.setRotationEnabled('rotating', true);
    const described = await secretsManager.send(new DescribeSecretCommand({ SecretId: 'rotating' }));

    expect(described.RotationEnabled).toBe(true);
  });

  it('answers ResourceNotFoundException for the empty pending version a rotation starts with', async () => {
    await createSecret('pending', 'value');
    aws.secrets.beginRotation('pending', TOKEN_2);

    const error = await rejection(
      secretsManager.send(
        new GetSecretValueCommand({ SecretId: 'pending', VersionId: TOKEN_2, VersionStage: 'AWSPENDING' }),
      ),
    );

    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(aws.secrets.stagesOf('pending')).toEqual({ [TOKEN_1]: ['AWSCURRENT'], [TOKEN_2]: ['AWSPENDING'] });
  });

  it('answers ResourceNotFoundException when the version id and the stage do not match', async () => {
    await createSecret('mismatch', 'value');

    const error = await rejection(
      secretsManager.send(
        new GetSecretValueCommand({ SecretId: 'mismatch', VersionId: TOKEN_1, VersionStage: 'AWSPENDING' }),
      ),
    );

    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it('fills the pending version, idempotently for the same token and value', async () => {
    await createSecret('put', 'old');
    aws.secrets.beginRotation('put', TOKEN_2);
    const put = {
      SecretId: 'put',
      ClientRequestToken: TOKEN_2,
      SecretString: 'new',
      VersionStages: ['AWSPENDING'],
    };

    await secretsManager.send(new PutSecretValueCommand(put));
    await secretsManager.send(new PutSecretValueCommand(put));
    const pending = await secretsManager.send(
      new GetSecretValueCommand({ SecretId: 'put', VersionId: TOKEN_2, VersionStage: 'AWSPENDING' }),
    );
    const conflict = await rejection(
      secretsManager.send(new PutSecretValueCommand({ ...put, SecretString: 'other' })),
    );

    expect(pending.SecretString).toBe('new');
    expect(conflict).toBeInstanceOf(ResourceExistsException);
    expect(aws.secrets.valueOf('put', TOKEN_2)).toBe('new');
  });

  it('moves AWSCURRENT and AWSPREVIOUS on a put without stages and drops unlabelled versions', async () => {
    await createSecret('default-stage', 'one');

    await secretsManager.send(
      new PutSecretValueCommand({
        SecretId: 'default-stage',
        ClientRequestToken: TOKEN_2,
        SecretString: 'two',
      }),
    );
    await secretsManager.send(
      new PutSecretValueCommand({
        SecretId: 'default-stage',
        ClientRequestToken: TOKEN_3,
        SecretString: 'three',
      }),
    );
    const current = await secretsManager.send(new GetSecretValueCommand({ SecretId: 'default-stage' }));

    expect(current.SecretString).toBe('three');
    expect(aws.secrets.stagesOf('default-stage')).toEqual({
      [TOKEN_2]: ['AWSPREVIOUS'],
      [TOKEN_3]: ['AWSCURRENT'],
    });
  });

  it('refuses to move AWSCURRENT unless RemoveFromVersionId names its current version', async () => {
    await createSecret('guarded', 'old');
    aws.secrets.beginRotation('guarded', TOKEN_2);
    await secretsManager.send(
      new PutSecretValueCommand({
        SecretId: 'guarded',
        ClientRequestToken: TOKEN_2,
        SecretString: 'new',
        VersionStages: ['AWSPENDING'],
      }),
    );

    const withoutRemove = await rejection(
      secretsManager.send(
        new UpdateSecretVersionStageCommand({
          SecretId: 'guarded',
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: TOKEN_2,
        }),
      ),
    );
    const wrongRemove = await rejection(
      secretsManager.send(
        new UpdateSecretVersionStageCommand({
          SecretId: 'guarded',
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: TOKEN_2,
          RemoveFromVersionId: TOKEN_2,
        }),
      ),
    );

    expect(withoutRemove).toBeInstanceOf(InvalidParameterException);
    expect(wrongRemove).toBeInstanceOf(InvalidParameterException);
    expect(aws.secrets.stagesOf('guarded')).toEqual({ [TOKEN_1]: ['AWSCURRENT'], [TOKEN_2]: ['AWSPENDING'] });
  });

  it('finishes a rotation: AWSCURRENT moves to the token and AWSPREVIOUS follows to the old version', async () => {
    await createSecret('finished', 'old');
    aws.secrets.beginRotation('finished', TOKEN_2);
    await secretsManager.send(
      new PutSecretValueCommand({
        SecretId: 'finished',
        ClientRequestToken: TOKEN_2,
        SecretString: 'new',
        VersionStages: ['AWSPENDING'],
      }),
    );

    await secretsManager.send(
      new UpdateSecretVersionStageCommand({
        SecretId: 'finished',
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: TOKEN_2,
        RemoveFromVersionId: TOKEN_1,
      }),
    );
    const current = await secretsManager.send(new GetSecretValueCommand({ SecretId: 'finished' }));
    const previous = await secretsManager.send(
      new GetSecretValueCommand({ SecretId: 'finished', VersionStage: 'AWSPREVIOUS' }),
    );

    expect(current.SecretString).toBe('new');
    expect(previous.SecretString).toBe('old');
    expect(aws.secrets.stagesOf('finished')).toEqual({
      [TOKEN_1]: ['AWSPREVIOUS'],
      [TOKEN_2]: ['AWSPENDING', 'AWSCURRENT'],
    });
  });

  it('drops a version whose last label is removed', async () => {
    await createSecret('abandoned', 'old');
    aws.secrets.beginRotation('abandoned', TOKEN_2);

    await secretsManager.send(
      new UpdateSecretVersionStageCommand({
        SecretId: 'abandoned',
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: TOKEN_2,
      }),
    );

    expect(aws.secrets.stagesOf('abandoned')).toEqual({ [TOKEN_1]: ['AWSCURRENT'] });
  });

  it('refuses to begin a rotation while a previous one left AWSPENDING on another version', async () => {
    await createSecret('unfinished', 'old');

    aws.secrets.beginRotation('unfinished', TOKEN_2);

    expect(() => aws.secrets.beginRotation('unfinished', TOKEN_3)).toThrow(
      /previous rotation isn't complete/,
    );
  });
});

describe('ElastiCache users', () => {
  it('describes a user the way ElastiCache does', async () => {
    await aws.users.create({
      engine: 'elasticache',
      id: 'ec-describe',
      userName: 'ec-describe-name',
      passwords: [OLD],
    });

    const described = await elastiCache.send(new DescribeCacheUsersCommand({ UserId: 'ec-describe' }));

    expect(described.Users).toEqual([
      expect.objectContaining({
        UserId: 'ec-describe',
        UserName: 'ec-describe-name',
        Status: 'active',
        Engine: 'redis',
        UserGroupIds: [],
        Authentication: { Type: 'password', PasswordCount: 1 },
        ARN: 'arn:aws:elasticache:eu-west-1:123456789012:user:ec-describe',
      }),
    ]);
  });

  it('applies ModifyUser in redis only after the propagation delay, with the status back before that', async () => {
    await aws.users.create({ engine: 'elasticache', id: 'ec-modify', passwords: [OLD] });
    aws.setDelays({ statusDelayMs: 100, propagationDelayMs: 400 });

    const modified = await elastiCache.send(
      new ModifyUserCommand({ UserId: 'ec-modify', Passwords: [NEW, OLD] }),
    );
    const newBeforePropagation = await redis.authenticates('ec-modify', NEW);
    await vi.waitFor(() => expect(aws.users.get('elasticache', 'ec-modify')?.status).toBe('active'), {
      timeout: 2_000,
    });
    const newWhenActive = await redis.authenticates('ec-modify', NEW);
    await vi.waitFor(async () => expect(await redis.authenticates('ec-modify', NEW)).toBe(true), {
      timeout: 2_000,
    });

    expect(modified.Status).toBe('modifying');
    expect(modified.Authentication).toEqual({ Type: 'password', PasswordCount: 2 });
    expect(newBeforePropagation).toBe(false);
    expect(newWhenActive).toBe(false);
    expect(await redis.authenticates('ec-modify', OLD)).toBe(true);
  });

  it('replaces the password set, so a password left out stops working', async () => {
    await aws.users.create({ engine: 'elasticache', id: 'ec-replace', passwords: [OLD] });

    await elastiCache.send(
      new ModifyUserCommand({
        UserId: 'ec-replace',
        AuthenticationMode: { Type: 'password', Passwords: [NEWER] },
      }),
    );

    await vi.waitFor(async () => expect(await redis.authenticates('ec-replace', NEWER)).toBe(true), {
      timeout: 2_000,
    });
    expect(await redis.authenticates('ec-replace', OLD)).toBe(false);
    expect(aws.users.get('elasticache', 'ec-replace')?.passwordCount).toBe(1);
  });

  it('throws InvalidUserStateFault while the user is modifying', async () => {
    await aws.users.create({ engine: 'elasticache', id: 'ec-busy', passwords: [OLD] });
    aws.users.holdModifying('elasticache', 'ec-busy', 60_000);

    const error = await rejection(
      elastiCache.send(new ModifyUserCommand({ UserId: 'ec-busy', Passwords: [NEW] })),
    );
    aws.users.setStatus('elasticache', 'ec-busy', 'active');

    expect(error).toBeInstanceOf(InvalidUserStateFault);
    expect(await redis.authenticates('ec-busy', OLD)).toBe(true);
  });

  it('throws UserNotFoundFault for an unknown user id', async () => {
    const described = await rejection(
      elastiCache.send(new DescribeCacheUsersCommand({ UserId: 'ec-nobody' })),
    );
    const modified = await rejection(
      elastiCache.send(new ModifyUserCommand({ UserId: 'ec-nobody', Passwords: [NEW] })),
    );

    expect(described).toBeInstanceOf(UserNotFoundFault);
    expect(modified).toBeInstanceOf(UserNotFoundFault);
  });

  it.each([
    ['no password', []],
    ['three passwords', [OLD, NEW, NEWER]],
    ['a password shorter than 16 characters', ['short-password']],
    ['a password with @', ['at-sign@0123456789']],
    ['a password with a comma', ['comma,0123456789']],
  ])('throws InvalidParameterValueException for %s and changes nothing', async (_case, passwords) => {
    const id = `ec-invalid-${passwords.length}-${passwords[0]?.length}`;
    await aws.users.create({ engine: 'elasticache', id, passwords: [OLD] });

    const error = await rejection(
      elastiCache.send(new ModifyUserCommand({ UserId: id, Passwords: passwords })),
    );

    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(aws.users.get('elasticache', id)).toMatchObject({ status: 'active', passwordCount: 1 });
  });
});

describe('MemoryDB users', () => {
  it('describes a user the way MemoryDB does', async () => {
    await aws.users.create({ engine: 'memorydb', id: 'mdb-describe', passwords: [OLD, NEW] });

    const described = await memoryDb.send(new DescribeMemoryDbUsersCommand({ UserName: 'mdb-describe' }));

    expect(described.Users).toEqual([
      expect.objectContaining({
        Name: 'mdb-describe',
        Status: 'active',
        ACLNames: [],
        Authentication: { Type: 'password', PasswordCount: 2 },
        ARN: 'arn:aws:memorydb:eu-west-1:123456789012:user/mdb-describe',
      }),
    ]);
  });

  it('applies UpdateUser in redis after the delays and drops the password left out', async () => {
    await aws.users.create({ engine: 'memorydb', id: 'mdb-update', passwords: [OLD] });
    aws.setDelays({ statusDelayMs: 100, propagationDelayMs: 200 });

    const updated = await memoryDb.send(
      new UpdateUserCommand({
        UserName: 'mdb-update',
        AuthenticationMode: { Type: 'password', Passwords: [NEW] },
      }),
    );
    const newBeforePropagation = await redis.authenticates('mdb-update', NEW);
    await vi.waitFor(async () => expect(await redis.authenticates('mdb-update', NEW)).toBe(true), {
      timeout: 2_000,
    });

    expect(updated.User).toMatchObject({ Status: 'modifying', Authentication: { PasswordCount: 1 } });
    expect(newBeforePropagation).toBe(false);
    expect(await redis.authenticates('mdb-update', OLD)).toBe(false);
    await vi.waitFor(() => expect(aws.users.get('memorydb', 'mdb-update')?.status).toBe('active'));
  });

  it('throws InvalidUserStateFault while the user is modifying', async () => {
    await aws.users.create({ engine: 'memorydb', id: 'mdb-busy', passwords: [OLD] });
    aws.users.setStatus('memorydb', 'mdb-busy', 'modifying');

    const error = await rejection(
      memoryDb.send(
        new UpdateUserCommand({
          UserName: 'mdb-busy',
          AuthenticationMode: { Type: 'password', Passwords: [NEW] },
        }),
      ),
    );
    aws.users.setStatus('memorydb', 'mdb-busy', 'active');

    expect(error).toBeInstanceOf(MemoryDbInvalidUserStateFault);
  });

  it('throws UserNotFoundFault for an unknown user name', async () => {
    const error = await rejection(
      memoryDb.send(new DescribeMemoryDbUsersCommand({ UserName: 'mdb-nobody' })),
    );

    expect(error).toBeInstanceOf(MemoryDbUserNotFoundFault);
  });

  it('throws InvalidParameterValueException for a password with a slash', async () => {
    await aws.users.create({ engine: 'memorydb', id: 'mdb-invalid', passwords: [OLD] });

    const error = await rejection(
      memoryDb.send(
        new UpdateUserCommand({
          UserName: 'mdb-invalid',
          AuthenticationMode: { Type: 'password', Passwords: ['slash/0123456789abc'] },
        }),
      ),
    );

    expect(error).toBeInstanceOf(MemoryDbInvalidParameterValueException);
  });
});

describe('EventBridge', () => {
  it('records the entries PutEvents accepts, with the detail parsed', async () => {
    const time = new Date('2025-03-30T01:30:00Z');

    const put = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'cache-access-automation',
            DetailType: 'Cache Membership Changed',
            Detail: JSON.stringify({ group: 'team', added: ['alice'] }),
            EventBusName: 'audit',
            Resources: ['arn:aws:elasticache:eu-west-1:123456789012:usergroup:team'],
            Time: time,
          },
          { Source: 'cache-access-automation', DetailType: 'Heartbeat', Detail: '{}' },
        ],
      }),
    );

    const recorded = aws.events.entries.filter((entry) => entry.source === 'cache-access-automation');
    expect(put.FailedEntryCount).toBe(0);
    expect(put.Entries?.map((entry) => entry.EventId)).toEqual(recorded.map((entry) => entry.eventId));
    expect(recorded[0]).toMatchObject({
      detailType: 'Cache Membership Changed',
      detail: { group: 'team', added: ['alice'] },
      eventBusName: 'audit',
      resources: ['arn:aws:elasticache:eu-west-1:123456789012:usergroup:team'],
      time,
    });
    expect(recorded[1]).toMatchObject({ detailType: 'Heartbeat', eventBusName: 'default' });
  });

  it('refuses malformed and injected entries one by one in a successful response', async () => {
    const before = aws.events.entries.length;
    aws.events.failNextEntries(1, 'ThrottlingException');

    const put = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'partial', DetailType: 'Injected', Detail: '{}' },
          { Source: 'partial', DetailType: 'Malformed', Detail: 'not json' },
          { Source: 'partial', DetailType: 'Fine', Detail: '{"ok":true}' },
        ],
      }),
    );

    expect(put.FailedEntryCount).toBe(2);
    expect(put.Entries?.map((entry) => entry.ErrorCode)).toEqual([
      'ThrottlingException',
      'MalformedDetail',
      undefined,
    ]);
    expect(aws.events.entries.slice(before).map((entry) => entry.detailType)).toEqual(['Fine']);
  });
});

describe('fault injection', () => {
  it('fails the next calls of an operation with a typed fault before touching state', async () => {
    await aws.users.create({ engine: 'elasticache', id: 'ec-faulty', passwords: [OLD] });
    aws.failNext('ModifyUser', 'InvalidUserStateFault', 2);

    const first = await rejection(
      elastiCache.send(new ModifyUserCommand({ UserId: 'ec-faulty', Passwords: [NEW] })),
    );
    const second = await rejection(
      elastiCache.send(new ModifyUserCommand({ UserId: 'ec-faulty', Passwords: [NEW] })),
    );
    const stateBetween = aws.users.get('elasticache', 'ec-faulty');
    const third = await elastiCache.send(new ModifyUserCommand({ UserId: 'ec-faulty', Passwords: [NEW] }));

    expect(first).toBeInstanceOf(InvalidUserStateFault);
    expect(second).toBeInstanceOf(InvalidUserStateFault);
    expect(stateBetween).toMatchObject({ status: 'active', passwordCount: 1 });
    expect(third.Status).toBe('modifying');
    expect(
      aws
        .callsOf('ModifyUser')
        .filter((call) => call.params.UserId === 'ec-faulty')
        .map((call) => call.error),
    ).toEqual(['InvalidUserStateFault', 'InvalidUserStateFault', undefined]);
  });

  it('injects into one service only when the service is named', async () => {
    await aws.users.create({ engine: 'elasticache', id: 'ec-scoped', passwords: [OLD] });
    await aws.users.create({ engine: 'memorydb', id: 'mdb-scoped', passwords: [OLD] });
    aws.failNext('DescribeUsers', 'UserNotFoundFault', 1, 'memorydb');

    const cache = await elastiCache.send(new DescribeCacheUsersCommand({ UserId: 'ec-scoped' }));
    const memory = await rejection(
      memoryDb.send(new DescribeMemoryDbUsersCommand({ UserName: 'mdb-scoped' })),
    );

    expect(cache.Users).toHaveLength(1);
    expect(memory).toBeInstanceOf(MemoryDbUserNotFoundFault);
  });

  it('sends server faults with a 5xx status, which the SDK retries', async () => {
    await createSecret('flaky', 'value');
    aws.failNext('GetSecretValue', 'InternalServiceError');

    const value = await secretsManager.send(new GetSecretValueCommand({ SecretId: 'flaky' }));

    expect(value.SecretString).toBe('value');
    expect(aws.callsOf('GetSecretValue').filter((call) => call.params.SecretId === 'flaky')).toHaveLength(2);
  });
});

describe('call log', () => {
  it('keeps identifiers, tokens and stages but never a password or a secret value', async () => {
    const secretValue = 'secret-value-that-must-not-leak';
    await createSecret('logged', secretValue);
    aws.secrets.beginRotation('logged', TOKEN_2);
    await secretsManager.send(
      new PutSecretValueCommand({
        SecretId: 'logged',
        ClientRequestToken: TOKEN_2,
        SecretString: secretValue,
        VersionStages: ['AWSPENDING'],
      }),
    );
    await aws.users.create({ engine: 'elasticache', id: 'ec-logged', passwords: [OLD] });
    await aws.users.create({ engine: 'memorydb', id: 'mdb-logged', passwords: [OLD] });
    await elastiCache.send(new ModifyUserCommand({ UserId: 'ec-logged', Passwords: [NEWER, OLD] }));
    await memoryDb.send(
      new UpdateUserCommand({
        UserName: 'mdb-logged',
        AuthenticationMode: { Type: 'password', Passwords: [NEWER] },
      }),
    );

    const log = JSON.stringify(aws.calls);

    expect(aws.callsOf('PutSecretValue').at(-1)?.params).toEqual({
      SecretId: 'logged',
      ClientRequestToken: TOKEN_2,
      VersionStages: ['AWSPENDING'],
    });
    for (const secret of [secretValue, OLD, NEW, NEWER]) {
      expect(log).not.toContain(secret);
    }
  });
});

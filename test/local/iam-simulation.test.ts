import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { CreateUserCommand, ElastiCacheClient, ModifyUserGroupCommand } from '@aws-sdk/client-elasticache';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '#core/runtime/env-names';
import { type LocalAws, startLocalAws } from '../../local/aws/endpoint';
import { accessKeyFor, type Deployment } from '../../local/functions/deployments';
import { EPHEMERAL_NAMES, EXPIRY_GROUP, groupArnOf, openWindow } from '../../local/functions/membership';
import { type RedisServer, startRedis } from '../../local/redis/server';
import { principalOf, simulateCall } from '../support/iam-simulation';
import { synthStack } from '../support/synth';

const NAMED_GROUP = 'named-group';
const OTHER_GROUP = 'other-group';
const GRANT_TABLE = 'grants-table';
const OTHER_TABLE = 'other-table';

/** A membership stack with one scheduled grant and one ephemeral rule on the named group. */
const membership: Deployment = {
  purpose: 'membership',
  config: () => ({
    membership: {
      grants: [
        {
          name: 'oncall',
          groupArn: groupArnOf('elasticache', NAMED_GROUP),
          users: ['alice'],
          windows: [openWindow()],
        },
      ],
      requests: {
        rules: [
          {
            name: 'debug',
            groupArn: groupArnOf('elasticache', NAMED_GROUP),
            ephemeral: {
              accessString: 'on ~* -@all +@read',
              readers: ['arn:aws:iam::123456789012:role/oncall'],
            },
          },
        ],
      },
    },
  }),
  physicalNames: { MembershipReconcilerRole: EPHEMERAL_NAMES.functionRoleArn, MembershipGrants: GRANT_TABLE },
  stack: { name: 'CacheAccess', id: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/CacheAccess/1' },
};

let redis: RedisServer;
let aws: LocalAws;
beforeAll(async () => {
  redis = await startRedis();
  aws = await startLocalAws({ redis });
});
afterAll(async () => {
  await aws?.stop();
  await redis?.stop();
});

/** Clients that sign as the deployment's function, as its host does. */
function signedAs(deployment: Deployment) {
  const options = {
    region: 'eu-west-1',
    endpoint: aws.url,
    credentials: { accessKeyId: accessKeyFor(deployment), secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  return {
    elastiCache: new ElastiCacheClient(options),
    secrets: new SecretsManagerClient(options),
    dynamo: new DynamoDBClient(options),
  };
}

const lastCall = () => aws.calls.at(-1) ?? expect.fail('no call recorded');

describe('IAM simulation of recorded calls', () => {
  it('hosts the membership function under the names its stack sets at synth', () => {
    const { template } = synthStack(membership.config(), { id: membership.stack.name });

    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: EXPIRY_GROUP });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [ENV.ephemeralUserPrefix]: EPHEMERAL_NAMES.userPrefix } },
    });
  });

  it('records the caller from the signature and allows a change of the group the config names', async () => {
    await aws.groups.create({ engine: 'elasticache', id: NAMED_GROUP, members: [] });
    await aws.users.create({ engine: 'elasticache', id: 'alice', passwords: ['alice-password-0123456789'] });
    const client = signedAs(membership).elastiCache;

    await client.send(new ModifyUserGroupCommand({ UserGroupId: NAMED_GROUP, UserIdsToAdd: ['alice'] }));

    expect(lastCall().caller).toMatch(/^LOCALMEMBERSHIP\d{4}$/);
    expect(lastCall().authorizations.map((a) => a.resource)).toEqual([
      groupArnOf('elasticache', NAMED_GROUP),
      'arn:aws:elasticache:eu-west-1:123456789012:user:alice',
    ]);
    await expect(simulateCall(lastCall(), principalOf(membership))).resolves.toEqual([]);
  });

  it('denies a change of a group the config does not name', async () => {
    await aws.groups.create({ engine: 'elasticache', id: OTHER_GROUP, members: [] });

    await signedAs(membership).elastiCache.send(
      new ModifyUserGroupCommand({ UserGroupId: OTHER_GROUP, UserIdsToAdd: ['alice'] }),
    );

    const denials = await simulateCall(lastCall(), principalOf(membership));
    expect(denials.map((d) => [d.call, d.action, d.resource])).toEqual([
      ['elasticache ModifyUserGroup', 'elasticache:ModifyUserGroup', groupArnOf('elasticache', OTHER_GROUP)],
    ]);
  });

  it('denies reading a secret outside the stack’s ephemeral prefix', async () => {
    await signedAs(membership)
      .secrets.send(new GetSecretValueCommand({ SecretId: 'cache-access/someone-else/0123' }))
      .catch(() => undefined);

    const denials = await simulateCall(lastCall(), principalOf(membership));
    expect(denials).toMatchObject([
      {
        action: 'secretsmanager:GetSecretValue',
        resource: expect.stringContaining(':secret:cache-access/someone-else/'),
      },
    ]);
  });

  it('denies a CreateUser with tags under a policy without AddTagsToResource, and allows it with', async () => {
    const user = `${EPHEMERAL_NAMES.userPrefix}0123456789abcdef`;
    await signedAs(membership)
      .elastiCache.send(
        new CreateUserCommand({
          UserId: user,
          UserName: user,
          Engine: 'valkey',
          AccessString: 'on ~* -@all +@read',
          Passwords: ['ephemeral-password-0123456789'],
          Tags: [{ Key: 'cache-access-automation:request', Value: 'r-1' }],
        }),
      )
      .catch(() => undefined);
    const principal = principalOf(membership);
    const withoutTagging = principal.policies.map(({ name, policy }) => ({
      name,
      policy: {
        ...policy,
        Statement: policy.Statement.map((statement) => ({
          ...statement,
          Action: [statement.Action ?? []]
            .flat()
            .filter((action) => action !== 'elasticache:AddTagsToResource'),
        })).filter((statement) => statement.Action.length > 0),
      },
    }));

    const denied = await simulateCall(lastCall(), { ...principal, policies: withoutTagging });
    const allowed = await simulateCall(lastCall(), principal);

    expect(denied).toMatchObject([
      { action: 'elasticache:AddTagsToResource', resource: expect.stringContaining(`:user:${user}`) },
    ]);
    expect(allowed).toEqual([]);
  });

  it('allows the grant table and denies a write to another table, keeping no item in the call log', async () => {
    const keys = {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' as const },
        { AttributeName: 'sk', KeyType: 'RANGE' as const },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' as const },
        { AttributeName: 'sk', AttributeType: 'S' as const },
      ],
    };
    await aws.dynamo.createTable(keys, GRANT_TABLE);
    await aws.dynamo.createTable(keys, OTHER_TABLE);
    const db = signedAs(membership).dynamo;

    await db.send(
      new GetItemCommand({ TableName: GRANT_TABLE, Key: { pk: { S: 'grant' }, sk: { S: 'g-1' } } }),
    );
    const allowed = await simulateCall(lastCall(), principalOf(membership));
    await db.send(
      new PutItemCommand({
        TableName: OTHER_TABLE,
        Item: { pk: { S: 'grant' }, sk: { S: 'g-1' }, note: { S: 'not-for-the-log' } },
      }),
    );

    expect(allowed).toEqual([]);
    expect(lastCall()).toMatchObject({ service: 'dynamodb', params: { TableName: OTHER_TABLE } });
    expect(JSON.stringify(lastCall())).not.toContain('not-for-the-log');
    const denials = await simulateCall(lastCall(), principalOf(membership));
    expect(denials.map((d) => [d.call, d.action, d.resource])).toEqual([
      [
        'dynamodb PutItem',
        'dynamodb:PutItem',
        `arn:aws:dynamodb:eu-west-1:123456789012:table/${OTHER_TABLE}`,
      ],
    ]);
  });

  it('names an index a Query reads as its own resource, which the grant table policy does not cover', async () => {
    await signedAs(membership)
      .dynamo.send(
        new QueryCommand({
          TableName: GRANT_TABLE,
          IndexName: 'by-user',
          KeyConditionExpression: 'pk = :kind',
          ExpressionAttributeValues: { ':kind': { S: 'grant' } },
        }),
      )
      .catch(() => undefined);

    expect(lastCall().error).toBe('ValidationException');
    const denials = await simulateCall(lastCall(), principalOf(membership));
    expect(denials.map((d) => d.resource)).toEqual([
      `arn:aws:dynamodb:eu-west-1:123456789012:table/${GRANT_TABLE}/index/by-user`,
    ]);
  });
});

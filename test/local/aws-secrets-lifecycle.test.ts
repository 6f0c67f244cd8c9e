import {
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretsCommand,
  MalformedPolicyDocumentException,
  PublicPolicyException,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalAws } from '../../local/aws/endpoint';
import { startLocalAws } from '../../local/aws/endpoint';
import { type RedisServer, startRedis } from '../../local/redis/server';
import { pointSdkAt, rejection } from '../support/sdk-env';

const VALUE = JSON.stringify({ username: 'app-reader', password: 'secret-password-0123456789' });
const READER_ROLE = 'arn:aws:iam::123456789012:role/reader';

let redis: RedisServer;
let aws: LocalAws;
let secrets: SecretsManagerClient;
let restoreEnv: (() => void) | undefined;

beforeAll(async () => {
  redis = await startRedis();
  aws = await startLocalAws({ redis });
  aws.iam.add(READER_ROLE);
  restoreEnv = pointSdkAt(aws.env());
  secrets = new SecretsManagerClient({ region: 'eu-west-1' });
});

afterAll(async () => {
  secrets?.destroy();
  restoreEnv?.();
  await aws?.stop();
  await redis?.stop();
});

function createSecret(name: string, tags: { Key: string; Value: string }[] = []) {
  return secrets.send(new CreateSecretCommand({ Name: name, SecretString: VALUE, Tags: tags }));
}

function policy(principal: unknown, condition?: object): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: principal,
        Action: 'secretsmanager:GetSecretValue',
        Resource: '*',
        ...(condition && { Condition: condition }),
      },
    ],
  });
}

describe('Secrets Manager CreateSecret', () => {
  it('keeps the description, tags and KMS key, and starts without a resource policy', async () => {
    // Arrange
    await secrets.send(
      new CreateSecretCommand({
        Name: 'life/described',
        SecretString: VALUE,
        Description: 'handed to one reader',
        KmsKeyId: 'alias/cache-secrets',
        Tags: [{ Key: 'owner', Value: 'team-a' }],
      }),
    );

    // Act
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: 'life/described' }));
    const noPolicy = await secrets.send(new GetResourcePolicyCommand({ SecretId: 'life/described' }));

    // Assert
    expect(described).toMatchObject({
      Name: 'life/described',
      Description: 'handed to one reader',
      KmsKeyId: 'alias/cache-secrets',
      Tags: [{ Key: 'owner', Value: 'team-a' }],
    });
    expect(described.DeletedDate).toBeUndefined();
    expect(noPolicy).toMatchObject({ ARN: described.ARN, Name: 'life/described' });
    expect(noPolicy.ResourcePolicy).toBeUndefined();
    expect(aws.secrets.policyOf('life/described')).toBeUndefined();
    expect(aws.callsOf('CreateSecret').at(-1)?.params).not.toHaveProperty('SecretString');
  });

  it('makes a secret with no version when given no value: GetSecretValue finds nothing until PutSecretValue', async () => {
    // Arrange
    const { ARN, VersionId } = await secrets.send(
      new CreateSecretCommand({ Name: 'life/empty', Tags: [{ Key: 'owner', Value: 'team-a' }] }),
    );

    // Act
    const before = await rejection(secrets.send(new GetSecretValueCommand({ SecretId: 'life/empty' })));
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: 'life/empty' }));
    const token = '2f1c9a4e-7b3d-4c21-9e8f-0a1b2c3d4e5f';
    await secrets.send(
      new PutSecretValueCommand({ SecretId: ARN, ClientRequestToken: token, SecretString: VALUE }),
    );
    const after = await secrets.send(new GetSecretValueCommand({ SecretId: 'life/empty' }));

    // Assert
    expect(VersionId).toBeUndefined();
    expect(before).toBeInstanceOf(ResourceNotFoundException);
    expect((before as Error).message).toContain('AWSCURRENT');
    expect(described.VersionIdsToStages).toEqual({});
    expect(described.Tags).toEqual([{ Key: 'owner', Value: 'team-a' }]);
    expect(after).toMatchObject({ SecretString: VALUE, VersionId: token, VersionStages: ['AWSCURRENT'] });
  });
});

describe('Secrets Manager resource policies', () => {
  it('refuses a CreateSecret whose value is not a string and leaves no secret behind', async () => {
    // Arrange: a value of the wrong type, as a hand-written client could send it
    const name = 'bad-value-secret';

    // Act
    const error = await rejection(
      secrets.send(new CreateSecretCommand({ Name: name, SecretString: 42 as unknown as string })),
    );

    // Assert
    expect(error).toMatchObject({ name: 'SerializationException' });
    expect(await rejection(secrets.send(new DescribeSecretCommand({ SecretId: name })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('round-trips a policy through PutResourcePolicy and GetResourcePolicy, and deletes it', async () => {
    // Arrange
    await createSecret('life/policy');
    const document = policy({ AWS: READER_ROLE });

    // Act
    const put = await secrets.send(
      new PutResourcePolicyCommand({
        SecretId: 'life/policy',
        ResourcePolicy: document,
        BlockPublicPolicy: true,
      }),
    );
    const got = await secrets.send(new GetResourcePolicyCommand({ SecretId: 'life/policy' }));
    const stored = aws.secrets.policyOf('life/policy');
    await secrets.send(new DeleteResourcePolicyCommand({ SecretId: 'life/policy' }));

    // Assert
    expect(put.Name).toBe('life/policy');
    expect(got).toMatchObject({ ARN: put.ARN, Name: 'life/policy', ResourcePolicy: document });
    expect(stored).toBe(document);
    expect(aws.secrets.policyOf('life/policy')).toBeUndefined();
  });

  it('refuses a role or user that does not exist, or no longer does, naming it unsupported as AWS does', async () => {
    // Arrange
    await createSecret('life/unknown-reader');
    const gone = 'arn:aws:iam::123456789012:role/deleted-reader';
    aws.iam.add(gone);
    aws.iam.remove(gone);

    // Act
    const errors = await Promise.all(
      ['arn:aws:iam::123456789012:role/never-made', gone, 'arn:aws:iam::123456789012:user/nobody'].map(
        (principal) =>
          rejection(
            secrets.send(
              new PutResourcePolicyCommand({
                SecretId: 'life/unknown-reader',
                ResourcePolicy: policy({ AWS: [READER_ROLE, principal] }),
              }),
            ),
          ),
      ),
    );

    // Assert
    for (const error of errors) {
      expect(error).toBeInstanceOf(MalformedPolicyDocumentException);
      expect((error as Error).message).toBe('This resource policy contains an unsupported principal.');
    }
    expect(aws.secrets.policyOf('life/unknown-reader')).toBeUndefined();
  });

  it('takes a known role, an account by id or root ARN, and a service principal without registering them', async () => {
    // Arrange
    await createSecret('life/known-readers');
    const principals = [
      { AWS: READER_ROLE },
      { AWS: '210987654321' },
      { AWS: 'arn:aws:iam::210987654321:root' },
      { Service: 'lambda.amazonaws.com' },
    ];

    // Act
    for (const principal of principals) {
      await secrets.send(
        new PutResourcePolicyCommand({ SecretId: 'life/known-readers', ResourcePolicy: policy(principal) }),
      );
    }

    // Assert
    expect(aws.secrets.policyOf('life/known-readers')).toBe(policy(principals.at(-1)));
  });

  it('refuses a policy that is not JSON or has no Statement with MalformedPolicyDocumentException', async () => {
    // Arrange
    await createSecret('life/malformed');

    // Act
    const errors = await Promise.all(
      ['not json', JSON.stringify({ Version: '2012-10-17' }), '[]'].map((document) =>
        rejection(
          secrets.send(
            new PutResourcePolicyCommand({ SecretId: 'life/malformed', ResourcePolicy: document }),
          ),
        ),
      ),
    );

    // Assert
    for (const error of errors) {
      expect(error).toBeInstanceOf(MalformedPolicyDocumentException);
    }
    expect(aws.secrets.policyOf('life/malformed')).toBeUndefined();
  });

  it('blocks a policy open to any principal with PublicPolicyException unless a condition narrows it', async () => {
    // Arrange
    await createSecret('life/public');

    // Act
    const blocked = await Promise.all(
      ['*', { AWS: '*' }, { AWS: [READER_ROLE, '*'] }].map((principal) =>
        rejection(
          secrets.send(
            new PutResourcePolicyCommand({
              SecretId: 'life/public',
              ResourcePolicy: policy(principal),
              BlockPublicPolicy: true,
            }),
          ),
        ),
      ),
    );
    const narrowed = policy('*', { StringEquals: { 'aws:PrincipalAccount': '123456789012' } });
    await secrets.send(
      new PutResourcePolicyCommand({
        SecretId: 'life/public',
        ResourcePolicy: narrowed,
        BlockPublicPolicy: true,
      }),
    );

    // Assert
    for (const error of blocked) {
      expect(error).toBeInstanceOf(PublicPolicyException);
    }
    expect(aws.secrets.policyOf('life/public')).toBe(narrowed);
  });
});

describe('Secrets Manager DeleteSecret', () => {
  it('removes a secret at once with ForceDeleteWithoutRecovery, so every later call gets ResourceNotFoundException', async () => {
    // Arrange
    const { ARN } = await createSecret('life/forced');

    // Act
    const deleted = await secrets.send(
      new DeleteSecretCommand({ SecretId: 'life/forced', ForceDeleteWithoutRecovery: true }),
    );
    const described = await rejection(secrets.send(new DescribeSecretCommand({ SecretId: ARN })));
    const read = await rejection(secrets.send(new GetSecretValueCommand({ SecretId: 'life/forced' })));

    // Assert
    expect(deleted).toMatchObject({ ARN, Name: 'life/forced' });
    expect(deleted.DeletionDate).toBeInstanceOf(Date);
    expect(described).toBeInstanceOf(ResourceNotFoundException);
    expect(read).toBeInstanceOf(ResourceNotFoundException);
    expect(aws.secrets.exists('life/forced')).toBe(false);
    expect(aws.secrets.names()).not.toContain('life/forced');
  });

  it('schedules a deletion with a DeletedDate, refuses the value as marked for deletion, and restores it', async () => {
    // Arrange
    await createSecret('life/scheduled');
    const before = Date.now();

    // Act
    const deleted = await secrets.send(
      new DeleteSecretCommand({ SecretId: 'life/scheduled', RecoveryWindowInDays: 7 }),
    );
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: 'life/scheduled' }));
    const read = await rejection(secrets.send(new GetSecretValueCommand({ SecretId: 'life/scheduled' })));
    await secrets.send(new RestoreSecretCommand({ SecretId: 'life/scheduled' }));
    const restored = await secrets.send(new GetSecretValueCommand({ SecretId: 'life/scheduled' }));

    // Assert
    const days = ((deleted.DeletionDate?.getTime() ?? 0) - before) / (24 * 60 * 60 * 1000);
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    expect(described.DeletedDate).toBeInstanceOf(Date);
    expect(read).toBeInstanceOf(InvalidRequestException);
    expect((read as Error).message).toMatch(/marked for deletion/);
    expect(aws.secrets.exists('life/scheduled')).toBe(true);
    expect(restored.SecretString).toBe(VALUE);
  });

  it('refuses ForceDeleteWithoutRecovery together with RecoveryWindowInDays with InvalidParameterException', async () => {
    // Arrange
    await createSecret('life/both');

    // Act
    const error = await rejection(
      secrets.send(
        new DeleteSecretCommand({
          SecretId: 'life/both',
          ForceDeleteWithoutRecovery: true,
          RecoveryWindowInDays: 7,
        }),
      ),
    );

    // Assert
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(aws.secrets.exists('life/both')).toBe(true);
  });
});

describe('Secrets Manager ListSecrets', () => {
  it('filters by name prefix and tag key, leaves out secrets scheduled for deletion, and pages with a NextToken', async () => {
    // Arrange
    await createSecret('grants/alice/1', [{ Key: 'grant', Value: 'g-1' }]);
    await createSecret('grants/alice/2', [{ Key: 'grant', Value: 'g-2' }]);
    await createSecret('grants/bob/1');
    await createSecret('other/grants/alice');
    await createSecret('grants/alice/3');
    await secrets.send(new DeleteSecretCommand({ SecretId: 'grants/alice/3' }));

    // Act
    const byPrefix = await secrets.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['grants/alice/'] }] }),
    );
    const byTag = await secrets.send(
      new ListSecretsCommand({
        Filters: [
          { Key: 'name', Values: ['grants/'] },
          { Key: 'tag-key', Values: ['grant'] },
        ],
      }),
    );
    const withDeleted = await secrets.send(
      new ListSecretsCommand({
        Filters: [{ Key: 'name', Values: ['grants/alice/'] }],
        IncludePlannedDeletion: true,
      }),
    );
    const first = await secrets.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['grants/'] }], MaxResults: 2 }),
    );
    const second = await secrets.send(
      new ListSecretsCommand({
        Filters: [{ Key: 'name', Values: ['grants/'] }],
        MaxResults: 2,
        NextToken: first.NextToken,
      }),
    );

    // Assert
    expect(byPrefix.SecretList?.map((secret) => secret.Name)).toEqual(['grants/alice/1', 'grants/alice/2']);
    expect(byPrefix.SecretList?.[0]).toMatchObject({ Tags: [{ Key: 'grant', Value: 'g-1' }] });
    expect(byTag.SecretList?.map((secret) => secret.Name)).toEqual(['grants/alice/1', 'grants/alice/2']);
    expect(withDeleted.SecretList?.map((secret) => secret.Name)).toEqual([
      'grants/alice/1',
      'grants/alice/2',
      'grants/alice/3',
    ]);
    expect(withDeleted.SecretList?.[2]?.DeletedDate).toBeInstanceOf(Date);
    expect(first.SecretList).toHaveLength(2);
    expect(second.SecretList?.map((secret) => secret.Name)).toEqual(['grants/bob/1']);
    expect(second.NextToken).toBeUndefined();
  });
});

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import type { CredentialRotation } from '../../lib/constructs/credential-rotation';
import { synthStack } from '../support/synth';
import { allStatements, asList, onlyLogicalId, wildcardStatements } from '../support/template';

const ACCOUNT = '111122223333';
const REGION = 'ap-southeast-2';
const WRITER_USER = `arn:aws:elasticache:${REGION}:${ACCOUNT}:user:app-writer`;
const WRITER_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cache/app-writer-AbCdEf`;
const READER_USER = `arn:aws:memorydb:${REGION}:${ACCOUNT}:user/app-reader`;
const WRITER_ENDPOINT = { host: 'master.writer.abc123.apse2.cache.amazonaws.com', port: 6380, tls: true };
const NETWORK = {
  vpcId: 'vpc-0123456789abcdef0',
  availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'],
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
  securityGroupIds: ['sg-0123456789abcdef0', 'sg-0fedcba9876543210'],
};
const ENI_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

interface Options {
  readonly network?: boolean;
  readonly readerUsername?: string;
  /** Lists the reader before the writer. */
  readonly reversed?: boolean;
}

const outdirs: string[] = [];

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** A stack for one ElastiCache user with an existing secret and one MemoryDB user whose secret the stack creates. */
function synth(options: Options = {}) {
  const config = {
    rotation: {
      schedule: 'rate(7 days)',
      window: '3h',
      passwordLength: 48,
      ...(options.network ? { network: NETWORK } : {}),
      targets: [
        { userArn: WRITER_USER, secretArn: WRITER_SECRET, endpoint: WRITER_ENDPOINT },
        { userArn: READER_USER, ...(options.readerUsername ? { username: options.readerUsername } : {}) },
      ][options.reversed ? 'reverse' : 'slice'](),
    },
  };
  const outdir = mkdtempSync(join(tmpdir(), 'cache-access-stack-'));
  outdirs.push(outdir);
  return synthStack(config, { outdir });
}

const withNetwork = synth({ network: true });
const withoutNetwork = synth({ readerUsername: 'reader-svc' });

/** Every key named `name` anywhere in a JSON value. */
function keysNamed(value: unknown, name: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => keysNamed(item, name));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [
    ...(key === name ? [key] : []),
    ...keysNamed(child, name),
  ]);
}

describe('CacheAccessStack', () => {
  it('synthesizes without running esbuild, so no bundled asset directory is written', () => {
    // Arrange
    const { app } = withNetwork;

    // Act
    const entries = readdirSync(app.outdir);

    // Assert
    expect(entries).toContain('CacheAccess.template.json');
    expect(entries.filter((entry) => entry.startsWith('asset.'))).toEqual([]);
  });

  it('deploys to the account and region of the configured ARNs', () => {
    // Arrange
    const { stack } = withNetwork;

    // Act
    const { account, region } = stack;

    // Assert
    expect(account).toBe(ACCOUNT);
    expect(region).toBe(REGION);
  });

  it('runs one Node.js 24 function on arm64 with a 15-minute timeout', () => {
    // Arrange
    const { template } = withNetwork;

    // Act
    const functions = template.findResources('AWS::Lambda::Function');

    // Assert
    expect(Object.keys(functions)).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 900,
    });
  });

  it('bundles every secret and user it may rotate, a created secret by its logical id, and names the stack that lists it', () => {
    // Arrange
    const { template, stack } = withNetwork;
    const createdSecret = onlyLogicalId(template, 'AWS::SecretsManager::Secret');
    const rotation = stack.node.findChild('Rotation') as CredentialRotation;

    // Act
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
    const variables = fn?.Properties.Environment.Variables;
    const file = JSON.parse(rotation.shards[0]?.handler.bundledFiles['rotation-targets.json'] ?? '{}');

    // Assert
    expect(file).toEqual({
      targets: [
        { secretArn: WRITER_SECRET, userArn: WRITER_USER, endpoint: WRITER_ENDPOINT },
        { secretLogicalId: createdSecret, userArn: READER_USER },
      ],
    });
    expect(variables).toEqual({
      POWERTOOLS_LOG_LEVEL: 'INFO',
      PASSWORD_LENGTH: '48',
      ROTATION_STACK_ID: { Ref: 'AWS::StackId' },
    });
  });

  it('grants the four rotation actions on exactly the two secrets and each engine its two user actions on exactly its user', () => {
    // Arrange
    const { template } = withNetwork;
    const createdSecret = onlyLogicalId(template, 'AWS::SecretsManager::Secret');

    // Act
    const rotationPolicies = template.findResources('AWS::IAM::Policy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: Match.arrayWith(['secretsmanager:PutSecretValue']) }),
          ]),
        },
      },
    });

    // Assert
    expect(Object.keys(rotationPolicies)).toHaveLength(1);
    expect(Object.values(rotationPolicies)[0]?.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'RotateConfiguredSecrets',
        Effect: 'Allow',
        Action: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        Resource: [WRITER_SECRET, { Ref: createdSecret }],
      },
      {
        Sid: 'ChangeElastiCacheUserPasswords',
        Effect: 'Allow',
        Action: ['elasticache:DescribeUsers', 'elasticache:ModifyUser'],
        Resource: WRITER_USER,
      },
      {
        Sid: 'ChangeMemoryDbUserPasswords',
        Effect: 'Allow',
        Action: ['memorydb:DescribeUsers', 'memorydb:UpdateUser'],
        Resource: READER_USER,
      },
      {
        Sid: 'FindCreatedSecrets',
        Effect: 'Allow',
        Action: 'cloudformation:ListStackResources',
        Resource: { Ref: 'AWS::StackId' },
      },
    ]);
  });

  it('grants secret, ElastiCache and MemoryDB actions in no statement but the rotation policy ones', () => {
    // Arrange
    const { template } = withNetwork;

    // Act
    const actions = allStatements(template).flatMap(({ statement }) => asList(statement.Action));

    // Assert
    const serviceActions = actions.filter((action) =>
      /^(secretsmanager|elasticache|memorydb):/.test(String(action)),
    );
    expect(serviceActions.sort()).toEqual(
      [
        'elasticache:DescribeUsers',
        'elasticache:ModifyUser',
        'memorydb:DescribeUsers',
        'memorydb:UpdateUser',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ].sort(),
    );
    expect(actions).not.toContain('secretsmanager:GetRandomPassword');
  });

  it('allows a wildcard resource only for the VPC network interface actions when a network is configured', () => {
    // Arrange
    const { template } = withNetwork;

    // Act
    // A key policy's Resource "*" means the key itself; every other statement must name its resources.
    const wildcards = wildcardStatements(template);

    // Assert
    expect(wildcards).toHaveLength(1);
    expect(wildcards[0]?.type).toBe('AWS::IAM::Policy');
    expect(wildcards[0]?.statement).toEqual({ Effect: 'Allow', Action: ENI_ACTIONS, Resource: '*' });
  });

  it('has no statement with a wildcard resource when no network is configured', () => {
    // Arrange
    const { template } = withoutNetwork;

    // Act
    const wildcards = wildcardStatements(template);

    // Assert
    expect(wildcards).toEqual([]);
    expect(allStatements(template).flatMap(({ statement }) => asList(statement.Action))).not.toEqual(
      expect.arrayContaining(['ec2:CreateNetworkInterface']),
    );
  });

  it('lets Secrets Manager invoke the function from the stack account only, without tying it to one secret', () => {
    // Arrange
    const { template } = withNetwork;
    const fn = onlyLogicalId(template, 'AWS::Lambda::Function');

    // Act
    const permissions = template.findResources('AWS::Lambda::Permission');

    // Assert
    expect(Object.keys(permissions)).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: ACCOUNT,
      SourceArn: Match.absent(),
    });
  });

  it('schedules each secret with the configured rotation rules once the permission and policy exist', () => {
    // Arrange
    const { template } = withNetwork;
    const fn = onlyLogicalId(template, 'AWS::Lambda::Function');
    const createdSecret = onlyLogicalId(template, 'AWS::SecretsManager::Secret');
    const permission = onlyLogicalId(template, 'AWS::Lambda::Permission');
    const [rotationPolicy] = Object.keys(
      template.findResources('AWS::IAM::Policy', {
        Properties: {
          PolicyDocument: {
            Statement: Match.arrayWith([Match.objectLike({ Sid: 'RotateConfiguredSecrets' })]),
          },
        },
      }),
    );

    // Act
    const schedules = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'));

    // Assert
    expect(schedules.map((schedule) => schedule.Properties.SecretId)).toEqual([
      WRITER_SECRET,
      { Ref: createdSecret },
    ]);
    for (const schedule of schedules) {
      expect(schedule.Properties).toMatchObject({
        RotationLambdaARN: { 'Fn::GetAtt': [fn, 'Arn'] },
        RotationRules: { ScheduleExpression: 'rate(7 days)', Duration: '3h' },
        RotateImmediatelyOnUpdate: true,
      });
      expect(schedule.DependsOn).toEqual(expect.arrayContaining([permission, rotationPolicy]));
    }
  });

  it('creates the missing secret from a template with the username and user ARN, never with a password', () => {
    // Arrange
    const { template } = withNetwork;

    // Act
    const secret = Object.values(template.findResources('AWS::SecretsManager::Secret'))[0];
    const generate = secret?.Properties.GenerateSecretString;

    // Assert
    expect(JSON.parse(generate.SecretStringTemplate)).toEqual({
      username: 'app-reader',
      user_arn: READER_USER,
    });
    expect(generate).toMatchObject({
      GenerateStringKey: 'password',
      PasswordLength: 48,
      IncludeSpace: false,
    });
    for (const character of [',', '"', '/', '@', "'", '`', '\\', ' ']) {
      expect(generate.ExcludeCharacters, `excluded characters`).toContain(character);
    }
  });

  it('puts a configured username override into the created secret', () => {
    // Arrange
    const { template } = withoutNetwork;

    // Act
    const secret = Object.values(template.findResources('AWS::SecretsManager::Secret'))[0];

    // Assert
    expect(JSON.parse(secret?.Properties.GenerateSecretString.SecretStringTemplate)).toEqual({
      username: 'reader-svc',
      user_arn: READER_USER,
    });
  });

  it('puts no secret value anywhere in the template', () => {
    // Arrange
    const templates = [withNetwork.template.toJSON(), withoutNetwork.template.toJSON()];

    // Act
    const secretStrings = templates.flatMap((template) => keysNamed(template, 'SecretString'));

    // Assert
    expect(secretStrings).toEqual([]);
  });

  it('sends the function logs to its own log group with a retention period', () => {
    // Arrange
    const { template } = withNetwork;

    // Act
    const logGroup = onlyLogicalId(template, 'AWS::Logs::LogGroup');

    // Assert
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: logGroup } },
    });
  });

  it('places the function in the configured subnets and security groups', () => {
    // Arrange
    const { template } = withNetwork;

    // Act & Assert
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: NETWORK.subnetIds, SecurityGroupIds: NETWORK.securityGroupIds },
    });
  });

  it('leaves the function outside any VPC when no network is configured', () => {
    // Arrange
    const { template } = withoutNetwork;

    // Act & Assert
    template.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.absent() });
  });

  it('routes every failed and abandoned rotation to the alert topic, naming no secret so the pattern stays small', () => {
    // Arrange
    const { template } = withNetwork;
    const topic = onlyLogicalId(template, 'AWS::SNS::Topic');

    // Act
    const rules = template.findResources('AWS::Events::Rule');

    // Assert
    expect(Object.keys(rules)).toHaveLength(1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.secretsmanager'],
        'detail-type': ['AWS Service Event via CloudTrail'],
        detail: { eventName: ['RotationFailed', 'TestRotationFailed', 'RotationAbandoned'] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: topic } })],
    });
    expect(JSON.stringify(rules)).not.toContain('secretsmanager:');
  });

  it('encrypts the alert topic with a rotating customer managed key and refuses publishing without TLS', () => {
    // Arrange
    const { template } = withNetwork;
    const key = onlyLogicalId(template, 'AWS::KMS::Key');
    const topic = onlyLogicalId(template, 'AWS::SNS::Topic');

    // Act & Assert
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Resource: { Ref: topic },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('alarms on any function error and notifies the alert topic', () => {
    // Arrange
    const { template } = withNetwork;
    const fn = onlyLogicalId(template, 'AWS::Lambda::Function');
    const topic = onlyLogicalId(template, 'AWS::SNS::Topic');

    // Act & Assert
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topic }],
    });
  });

  it('keeps the logical ids of secrets and schedules when targets are reordered, so no secret is replaced', () => {
    // Arrange
    const ids = (template: Template) =>
      ['AWS::SecretsManager::Secret', 'AWS::SecretsManager::RotationSchedule'].flatMap((type) =>
        Object.keys(template.findResources(type)).sort(),
      );

    // Act
    const reordered = synth({ readerUsername: 'reader-svc', reversed: true });

    // Assert
    expect(ids(reordered.template)).toEqual(ids(withoutNetwork.template));
  });

  it('keeps a created secret when the stack is deleted, since it holds a live password', () => {
    withoutNetwork.template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('creates the function only after its network interface permissions exist', () => {
    // Arrange
    const { template } = withNetwork;
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ENI_ACTIONS })]) },
      },
    });

    // Act & Assert
    expect(Object.keys(policies)).toHaveLength(1);
    template.hasResource('AWS::Lambda::Function', { DependsOn: Match.arrayWith(Object.keys(policies)) });
  });

  it("warns at synth that a created secret takes over the user's passwords on deploy", () => {
    Annotations.fromStack(withoutNetwork.stack).hasWarning(
      '/CacheAccess/Rotation',
      Match.stringLikeRegexp(
        `creates the secret of ${READER_USER} and rotates it on deploy: the user's current passwords stop working`,
      ),
    );
  });
});

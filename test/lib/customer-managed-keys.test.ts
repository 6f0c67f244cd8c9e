import { describe, expect, it } from 'vitest';
import { configErrorOf, problemAt } from '../support/config';
import { synthStack } from '../support/synth';
import { allStatements } from '../support/template';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const WRITER = `arn:aws:elasticache:${REGION}:${ACCOUNT}:user:app-writer`;
const WRITER_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:app-writer-AbCdEf`;
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9`;

const withKey = (kmsKeyArn: string, extra: Record<string, unknown> = { secretArn: WRITER_SECRET }) => ({
  rotation: { targets: [{ userArn: WRITER, kmsKeyArn, ...extra }] },
});

describe('existing secrets encrypted with a customer managed key', () => {
  it('lets the rotation function use the key only through Secrets Manager in the stack region', () => {
    // Arrange
    const { template } = synthStack(withKey(KEY), { id: 'Keys' });

    // Act
    const kms = allStatements(template).filter(
      ({ type, statement }) => type !== 'AWS::KMS::Key' && JSON.stringify(statement.Action).includes('kms:'),
    );

    // Assert
    expect(kms.map(({ statement }) => statement)).toEqual([
      {
        Sid: 'UseSecretKeysThroughSecretsManager',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: KEY,
        Condition: {
          StringEquals: {
            'kms:ViaService': { 'Fn::Join': ['', [`secretsmanager.${REGION}.`, { Ref: 'AWS::URLSuffix' }]] },
          },
        },
      },
    ]);
  });

  it('grants no key use without a kmsKeyArn', () => {
    const config = { rotation: { targets: [{ userArn: WRITER, secretArn: WRITER_SECRET }] } };
    const { template } = synthStack(config, { id: 'NoKeys' });

    const statements = allStatements(template).filter(({ type }) => type !== 'AWS::KMS::Key');

    expect(JSON.stringify(statements)).not.toContain('kms:Decrypt');
  });

  it.each([
    [
      'an alias',
      `arn:aws:kms:${REGION}:${ACCOUNT}:alias/cache-secrets`,
      'expected arn:aws:kms:<region>:<account>:key/<key id>',
    ],
    [
      'a key id alone',
      '0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9',
      'expected arn:aws:kms:<region>:<account>:key/<key id>',
    ],
    [
      'a key in another region',
      KEY.replace(REGION, 'us-east-1'),
      `expected a key in account ${ACCOUNT} and region ${REGION}, where its user is`,
    ],
  ])('refuses %s, naming the value', (_, kmsKeyArn, message) => {
    expect(problemAt(configErrorOf(withKey(kmsKeyArn)), '$.rotation.targets[0].kmsKeyArn')).toContain(
      message,
    );
  });

  it('refuses a kmsKeyArn for a secret the stack creates, which uses the AWS managed key', () => {
    expect(problemAt(configErrorOf(withKey(KEY, {})), '$.rotation.targets[0].kmsKeyArn')).toContain(
      'kmsKeyArn only applies to an existing secret (secretArn)',
    );
  });
});

import { createHash } from 'node:crypto';
import { ACCOUNT } from '../account';
import type { SecretStore } from '../secrets/store';
import type { Input } from '../wire/input';
import {
  type Authorization,
  type ConditionValues,
  type RequestScope,
  requestTagContext,
  resourceTagContext,
  type ServiceAuthorizations,
} from './types';

/** The AWS managed key: its policy is AWS's, and a secret under it needs no KMS permission of the caller. */
const AWS_MANAGED_KEY = 'alias/aws/secretsmanager';

type KmsUse = 'decrypt' | 'encrypt' | undefined;

/**
 * Secrets Manager authorizes on the secret's ARN (with its six-character suffix) under the secret's own
 * resource policy; a secret under a customer managed key also needs the caller to use that key through
 * Secrets Manager (`kms:ViaService`): Decrypt to read a value, GenerateDataKey to write one.
 */
export function secretsManagerAuthorizations(secrets: SecretStore): ServiceAuthorizations {
  const onSecret =
    (operation: string, kms: KmsUse, extra: (input: Input) => ConditionValues = () => ({})) =>
    (input: Input, { region }: RequestScope): Authorization[] => {
      const secretId = input.string('SecretId') ?? '';
      const found = existing(secrets, secretId);
      const resource = found?.arn ?? (secretId.startsWith('arn:') ? secretId : secretArn(region, secretId));
      const tags = Object.fromEntries((found?.tags ?? []).map(({ Key, Value }) => [Key, Value]));
      const context = {
        ...resourceTagContext(tags),
        'secretsmanager:SecretId': secretId,
        ...extra(input),
      };
      const resourcePolicy = found ? secrets.policyOf(found.arn) : undefined;
      return [
        {
          action: `secretsmanager:${operation}`,
          resource,
          context,
          ...(resourcePolicy && { resourcePolicy }),
        },
        ...keyUse(kms, found?.kmsKeyId, resource, region),
      ];
    };
  return {
    CreateSecret: (input, { region }) => {
      const name = input.string('Name') ?? '';
      const tags = Object.fromEntries(
        (input.structs('Tags') ?? []).map((tag) => [tag.string('Key') ?? '', tag.string('Value') ?? '']),
      );
      const resource = secretArn(region, name, standInSuffix(name));
      const context = {
        ...requestTagContext(tags),
        'secretsmanager:Name': name,
        ...(input.string('KmsKeyId') && { 'secretsmanager:KmsKeyId': input.string('KmsKeyId') ?? '' }),
      };
      const writesValue =
        input.peek('SecretString') !== undefined || input.peek('SecretBinary') !== undefined;
      return [
        { action: 'secretsmanager:CreateSecret', resource, context },
        ...(Object.keys(tags).length > 0
          ? [{ action: 'secretsmanager:TagResource', resource, context }]
          : []),
        ...keyUse(writesValue ? 'encrypt' : undefined, input.string('KmsKeyId'), resource, region),
      ];
    },
    DescribeSecret: onSecret('DescribeSecret', undefined),
    GetSecretValue: onSecret('GetSecretValue', 'decrypt', (input) => ({
      ...(input.string('VersionId') && { 'secretsmanager:VersionId': input.string('VersionId') ?? '' }),
      ...(input.string('VersionStage') && {
        'secretsmanager:VersionStage': input.string('VersionStage') ?? '',
      }),
    })),
    PutSecretValue: onSecret('PutSecretValue', 'encrypt'),
    UpdateSecretVersionStage: onSecret('UpdateSecretVersionStage', undefined),
    PutResourcePolicy: onSecret('PutResourcePolicy', undefined, (input) => ({
      'secretsmanager:BlockPublicPolicy': String(input.boolean('BlockPublicPolicy') ?? false),
    })),
    DeleteResourcePolicy: onSecret('DeleteResourcePolicy', undefined),
    DeleteSecret: onSecret('DeleteSecret', undefined, (input) => ({
      'secretsmanager:ForceDeleteWithoutRecovery': String(
        input.boolean('ForceDeleteWithoutRecovery') ?? false,
      ),
      ...(input.integer('RecoveryWindowInDays') !== undefined && {
        'secretsmanager:RecoveryWindowInDays': String(input.integer('RecoveryWindowInDays')),
      }),
    })),
    RestoreSecret: onSecret('RestoreSecret', undefined),
    TagResource: onSecret('TagResource', undefined),
    ListSecrets: () => [{ action: 'secretsmanager:ListSecrets', resource: '*', context: {} }],
  };
}

function existing(secrets: SecretStore, secretId: string) {
  if (!secrets.exists(secretId)) return undefined;
  return secrets.describe(secretId);
}

const secretArn = (region: string, name: string, suffix?: string) =>
  `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}${suffix ? `-${suffix}` : ''}`;

/**
 * The suffix CreateSecret will draw is not known before the call; IAM sees a full ARN, so the call is
 * authorized on one of the same form.
 */
const standInSuffix = (name: string) =>
  createHash('sha256').update(name).digest('base64url').replace(/[-_]/g, 'x').slice(0, 6);

/** The KMS call Secrets Manager makes on the caller's behalf for a customer managed key. */
function keyUse(use: KmsUse, keyId: string | undefined, secret: string, region: string): Authorization[] {
  if (use === undefined || keyId === undefined || keyId === AWS_MANAGED_KEY) return [];
  const resource = keyId.startsWith('arn:') ? keyId : `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`;
  return [
    {
      action: use === 'decrypt' ? 'kms:Decrypt' : 'kms:GenerateDataKey',
      resource,
      context: {
        'kms:ViaService': `secretsmanager.${region}.amazonaws.com`,
        'kms:CallerAccount': ACCOUNT,
        'kms:EncryptionContext:SecretARN': secret,
      },
    },
  ];
}

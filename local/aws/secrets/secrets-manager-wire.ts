import type { ServiceModule } from '../dispatch';
import { MEMORYDB_PAGING, page } from '../pages';
import { ServiceError } from '../wire/errors';
import { type Input, requiredString } from '../wire/input';
import type { SecretRotations } from './rotation';
import type { SecretStore } from './store';
import { LIST_FILTER_KEYS, type ListFilter, type SecretState, type SecretTag } from './types';

/** ListSecrets pages like MemoryDB: MaxResults 1-100 and a NextToken. */
const LIST_PAGING = MEMORYDB_PAGING;

/** Secrets Manager over awsJson1_1: secrets, their values and staging labels, policies and deletion. */
export function secretsManager(secrets: SecretStore, rotations: SecretRotations): ServiceModule {
  return {
    service: 'secretsmanager',
    // Every error this service models is spelt the same in JSON as its shape name, with status 400.
    faults: [],
    safeParams: [
      'SecretId',
      'Name',
      'ClientRequestToken',
      'VersionId',
      'VersionStage',
      'VersionStages',
      'MoveToVersionId',
      'RemoveFromVersionId',
      'Description',
      'KmsKeyId',
      // A policy names principals and actions, nothing secret.
      'ResourcePolicy',
      'NextToken',
    ],
    operations: {
      CreateSecret: (input, { region }) => {
        const { arn, name, versionId } = secrets.create({
          name: requiredString(input, 'Name'),
          region,
          description: input.string('Description'),
          kmsKeyId: input.string('KmsKeyId'),
          tags: tagsFrom(input),
          value: input.string('SecretString'),
          versionId: input.string('ClientRequestToken'),
        });
        return { ARN: arn, Name: name, VersionId: versionId };
      },
      DescribeSecret: (input) => {
        const secret = secrets.describe(requiredString(input, 'SecretId'));
        return {
          ...listed(secret),
          ...rotations.described(secret.arn),
          VersionIdsToStages: secrets.stagesOf(secret.arn),
        };
      },
      GetSecretValue: (input) => {
        const version = secrets.getValue(
          requiredString(input, 'SecretId'),
          input.string('VersionId'),
          input.string('VersionStage'),
        );
        return {
          ARN: version.arn,
          Name: version.name,
          VersionId: version.versionId,
          SecretString: version.value,
          VersionStages: version.stages,
          CreatedDate: version.createdAt / 1000,
        };
      },
      PutSecretValue: (input) => {
        const secretId = requiredString(input, 'SecretId');
        const token = requiredString(input, 'ClientRequestToken');
        const value = input.string('SecretString');
        if (value === undefined) {
          throw new ServiceError('InvalidParameterException', 'You must provide SecretString.');
        }
        const version = secrets.putValue(secretId, token, value, input.strings('VersionStages'));
        return {
          ARN: version.arn,
          Name: version.name,
          VersionId: version.versionId,
          VersionStages: version.stages,
        };
      },
      UpdateSecretVersionStage: (input) =>
        named(
          secrets.moveStage(requiredString(input, 'SecretId'), {
            stage: requiredString(input, 'VersionStage'),
            moveTo: input.string('MoveToVersionId'),
            removeFrom: input.string('RemoveFromVersionId'),
          }),
        ),
      PutResourcePolicy: (input) =>
        named(
          secrets.putPolicy(
            requiredString(input, 'SecretId'),
            requiredString(input, 'ResourcePolicy'),
            input.boolean('BlockPublicPolicy') === true,
          ),
        ),
      GetResourcePolicy: (input) => {
        const secretId = requiredString(input, 'SecretId');
        return { ...named(secrets.describe(secretId)), ResourcePolicy: secrets.policyOf(secretId) };
      },
      DeleteResourcePolicy: (input) => named(secrets.deletePolicy(requiredString(input, 'SecretId'))),
      DeleteSecret: (input) => {
        const { deletionDate, ...secret } = secrets.delete(
          requiredString(input, 'SecretId'),
          input.boolean('ForceDeleteWithoutRecovery') === true,
          input.integer('RecoveryWindowInDays'),
        );
        return { ...named(secret), DeletionDate: deletionDate / 1000 };
      },
      RestoreSecret: (input) => named(secrets.restore(requiredString(input, 'SecretId'))),
      // The values of one filter are alternatives, each a prefix.
      ListSecrets: (input) => {
        const filters = (input.structs('Filters') ?? []).map(filterFrom);
        const matching = secrets.list(filters, input.boolean('IncludePlannedDeletion') === true);
        const { items, next } = secretsManagerFault(() => page(matching, input, LIST_PAGING));
        return { SecretList: items.map(listed), NextToken: next };
      },
    },
  };
}

function named(secret: { readonly arn: string; readonly name: string }) {
  return { ARN: secret.arn, Name: secret.name };
}

/** What DescribeSecret and ListSecrets both say of a secret. */
function listed(secret: SecretState) {
  return {
    ...named(secret),
    Description: secret.description,
    KmsKeyId: secret.kmsKeyId,
    RotationEnabled: secret.rotationEnabled,
    Tags: secret.tags,
    DeletedDate: secret.deletedAt === undefined ? undefined : secret.deletedAt / 1000,
  };
}

// The shared paging helper names ElastiCache's and MemoryDB's fault; Secrets Manager calls it otherwise.
function secretsManagerFault<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ServiceError && error.code === 'InvalidParameterValueException') {
      throw new ServiceError('InvalidParameterException', error.message);
    }
    throw error;
  }
}

function tagsFrom(input: Input): SecretTag[] {
  return (input.structs('Tags') ?? []).map((tag, index) => {
    const key = tag.string('Key');
    if (key === undefined || key === '') {
      throw new ServiceError('InvalidParameterException', `Tag ${index + 1} has no Key.`);
    }
    return { Key: key, Value: tag.string('Value') ?? '' };
  });
}

function filterFrom(filter: Input): ListFilter {
  const key = filter.string('Key');
  const known = LIST_FILTER_KEYS.find((candidate) => candidate === key);
  if (known === undefined) {
    throw new ServiceError(
      'InvalidParameterException',
      `Filter key ${key ?? '(none)'} is not supported; local AWS filters by ${LIST_FILTER_KEYS.join(', ')}.`,
    );
  }
  return { key: known, values: filter.strings('Values') ?? [] };
}

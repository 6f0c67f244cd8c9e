import { randomInt, randomUUID } from 'node:crypto';
import { ACCOUNT } from './account';
import type { ServiceModule } from './dispatch';
import { MEMORYDB_PAGING, page } from './pages';
import { type Input, requiredString, ServiceError } from './wire';

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const PENDING = 'AWSPENDING';
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const DAY_MS = 24 * 60 * 60 * 1000;
const MIN_RECOVERY_DAYS = 7;
const MAX_RECOVERY_DAYS = 30;
/** ListSecrets pages like MemoryDB: MaxResults 1-100 and a NextToken. */
const LIST_PAGING = MEMORYDB_PAGING;
const LIST_FILTER_KEYS = ['name', 'description', 'tag-key', 'tag-value', 'all'] as const;

/** The controls tests get for what Secrets Manager does outside its API. */
export interface SecretsHarness {
  /** Registers `token` as an empty AWSPENDING version, as Secrets Manager does before invoking a rotation. */
  beginRotation(secretId: string, token: string): void;
  /** Version id → staging labels. */
  stagesOf(secretId: string): Record<string, string[]>;
  valueOf(secretId: string, versionId: string): string | undefined;
  setRotationEnabled(secretId: string, enabled: boolean): void;
  /** The resource policy document as PutResourcePolicy stored it, if any. */
  policyOf(secretId: string): string | undefined;
  /** Whether the secret exists, also while it is scheduled for deletion; a force-deleted one does not. */
  exists(secretId: string): boolean;
  /** The names of every secret that exists, in creation order. */
  names(): string[];
}

interface SecretVersion {
  value: string | undefined;
  readonly stages: Set<string>;
  readonly createdAt: number;
}

interface Secret {
  readonly arn: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly kmsKeyId: string | undefined;
  tags: readonly { readonly Key: string; readonly Value: string }[];
  rotationEnabled: boolean;
  readonly versions: Map<string, SecretVersion>;
  policy: string | undefined;
  /** Epoch milliseconds of the DeleteSecret that scheduled the deletion. */
  deletedAt: number | undefined;
}

export class SecretStore implements SecretsHarness {
  private secrets: Secret[] = [];

  readonly module: ServiceModule = {
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
      CreateSecret: (input, { region }) => this.createSecret(input, region),
      DescribeSecret: (input) => this.describeSecret(input),
      GetSecretValue: (input) => this.getSecretValue(input),
      PutSecretValue: (input) => this.putSecretValue(input),
      UpdateSecretVersionStage: (input) => this.updateSecretVersionStage(input),
      PutResourcePolicy: (input) => this.putResourcePolicy(input),
      GetResourcePolicy: (input) => this.getResourcePolicy(input),
      DeleteResourcePolicy: (input) => this.deleteResourcePolicy(input),
      DeleteSecret: (input) => this.deleteSecret(input),
      RestoreSecret: (input) => this.restoreSecret(input),
      ListSecrets: (input) => this.listSecrets(input),
    },
  };

  beginRotation(secretId: string, token: string): void {
    const secret = this.find(secretId);
    const pending = holderOf(secret, PENDING);
    if (pending === token) {
      return;
    }
    if (pending !== undefined && !secret.versions.get(pending)?.stages.has(CURRENT)) {
      throw new ServiceError(
        'InvalidRequestException',
        "A previous rotation isn't complete. That rotation will be reattempted.",
      );
    }
    if (secret.versions.has(token)) {
      throw new Error(`secret ${secret.name} already has a version ${token}`);
    }
    secret.versions.set(token, { value: undefined, stages: new Set(), createdAt: Date.now() });
    attach(secret, PENDING, token);
  }

  stagesOf(secretId: string): Record<string, string[]> {
    const { versions } = this.find(secretId);
    return Object.fromEntries([...versions].map(([id, version]) => [id, [...version.stages]]));
  }

  valueOf(secretId: string, versionId: string): string | undefined {
    return this.find(secretId).versions.get(versionId)?.value;
  }

  setRotationEnabled(secretId: string, enabled: boolean): void {
    this.find(secretId).rotationEnabled = enabled;
  }

  policyOf(secretId: string): string | undefined {
    return this.find(secretId).policy;
  }

  exists(secretId: string): boolean {
    return this.lookup(secretId) !== undefined;
  }

  names(): string[] {
    return this.secrets.map((secret) => secret.name);
  }

  private createSecret(input: Input, region: string) {
    const name = requiredString(input, 'Name');
    const existing = this.secrets.find((secret) => secret.name === name);
    if (existing?.deletedAt !== undefined) {
      throw new ServiceError(
        'InvalidRequestException',
        `You can't create this secret because a secret with the name ${name} is already scheduled for deletion.`,
      );
    }
    if (existing !== undefined) {
      throw new ServiceError(
        'ResourceExistsException',
        `The operation failed because the secret ${name} already exists.`,
      );
    }
    const suffix = Array.from({ length: 6 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
    const secret: Secret = {
      arn: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-${suffix}`,
      name,
      description: input.string('Description'),
      // Stored to be described; the model encrypts nothing.
      kmsKeyId: input.string('KmsKeyId'),
      tags: tagsFrom(input),
      rotationEnabled: false,
      versions: new Map(),
      // A new secret has no resource policy.
      policy: undefined,
      deletedAt: undefined,
    };
    this.secrets.push(secret);
    const value = input.string('SecretString');
    if (value === undefined) {
      return { ARN: secret.arn, Name: name };
    }
    const versionId = input.string('ClientRequestToken') ?? randomUUID();
    secret.versions.set(versionId, { value, stages: new Set([CURRENT]), createdAt: Date.now() });
    return { ARN: secret.arn, Name: name, VersionId: versionId };
  }

  private describeSecret(input: Input) {
    const secret = this.find(requiredString(input, 'SecretId'));
    return { ...listed(secret), VersionIdsToStages: this.stagesOf(secret.arn) };
  }

  private getSecretValue(input: Input) {
    const secret = this.findLive(requiredString(input, 'SecretId'));
    const versionId = input.string('VersionId');
    const stage = input.string('VersionStage') ?? (versionId === undefined ? CURRENT : undefined);
    const id = versionId ?? (stage === undefined ? undefined : holderOf(secret, stage));
    const version = id === undefined ? undefined : secret.versions.get(id);
    // AWS answers the same for an unknown version, a label on another version and an empty pending version.
    if (
      id === undefined ||
      version?.value === undefined ||
      (stage !== undefined && !version.stages.has(stage))
    ) {
      const wanted = [versionId && `VersionId: ${versionId}`, stage && `staging label: ${stage}`].filter(
        Boolean,
      );
      throw new ServiceError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for ${wanted.join(', ')}`,
      );
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: id,
      SecretString: version.value,
      VersionStages: [...version.stages],
      CreatedDate: version.createdAt / 1000,
    };
  }

  private putSecretValue(input: Input) {
    const secret = this.findLive(requiredString(input, 'SecretId'));
    const token = requiredString(input, 'ClientRequestToken');
    const value = input.string('SecretString');
    if (value === undefined) {
      throw new ServiceError('InvalidParameterException', 'You must provide SecretString.');
    }
    const existing = secret.versions.get(token);
    if (existing?.value !== undefined) {
      if (existing.value !== value) {
        throw new ServiceError(
          'ResourceExistsException',
          `A version with VersionId ${token} already exists with different contents; versions cannot change.`,
        );
      }
      // A retry with the same token and value succeeds without touching the labels.
      return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: [...existing.stages] };
    }
    const version = existing ?? { value, stages: new Set<string>(), createdAt: Date.now() };
    version.value = value;
    secret.versions.set(token, version);
    for (const stage of input.strings('VersionStages') ?? [CURRENT]) {
      attach(secret, stage, token);
    }
    prune(secret);
    return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: [...version.stages] };
  }

  private updateSecretVersionStage(input: Input) {
    const secret = this.findLive(requiredString(input, 'SecretId'));
    const stage = requiredString(input, 'VersionStage');
    const moveTo = input.string('MoveToVersionId');
    const removeFrom = input.string('RemoveFromVersionId');
    const holder = holderOf(secret, stage);
    if (removeFrom !== undefined && removeFrom !== holder) {
      throw new ServiceError(
        'InvalidParameterException',
        `The staging label ${stage} is not attached to version ${removeFrom}, so it can't be removed from it.`,
      );
    }
    if (moveTo !== undefined) {
      if (!secret.versions.has(moveTo)) {
        throw new ServiceError(
          'ResourceNotFoundException',
          `Secrets Manager can't find the specified secret version: ${moveTo}`,
        );
      }
      if (holder !== undefined && holder !== moveTo && removeFrom !== holder) {
        throw new ServiceError(
          'InvalidParameterException',
          `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      attach(secret, stage, moveTo);
    } else if (removeFrom !== undefined) {
      if (stage === CURRENT) {
        throw new ServiceError(
          'InvalidParameterException',
          `You can't remove ${CURRENT}; move it to another version.`,
        );
      }
      secret.versions.get(removeFrom)?.stages.delete(stage);
    } else {
      throw new ServiceError(
        'InvalidParameterException',
        'Specify MoveToVersionId, RemoveFromVersionId or both.',
      );
    }
    prune(secret);
    return { ARN: secret.arn, Name: secret.name };
  }

  private putResourcePolicy(input: Input) {
    const secret = this.findLive(requiredString(input, 'SecretId'));
    const policy = requiredString(input, 'ResourcePolicy');
    const statements = policyStatements(policy);
    if (input.boolean('BlockPublicPolicy') === true && statements.some(isPublic)) {
      throw new ServiceError(
        'PublicPolicyException',
        'The BlockPublicPolicy parameter is set to true, and the resource policy allows broad access to the secret.',
      );
    }
    secret.policy = policy;
    return { ARN: secret.arn, Name: secret.name };
  }

  private getResourcePolicy(input: Input) {
    const secret = this.find(requiredString(input, 'SecretId'));
    return { ARN: secret.arn, Name: secret.name, ResourcePolicy: secret.policy };
  }

  private deleteResourcePolicy(input: Input) {
    const secret = this.findLive(requiredString(input, 'SecretId'));
    secret.policy = undefined;
    return { ARN: secret.arn, Name: secret.name };
  }

  /**
   * Without ForceDeleteWithoutRecovery the secret is only scheduled for deletion: it stays, described with its
   * DeletedDate, but its value cannot be read. The model never ends the recovery window by itself.
   */
  private deleteSecret(input: Input) {
    const secret = this.find(requiredString(input, 'SecretId'));
    const force = input.boolean('ForceDeleteWithoutRecovery') === true;
    const days = input.integer('RecoveryWindowInDays');
    if (force && days !== undefined) {
      throw new ServiceError(
        'InvalidParameterException',
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      );
    }
    if (days !== undefined && (days < MIN_RECOVERY_DAYS || days > MAX_RECOVERY_DAYS)) {
      throw new ServiceError(
        'InvalidParameterException',
        `RecoveryWindowInDays must be from ${MIN_RECOVERY_DAYS} to ${MAX_RECOVERY_DAYS}; got ${days}.`,
      );
    }
    const now = Date.now();
    if (force) {
      this.secrets = this.secrets.filter((candidate) => candidate !== secret);
      return { ARN: secret.arn, Name: secret.name, DeletionDate: now / 1000 };
    }
    if (secret.deletedAt !== undefined) {
      throw new ServiceError('InvalidRequestException', markedForDeletion());
    }
    secret.deletedAt = now;
    const window = days ?? MAX_RECOVERY_DAYS;
    return { ARN: secret.arn, Name: secret.name, DeletionDate: (now + window * DAY_MS) / 1000 };
  }

  private restoreSecret(input: Input) {
    const secret = this.find(requiredString(input, 'SecretId'));
    secret.deletedAt = undefined;
    return { ARN: secret.arn, Name: secret.name };
  }

  // Filters of different keys must all match; the values of one filter are alternatives, each a prefix.
  private listSecrets(input: Input) {
    const filters = (input.structs('Filters') ?? []).map(filterFrom);
    const includeDeleted = input.boolean('IncludePlannedDeletion') === true;
    const matching = this.secrets.filter(
      (secret) =>
        (includeDeleted || secret.deletedAt === undefined) &&
        filters.every((filter) => matches(secret, filter)),
    );
    const { items, next } = secretsManagerFault(() => page(matching, input, LIST_PAGING));
    return {
      SecretList: items.map(listed),
      NextToken: next,
    };
  }

  private lookup(secretId: string): Secret | undefined {
    return this.secrets.find((candidate) => candidate.arn === secretId || candidate.name === secretId);
  }

  private find(secretId: string): Secret {
    const secret = this.lookup(secretId);
    if (secret === undefined) {
      throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    }
    return secret;
  }

  /** A secret whose value and policy may change: one scheduled for deletion refuses until it is restored. */
  private findLive(secretId: string): Secret {
    const secret = this.find(secretId);
    if (secret.deletedAt !== undefined) {
      throw new ServiceError('InvalidRequestException', markedForDeletion());
    }
    return secret;
  }
}

interface ListFilter {
  readonly key: (typeof LIST_FILTER_KEYS)[number];
  readonly values: readonly string[];
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

function markedForDeletion(): string {
  return "You can't perform this operation on the secret because it was marked for deletion.";
}

/** What DescribeSecret and ListSecrets both say of a secret. */
function listed(secret: Secret) {
  return {
    ARN: secret.arn,
    Name: secret.name,
    Description: secret.description,
    KmsKeyId: secret.kmsKeyId,
    RotationEnabled: secret.rotationEnabled,
    Tags: secret.tags,
    DeletedDate: epochSeconds(secret.deletedAt),
  };
}

function epochSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

function tagsFrom(input: Input): { Key: string; Value: string }[] {
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

// As AWS does: each value is a prefix, and a value starting with `!` matches what does not have that prefix.
function matches(secret: Secret, filter: ListFilter): boolean {
  const fields = {
    name: [secret.name],
    description: secret.description === undefined ? [] : [secret.description],
    'tag-key': secret.tags.map((tag) => tag.Key),
    'tag-value': secret.tags.map((tag) => tag.Value),
    all: [
      secret.name,
      ...(secret.description === undefined ? [] : [secret.description]),
      ...secret.tags.flatMap((tag) => [tag.Key, tag.Value]),
    ],
  }[filter.key];
  return filter.values.some((value) =>
    value.startsWith('!')
      ? !fields.some((field) => field.startsWith(value.slice(1)))
      : fields.some((field) => field.startsWith(value)),
  );
}

/** The statements of a policy document; anything but JSON with a Version and a Statement is malformed. */
function policyStatements(policy: string): Record<string, unknown>[] {
  let document: unknown;
  try {
    document = JSON.parse(policy);
  } catch {
    throw new ServiceError('MalformedPolicyDocumentException', 'The resource policy is not valid JSON.');
  }
  const statement = isObject(document) ? document.Statement : undefined;
  const statements = Array.isArray(statement) ? statement : [statement];
  if (!isObject(document) || typeof document.Version !== 'string' || !statements.every(isObject)) {
    throw new ServiceError(
      'MalformedPolicyDocumentException',
      'The resource policy must be a JSON object with a Version and a Statement of one or more objects.',
    );
  }
  return statements;
}

// Broad access: an Allow for any principal (`*`, or `*` among the AWS principals) that no condition narrows.
function isPublic(statement: Record<string, unknown>): boolean {
  const principal = statement.Principal;
  const aws = isObject(principal) ? principal.AWS : undefined;
  const anyone = principal === '*' || aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  return statement.Effect === 'Allow' && anyone && statement.Condition === undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function holderOf(secret: Secret, stage: string): string | undefined {
  return [...secret.versions].find(([, version]) => version.stages.has(stage))?.[0];
}

// A label lives on one version at a time; when AWSCURRENT moves, AWSPREVIOUS follows to the old current.
function attach(secret: Secret, stage: string, versionId: string): void {
  const holder = holderOf(secret, stage);
  if (holder === versionId) {
    return;
  }
  if (holder !== undefined) {
    secret.versions.get(holder)?.stages.delete(stage);
  }
  secret.versions.get(versionId)?.stages.add(stage);
  if (stage === CURRENT && holder !== undefined) {
    attach(secret, PREVIOUS, holder);
  }
}

// AWS keeps unlabelled versions a while as deprecated; the model drops them so tests see only live versions.
function prune(secret: Secret): void {
  for (const [id, version] of secret.versions) {
    if (version.stages.size === 0) {
      secret.versions.delete(id);
    }
  }
}

import { randomInt, randomUUID } from 'node:crypto';
import { ACCOUNT } from './account';
import type { ServiceModule } from './dispatch';
import { type Input, requiredString, ServiceError } from './wire';

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const PENDING = 'AWSPENDING';
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The controls tests get for what Secrets Manager does outside its API. */
export interface SecretsHarness {
  /** Registers `token` as an empty AWSPENDING version, as Secrets Manager does before invoking a rotation. */
  beginRotation(secretId: string, token: string): void;
  /** Version id → staging labels. */
  stagesOf(secretId: string): Record<string, string[]>;
  valueOf(secretId: string, versionId: string): string | undefined;
  setRotationEnabled(secretId: string, enabled: boolean): void;
}

interface SecretVersion {
  value: string | undefined;
  readonly stages: Set<string>;
  readonly createdAt: number;
}

interface Secret {
  readonly arn: string;
  readonly name: string;
  rotationEnabled: boolean;
  readonly versions: Map<string, SecretVersion>;
}

export class SecretStore implements SecretsHarness {
  private readonly secrets: Secret[] = [];

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
    ],
    operations: {
      CreateSecret: (input, { region }) => this.createSecret(input, region),
      DescribeSecret: (input) => this.describeSecret(input),
      GetSecretValue: (input) => this.getSecretValue(input),
      PutSecretValue: (input) => this.putSecretValue(input),
      UpdateSecretVersionStage: (input) => this.updateSecretVersionStage(input),
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

  private createSecret(input: Input, region: string) {
    const name = requiredString(input, 'Name');
    if (this.secrets.some((secret) => secret.name === name)) {
      throw new ServiceError(
        'ResourceExistsException',
        `The operation failed because the secret ${name} already exists.`,
      );
    }
    const suffix = Array.from({ length: 6 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
    const secret: Secret = {
      arn: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-${suffix}`,
      name,
      rotationEnabled: false,
      versions: new Map(),
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
    return {
      ARN: secret.arn,
      Name: secret.name,
      RotationEnabled: secret.rotationEnabled,
      VersionIdsToStages: this.stagesOf(secret.arn),
    };
  }

  private getSecretValue(input: Input) {
    const secret = this.find(requiredString(input, 'SecretId'));
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
    const secret = this.find(requiredString(input, 'SecretId'));
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
    const secret = this.find(requiredString(input, 'SecretId'));
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

  private find(secretId: string): Secret {
    const secret = this.secrets.find(
      (candidate) => candidate.arn === secretId || candidate.name === secretId,
    );
    if (secret === undefined) {
      throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    }
    return secret;
  }
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

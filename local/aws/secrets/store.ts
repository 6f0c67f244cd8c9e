import { randomInt, randomUUID } from 'node:crypto';
import { ACCOUNT } from '../account';
import { ServiceError } from '../wire/errors';
import { checkPrincipals, checkRecoveryWindow, isPublicPolicy, matches, scheduledDeletion } from './rules';
import type {
  ListFilter,
  NewSecret,
  SecretRef,
  SecretState,
  SecretsHarness,
  SecretValue,
  SecretVersionState,
  StageMove,
} from './types';
import { attach, CURRENT, holderOf, moveLabel, PENDING, prune, type Secret } from './versions';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Secrets, their versions and staging labels, as Secrets Manager keeps them. */
export class SecretStore implements SecretsHarness {
  private secrets: Secret[] = [];

  /** `principals` says which IAM principals a resource policy may name. */
  constructor(private readonly principals: { accepts(principal: string): boolean }) {}

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

  /**
   * CreateSecret: with a value, its first version is AWSCURRENT at once; without one the secret has no
   * version, and GetSecretValue finds nothing until PutSecretValue puts one.
   */
  create(request: NewSecret): SecretRef & { readonly versionId?: string } {
    const { name } = request;
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
      arn: `arn:aws:secretsmanager:${request.region}:${ACCOUNT}:secret:${name}-${suffix}`,
      name,
      description: request.description,
      kmsKeyId: request.kmsKeyId,
      tags: request.tags,
      rotationEnabled: false,
      versions: new Map(),
      // A new secret has no resource policy.
      policy: undefined,
      deletedAt: undefined,
    };
    this.secrets.push(secret);
    if (request.value === undefined) {
      return { arn: secret.arn, name };
    }
    const versionId = request.versionId ?? randomUUID();
    secret.versions.set(versionId, {
      value: request.value,
      stages: new Set([CURRENT]),
      createdAt: Date.now(),
    });
    return { arn: secret.arn, name, versionId };
  }

  /** The secret, also while it is scheduled for deletion. */
  describe(secretId: string): SecretState {
    return view(this.find(secretId));
  }

  /** GetSecretValue: by version id, staging label or both; AWSCURRENT when neither is given. */
  getValue(secretId: string, versionId: string | undefined, label: string | undefined): SecretValue {
    const secret = this.findLive(secretId);
    const stage = label ?? (versionId === undefined ? CURRENT : undefined);
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
      arn: secret.arn,
      name: secret.name,
      versionId: id,
      value: version.value,
      stages: [...version.stages],
      createdAt: version.createdAt,
    };
  }

  /** PutSecretValue: a new version under `token`, AWSCURRENT unless other labels are given. */
  putValue(
    secretId: string,
    token: string,
    value: string,
    stages: readonly string[] = [CURRENT],
  ): SecretVersionState {
    const secret = this.findLive(secretId);
    const existing = secret.versions.get(token);
    if (existing?.value !== undefined) {
      if (existing.value !== value) {
        throw new ServiceError(
          'ResourceExistsException',
          `A version with VersionId ${token} already exists with different contents; versions cannot change.`,
        );
      }
      // A retry with the same token and value succeeds without touching the labels.
      return { arn: secret.arn, name: secret.name, versionId: token, stages: [...existing.stages] };
    }
    const version = existing ?? { value, stages: new Set<string>(), createdAt: Date.now() };
    version.value = value;
    secret.versions.set(token, version);
    for (const stage of stages) {
      attach(secret, stage, token);
    }
    prune(secret);
    return { arn: secret.arn, name: secret.name, versionId: token, stages: [...version.stages] };
  }

  /** UpdateSecretVersionStage, on a secret not scheduled for deletion. */
  moveStage(secretId: string, move: StageMove): SecretRef {
    const secret = this.findLive(secretId);
    moveLabel(secret, move);
    return ref(secret);
  }

  /**
   * PutResourcePolicy: a malformed policy is refused, one naming a principal that does not exist too, and
   * with `blockPublic` one that allows broad access.
   */
  putPolicy(secretId: string, policy: string, blockPublic: boolean): SecretRef {
    const secret = this.findLive(secretId);
    checkPrincipals(policy, (principal) => this.principals.accepts(principal));
    if (isPublicPolicy(policy) && blockPublic) {
      throw new ServiceError(
        'PublicPolicyException',
        'The BlockPublicPolicy parameter is set to true, and the resource policy allows broad access to the secret.',
      );
    }
    secret.policy = policy;
    return ref(secret);
  }

  deletePolicy(secretId: string): SecretRef {
    const secret = this.findLive(secretId);
    secret.policy = undefined;
    return ref(secret);
  }

  /**
   * Without `force` the secret is only scheduled for deletion: it stays, described with its DeletedDate, but
   * its value cannot be read. The model never ends the recovery window by itself.
   */
  delete(
    secretId: string,
    force: boolean,
    recoveryDays: number | undefined,
  ): SecretRef & { readonly deletionDate: number } {
    const secret = this.find(secretId);
    checkRecoveryWindow(force, recoveryDays);
    const now = Date.now();
    if (force) {
      this.secrets = this.secrets.filter((candidate) => candidate !== secret);
      return { ...ref(secret), deletionDate: now };
    }
    if (secret.deletedAt !== undefined) {
      throw new ServiceError('InvalidRequestException', MARKED_FOR_DELETION);
    }
    secret.deletedAt = now;
    return { ...ref(secret), deletionDate: scheduledDeletion(now, recoveryDays) };
  }

  restore(secretId: string): SecretRef {
    const secret = this.find(secretId);
    secret.deletedAt = undefined;
    return ref(secret);
  }

  /** ListSecrets: filters of different keys must all match. */
  list(filters: readonly ListFilter[], includeDeleted: boolean): SecretState[] {
    return this.secrets
      .filter(
        (secret) =>
          (includeDeleted || secret.deletedAt === undefined) &&
          filters.every((filter) => matches(secret, filter)),
      )
      .map(view);
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
      throw new ServiceError('InvalidRequestException', MARKED_FOR_DELETION);
    }
    return secret;
  }
}

const MARKED_FOR_DELETION =
  "You can't perform this operation on the secret because it was marked for deletion.";

function ref(secret: Secret): SecretRef {
  return { arn: secret.arn, name: secret.name };
}

function view(secret: Secret): SecretState {
  return {
    arn: secret.arn,
    name: secret.name,
    description: secret.description,
    kmsKeyId: secret.kmsKeyId,
    rotationEnabled: secret.rotationEnabled,
    tags: secret.tags,
    deletedAt: secret.deletedAt,
  };
}

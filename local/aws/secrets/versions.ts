import { ServiceError } from '../wire/errors';
import type { SecretState, StageMove } from './types';

export const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
export const PENDING = 'AWSPENDING';

interface SecretVersion {
  value: string | undefined;
  readonly stages: Set<string>;
  readonly createdAt: number;
}

/** A secret as the store keeps it, with every version and its staging labels. */
export interface Secret extends SecretState {
  rotationEnabled: boolean;
  readonly versions: Map<string, SecretVersion>;
  policy: string | undefined;
  deletedAt: number | undefined;
}

/** The version that holds `stage`, if any. */
export function holderOf(secret: Secret, stage: string): string | undefined {
  return [...secret.versions].find(([, version]) => version.stages.has(stage))?.[0];
}

// A label lives on one version at a time; when AWSCURRENT moves, AWSPREVIOUS follows to the old current.
export function attach(secret: Secret, stage: string, versionId: string): void {
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

/** UpdateSecretVersionStage: moves a label, or removes it from a version; AWSCURRENT can only move. */
export function moveLabel(secret: Secret, { stage, moveTo, removeFrom }: StageMove): void {
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
}

// AWS keeps unlabelled versions a while as deprecated; the model drops them so tests see only live versions.
export function prune(secret: Secret): void {
  for (const [id, version] of secret.versions) {
    if (version.stages.size === 0) {
      secret.versions.delete(id);
    }
  }
}

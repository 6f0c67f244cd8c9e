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

/** Secrets Manager keeps a secret's tags as a list, in the order given. */
export interface SecretTag {
  readonly Key: string;
  readonly Value: string;
}

/** A CreateSecret request. */
export interface NewSecret {
  readonly name: string;
  readonly region: string;
  readonly description?: string;
  /** Stored to be described; the model encrypts nothing. */
  readonly kmsKeyId?: string;
  readonly tags: readonly SecretTag[];
  /** @default - a secret without a version */
  readonly value?: string;
  /** The id of the first version. @default - a random UUID */
  readonly versionId?: string;
}

/** Which secret an operation touched, as every answer names it. */
export interface SecretRef {
  readonly arn: string;
  readonly name: string;
}

/** What DescribeSecret and ListSecrets report about a secret; never its value. */
export interface SecretState extends SecretRef {
  readonly description: string | undefined;
  readonly kmsKeyId: string | undefined;
  readonly rotationEnabled: boolean;
  readonly tags: readonly SecretTag[];
  /** Epoch milliseconds of the DeleteSecret that scheduled the deletion. */
  readonly deletedAt: number | undefined;
}

/** One version of a secret, as GetSecretValue and PutSecretValue report it. */
export interface SecretVersionState extends SecretRef {
  readonly versionId: string;
  readonly stages: readonly string[];
}

export interface SecretValue extends SecretVersionState {
  readonly value: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

/** An UpdateSecretVersionStage request for one staging label. */
export interface StageMove {
  readonly stage: string;
  readonly moveTo?: string;
  readonly removeFrom?: string;
}

export const LIST_FILTER_KEYS = ['name', 'description', 'tag-key', 'tag-value', 'all'] as const;

/** A ListSecrets filter: its values are alternatives, each a prefix, or with `!` a prefix it must not have. */
export interface ListFilter {
  readonly key: (typeof LIST_FILTER_KEYS)[number];
  readonly values: readonly string[];
}

import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutResourcePolicyCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { Tags } from '#core/cache/ports';
import { isAwsError } from '#core/runtime/aws-errors';

/** A secret as the vault made it or found it: the value is the caller's, never logged. */
export interface StoredCredential {
  readonly arn: string;
  readonly value: string;
  /** False when an earlier attempt made it: the value is that attempt's. */
  readonly created: boolean;
}

export interface ListedSecret {
  readonly arn: string;
  readonly name: string;
  readonly tags: Tags;
}

/** Where ephemeral users' credentials wait for their reader: one secret per request. */
export interface CredentialVault {
  /** Creates the secret with `value()`, or returns the one an earlier attempt created under `name`. */
  ensure(name: string, value: () => string, tags: Tags, description: string): Promise<StoredCredential>;
  /** Replaces the secret's resource policy. */
  restrict(arn: string, policy: string): Promise<void>;
  /** Deletes the secret at once, without a recovery window; one that is gone already is fine. */
  remove(nameOrArn: string): Promise<void>;
  /** Every secret whose name starts with `prefix`, every page read. */
  list(prefix: string): Promise<ListedSecret[]>;
}

export class SecretsManagerVault implements CredentialVault {
  constructor(private readonly client: SecretsManagerClient) {}

  async ensure(
    name: string,
    value: () => string,
    tags: Tags,
    description: string,
  ): Promise<StoredCredential> {
    const secretString = value();
    try {
      const { ARN } = await this.client.send(
        new CreateSecretCommand({
          Name: name,
          Description: description,
          SecretString: secretString,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      return { arn: ARN ?? name, value: secretString, created: true };
    } catch (error) {
      if (!isAwsError(error, 'ResourceExistsException')) throw error;
      const { ARN, SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
      return { arn: ARN ?? name, value: SecretString ?? '', created: false };
    }
  }

  async restrict(arn: string, policy: string): Promise<void> {
    await this.client.send(
      new PutResourcePolicyCommand({ SecretId: arn, ResourcePolicy: policy, BlockPublicPolicy: true }),
    );
  }

  async remove(nameOrArn: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteSecretCommand({ SecretId: nameOrArn, ForceDeleteWithoutRecovery: true }),
      );
    } catch (error) {
      if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
    }
  }

  async list(prefix: string): Promise<ListedSecret[]> {
    const found: ListedSecret[] = [];
    let next: string | undefined;
    do {
      const page = await this.client.send(
        new ListSecretsCommand({
          Filters: [{ Key: 'name', Values: [prefix] }],
          MaxResults: 100,
          NextToken: next,
        }),
      );
      for (const secret of page.SecretList ?? []) {
        // The name filter matches a prefix of any word of the name; only a prefix of the whole name counts.
        if (!secret.Name?.startsWith(prefix) || !secret.ARN) continue;
        found.push({
          arn: secret.ARN,
          name: secret.Name,
          tags: Object.fromEntries(
            (secret.Tags ?? []).flatMap(({ Key, Value }) => (Key ? [[Key, Value ?? '']] : [])),
          ),
        });
      }
      next = page.NextToken;
    } while (next !== undefined);
    return found;
  }
}

import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { Tags } from '#core/cache/ports';
import { isAwsError } from '#core/runtime/aws-errors';

export interface ListedSecret {
  readonly arn: string;
  readonly name: string;
  readonly tags: Tags;
}

/**
 * Where ephemeral users' credentials wait for their reader: one secret per request, made empty, locked
 * to its reader, and only then given its value, so no other principal ever finds a value to read.
 */
export interface CredentialVault {
  /** Creates the secret without a value, or finds the one an earlier attempt created under `name`; its ARN. */
  ensure(name: string, tags: Tags, description: string): Promise<string>;
  /**
   * Replaces the secret's resource policy; `unknown-principal` when Secrets Manager refuses a principal the
   * policy names because no such role or user exists.
   */
  restrict(arn: string, policy: string): Promise<'restricted' | 'unknown-principal'>;
  /** The secret's current value; undefined while it has none. */
  read(arn: string): Promise<string | undefined>;
  /**
   * Gives the secret `value` under `token`, unless a value is there under that token already (an earlier or
   * concurrent attempt's): that one stays, and is returned, so the secret never holds two.
   */
  store(arn: string, token: string, value: string): Promise<string>;
  /** Deletes the secret at once, without a recovery window; one that is gone already is fine. */
  remove(nameOrArn: string): Promise<void>;
  /** Every secret whose name starts with `prefix`, every page read. */
  list(prefix: string): Promise<ListedSecret[]>;
}

/** How Secrets Manager words a policy principal it cannot resolve, such as a role that does not exist. */
const UNSUPPORTED_PRINCIPAL = /unsupported principal/i;

export class SecretsManagerVault implements CredentialVault {
  constructor(private readonly client: SecretsManagerClient) {}

  async ensure(name: string, tags: Tags, description: string): Promise<string> {
    try {
      const { ARN } = await this.client.send(
        new CreateSecretCommand({
          Name: name,
          Description: description,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      return ARN ?? name;
    } catch (error) {
      if (!isAwsError(error, 'ResourceExistsException')) throw error;
      const { ARN } = await this.client.send(new DescribeSecretCommand({ SecretId: name }));
      return ARN ?? name;
    }
  }

  async restrict(arn: string, policy: string): Promise<'restricted' | 'unknown-principal'> {
    try {
      await this.client.send(
        new PutResourcePolicyCommand({ SecretId: arn, ResourcePolicy: policy, BlockPublicPolicy: true }),
      );
      return 'restricted';
    } catch (error) {
      if (
        isAwsError(error, 'MalformedPolicyDocumentException') &&
        UNSUPPORTED_PRINCIPAL.test((error as Error).message)
      )
        return 'unknown-principal';
      throw error;
    }
  }

  async read(arn: string): Promise<string | undefined> {
    try {
      return (await this.client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
      throw error;
    }
  }

  async store(arn: string, token: string, value: string): Promise<string> {
    try {
      await this.client.send(
        new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token, SecretString: value }),
      );
      return value;
    } catch (error) {
      if (!isAwsError(error, 'ResourceExistsException')) throw error;
      const kept = await this.client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token }));
      return kept.SecretString ?? '';
    }
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

import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { isAwsError } from '#core/runtime/aws-errors';
import { AWSCURRENT, AWSPENDING, type SecretStore, type SecretVersions } from './ports';

export class SecretsManagerStore implements SecretStore {
  constructor(private readonly client: SecretsManagerClient) {}

  async describe(secretId: string): Promise<SecretVersions> {
    const secret = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return {
      rotationEnabled: secret.RotationEnabled === true,
      stagesByVersion: new Map(Object.entries(secret.VersionIdsToStages ?? {})),
    };
  }

  async getCurrent(secretId: string): Promise<string> {
    const { SecretString } = await this.client.send(
      new GetSecretValueCommand({ SecretId: secretId, VersionStage: AWSCURRENT }),
    );
    return SecretString ?? '';
  }

  async getPending(secretId: string, token: string): Promise<string | undefined> {
    try {
      // Both id and stage: the token alone could return a version that lost its label meanwhile.
      const { SecretString } = await this.client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: AWSPENDING }),
      );
      return SecretString;
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
      throw error;
    }
  }

  async putPending(secretId: string, token: string, value: string): Promise<void> {
    await this.client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: value,
        VersionStages: [AWSPENDING],
      }),
    );
  }

  async moveStage(secretId: string, stage: string, move: { to?: string; from?: string }): Promise<void> {
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: stage,
        MoveToVersionId: move.to,
        RemoveFromVersionId: move.from,
      }),
    );
  }
}

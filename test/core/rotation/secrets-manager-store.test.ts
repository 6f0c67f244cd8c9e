import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretsManagerStore } from '#core/rotation/secrets-manager-store';

const sm = mockClient(SecretsManagerClient);
const store = new SecretsManagerStore(new SecretsManagerClient({ region: 'eu-west-1' }));
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-AbCdEf';

afterEach(() => sm.reset());

describe('SecretsManagerStore', () => {
  it('reports rotation state and the labels of every version', async () => {
    sm.on(DescribeSecretCommand).resolves({
      RotationEnabled: true,
      VersionIdsToStages: { a: ['AWSCURRENT'], b: ['AWSPENDING'] },
    });

    const versions = await store.describe(SECRET);

    expect(versions.rotationEnabled).toBe(true);
    expect([...versions.stagesByVersion]).toEqual([
      ['a', ['AWSCURRENT']],
      ['b', ['AWSPENDING']],
    ]);
  });

  it('reads the pending value by token and label together', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{}' });

    await expect(store.getPending(SECRET, 'tok')).resolves.toBe('{}');
    expect(sm.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: SECRET,
      VersionId: 'tok',
      VersionStage: 'AWSPENDING',
    });
  });

  it('reports the still-empty pending version as undefined', async () => {
    sm.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({ $metadata: {}, message: 'not found' }),
    );

    await expect(store.getPending(SECRET, 'tok')).resolves.toBeUndefined();
  });

  it('reads the current value by label', async () => {
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: '{"a":1}' });

    await expect(store.getCurrent(SECRET)).resolves.toBe('{"a":1}');
  });

  it('puts the pending value under the token with only the AWSPENDING label', async () => {
    sm.on(PutSecretValueCommand).resolves({});

    await store.putPending(SECRET, 'tok', '{"password":"x"}');

    expect(sm.commandCalls(PutSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: SECRET,
      ClientRequestToken: 'tok',
      SecretString: '{"password":"x"}',
      VersionStages: ['AWSPENDING'],
    });
  });

  it('moves a label from one version to another', async () => {
    sm.on(UpdateSecretVersionStageCommand).resolves({});

    await store.moveStage(SECRET, 'AWSCURRENT', { to: 'new', from: 'old' });

    expect(sm.commandCalls(UpdateSecretVersionStageCommand)[0]?.args[0].input).toEqual({
      SecretId: SECRET,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: 'new',
      RemoveFromVersionId: 'old',
    });
  });
});

import { describe, expect, inject, it } from 'vitest';
import type { Engine, LambdaHost } from '../../local';
import { currentPassword, provisionUser, rotate, startRotationFunction, uniqueName } from '../../local';
import { deploymentOf } from '../../local/functions/deployments';
import { principalOf, simulateCall } from '../support/iam-simulation';
import { useLocalCloud } from '../support/local-cloud';

const bundle = inject('bundles').rotate ?? '';
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9';
const OTHER_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';

/**
 * A team's existing secret under its own key: Secrets Manager calls KMS as the rotation function
 * (kms:ViaService), so the function's role needs the key, and the suite's IAM proof checks that it has it.
 */
describe.each<Engine>(['elasticache', 'memorydb'])(
  'rotation of a secret under a customer managed key on %s',
  (engine) => {
    const cloud = useLocalCloud();

    it('rotates, and every KMS use Secrets Manager makes for the function goes through secretsmanager', async () => {
      const user = await provisionUser(cloud.aws, engine, uniqueName('cmk'), undefined, { kmsKeyArn: KEY });
      cloud.fn = await startRotationFunction(bundle, cloud.aws, cloud.redis, [user]);

      const run = await rotate(cloud.fn as LambdaHost, cloud.aws, user.secretArn);

      expect(run.failed).toBeUndefined();
      await expect(
        cloud.redis.authenticates(user.name, await currentPassword(cloud.aws, user.secretArn)),
      ).resolves.toBe(true);
      const keyUses = cloud.aws.calls
        .filter((call) => deploymentOf(call.caller)?.purpose === 'rotation')
        .flatMap((call) => call.authorizations.filter(({ action }) => action.startsWith('kms:')));
      expect(new Set(keyUses.map(({ action }) => action))).toEqual(
        new Set(['kms:Decrypt', 'kms:GenerateDataKey']),
      );
      expect(keyUses.every(({ resource }) => resource === KEY)).toBe(true);
      expect(
        keyUses.every(
          ({ context }) => context['kms:ViaService'] === 'secretsmanager.eu-west-1.amazonaws.com',
        ),
      ).toBe(true);
    });

    it('would be denied a key the config does not name (negative control)', async () => {
      const user = await provisionUser(cloud.aws, engine, uniqueName('cmk'), undefined, { kmsKeyArn: KEY });
      cloud.fn = await startRotationFunction(bundle, cloud.aws, cloud.redis, [user]);
      await rotate(cloud.fn as LambdaHost, cloud.aws, user.secretArn, { steps: ['createSecret'] });
      const read = cloud.aws.calls.findLast(
        (call) => call.operation === 'GetSecretValue' && deploymentOf(call.caller)?.purpose === 'rotation',
      );
      const deployment = deploymentOf(read?.caller) ?? expect.fail('no GetSecretValue by the function');
      const underOtherKey = {
        ...(read ?? expect.fail('no call')),
        authorizations: (read?.authorizations ?? []).map((authorization) =>
          authorization.action.startsWith('kms:') ? { ...authorization, resource: OTHER_KEY } : authorization,
        ),
      };

      const denials = await simulateCall(underOtherKey, principalOf(deployment));

      expect(denials.map(({ action, resource }) => `${action} ${resource}`)).toEqual([
        `kms:Decrypt ${OTHER_KEY}`,
      ]);
    });
  },
);

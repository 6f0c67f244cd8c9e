import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cacheDirectories } from '#shared/cache/engines';
import { requireEnv, requireIntegerEnv } from '#shared/env';
import { ENV } from '#shared/env-names';
import { RotationStepError, SecretNotAllowedError } from '#shared/errors';
import { defineHandler } from '#shared/handler';
import { parseRotationEvent } from '#shared/rotation/event';
import { RedisCredentialCheck } from '#shared/rotation/redis-credential-check';
import { Rotator } from '#shared/rotation/rotator';
import { SecretsManagerStore } from '#shared/rotation/secrets-manager-store';
import { TargetRegistry } from '#shared/rotation/targets';
import { clipped, shown } from '#shared/shown';

const fn = defineHandler({
  serviceName: 'cache-rotation',
  activity: 'rotation step',
  subject: 'rotation event',
  succeededMetric: 'RotationStepSucceeded',
  failedMetric: 'RotationStepFailed',
  failure: RotationStepError,
});

const targets = TargetRegistry.fromJson(requireEnv(ENV.rotationTargets), ENV.rotationTargets);
const passwordLength = requireIntegerEnv(ENV.passwordLength);

const rotator = new Rotator({
  secrets: new SecretsManagerStore(new SecretsManagerClient({})),
  users: cacheDirectories(),
  credentials: new RedisCredentialCheck(),
  passwordLength,
  note: fn.note,
});

export const handler = fn.handler(async (event, { deadline, metrics, workingOn }) => {
  const { step, secretId, token } = parseRotationEvent(event);
  workingOn(`${step} for secret ${shown(secretId)}`, { step, secretId: clipped(secretId), token });
  metrics.addDimension('Step', step);
  const target = targets.find(secretId);
  if (!target) {
    throw new SecretNotAllowedError(
      `secret ${shown(secretId)} is not one of the ${targets.size} secrets this function rotates; nothing was changed`,
    );
  }
  workingOn(`${step} for secret ${secretId} (user ${target.userArn})`, { userArn: target.userArn });
  const outcome = await rotator.run({ step, target, token, deadline });
  fn.logger.info('rotation step finished', { outcome });
});

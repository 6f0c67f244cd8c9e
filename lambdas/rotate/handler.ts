import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readBundledFile } from '#shared/bundled-file';
import { cacheDirectories } from '#shared/cache/engines';
import { requireIntegerEnv } from '#shared/env';
import { ENV } from '#shared/env-names';
import { RotationStepError, SecretNotAllowedError } from '#shared/errors';
import { defineHandler } from '#shared/handler';
import { CloudFormationStackSecrets } from '#shared/rotation/cloudformation-stack-secrets';
import { parseRotationEvent } from '#shared/rotation/event';
import { RedisCredentialCheck } from '#shared/rotation/redis-credential-check';
import { Rotator } from '#shared/rotation/rotator';
import { SecretsManagerStore } from '#shared/rotation/secrets-manager-store';
import { ROTATION_TARGETS_FILE, readRotationTargetsFile, TargetRegistry } from '#shared/rotation/targets';
import { clipped, shown } from '#shared/shown';

const fn = defineHandler({
  serviceName: 'cache-rotation',
  activity: 'rotation step',
  subject: 'rotation event',
  succeededMetric: 'RotationStepSucceeded',
  failedMetric: 'RotationStepFailed',
  failure: RotationStepError,
});

const targetsFile = readBundledFile(ROTATION_TARGETS_FILE, ENV.rotationTargetsFile, import.meta.url);
const stackId = process.env[ENV.rotationStack];
const targets = new TargetRegistry(
  readRotationTargetsFile(targetsFile.content, targetsFile.path),
  stackId ? new CloudFormationStackSecrets(new CloudFormationClient({}), stackId) : undefined,
);
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
  const target = await targets.find(secretId);
  if (!target) {
    throw new SecretNotAllowedError(
      `secret ${shown(secretId)} is not one of the ${targets.size} secrets this function rotates; nothing was changed`,
    );
  }
  workingOn(`${step} for secret ${secretId} (user ${target.userArn})`, { userArn: target.userArn });
  const outcome = await rotator.run({ step, target, token, deadline });
  fn.logger.info('rotation step finished', { outcome });
});

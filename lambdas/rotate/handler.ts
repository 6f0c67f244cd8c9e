import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cacheDirectories } from '#core/cache/adapters/directories';
import { CloudFormationStackSecrets } from '#core/rotation/cloudformation-stack-secrets';
import { parseRotationEvent } from '#core/rotation/event';
import { RedisCredentialCheck } from '#core/rotation/redis-credential-check';
import { Rotator } from '#core/rotation/rotator';
import { SecretsManagerStore } from '#core/rotation/secrets-manager-store';
import { ROTATION_TARGETS_FILE, readRotationTargetsFile, TargetRegistry } from '#core/rotation/targets';
import { readBundledFile } from '#core/runtime/bundled-file';
import { requireIntegerEnv } from '#core/runtime/env';
import { ENV } from '#core/runtime/env-names';
import { RotationStepError, SecretNotAllowedError } from '#core/runtime/errors';
import { defineHandler } from '#core/runtime/handler';
import { ROTATION_METRICS } from '#core/runtime/metric-names';
import { clipped, quoted } from '#core/runtime/quoted';

const fn = defineHandler({
  serviceName: ROTATION_METRICS.service,
  activity: 'rotation step',
  subject: 'rotation event',
  succeededMetric: ROTATION_METRICS.succeeded,
  failedMetric: ROTATION_METRICS.failed,
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
  users: cacheDirectories({ onThrottled: fn.countThrottled }),
  credentials: new RedisCredentialCheck(),
  passwordLength,
  logDecision: fn.logDecision,
});

export const handler = fn.handler(async (event, { deadline, metrics, workingOn }) => {
  const { step, secretId, token } = parseRotationEvent(event);
  workingOn(`${step} for secret ${quoted(secretId)}`, { step, secretId: clipped(secretId), token });
  metrics.addDimension(ROTATION_METRICS.stepDimension, step);
  const target = await targets.find(secretId);
  if (!target) {
    throw new SecretNotAllowedError(
      `secret ${quoted(secretId)} is not one of the ${targets.size} secrets this function rotates; nothing was changed`,
    );
  }
  workingOn(`${step} for secret ${secretId} (user ${target.userArn})`, { userArn: target.userArn });
  const outcome = await rotator.run({ step, target, token, deadline });
  fn.logger.info('rotation step finished', { outcome });
});

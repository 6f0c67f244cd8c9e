import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { MemoryDBClient } from '@aws-sdk/client-memorydb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { ElastiCacheUsers } from '#shared/adapters/elasticache-users';
import { MemoryDbUsers } from '#shared/adapters/memorydb-users';
import { perRegion } from '#shared/adapters/per-region';
import { RedisCredentialCheck } from '#shared/adapters/redis-credential-check';
import { SecretsManagerStore } from '#shared/adapters/secrets-manager-store';
import { Deadline, systemClock } from '#shared/deadline';
import { requireEnv } from '#shared/env';
import { ENV } from '#shared/env-names';
import {
  CacheAccessError,
  ConfigurationError,
  RotationStepError,
  SecretNotAllowedError,
} from '#shared/errors';
import { observabilityFor, withObservability } from '#shared/observability';
import { parseRotationEvent } from '#shared/rotation/event';
import { Rotator } from '#shared/rotation/rotator';
import { TargetRegistry } from '#shared/rotation/targets';

/** Kept back from the Lambda timeout so a step that runs out of time still reports why. */
const RESERVE_MS = 10_000;

const { logger, metrics } = observabilityFor('cache-rotation');
const targets = TargetRegistry.fromJson(requireEnv(ENV.rotationTargets), ENV.rotationTargets);
const passwordLength = Number(requireEnv(ENV.passwordLength));
if (!Number.isInteger(passwordLength)) {
  throw new ConfigurationError(
    `${ENV.passwordLength} must be an integer, got '${process.env[ENV.passwordLength]}'`,
  );
}

const rotator = new Rotator({
  secrets: new SecretsManagerStore(new SecretsManagerClient({})),
  users: {
    elasticache: new ElastiCacheUsers(perRegion((region) => new ElastiCacheClient({ region }))),
    memorydb: new MemoryDbUsers(perRegion((region) => new MemoryDBClient({ region }))),
  },
  credentials: new RedisCredentialCheck(),
  passwordLength,
  onEvent: (message, data) => logger.info(message, { ...data }),
});

async function rotate(event: unknown, context: Context): Promise<void> {
  // Outside any step until the event parses; a malformed event still counts as a failed step.
  let where = 'rotation event';
  try {
    const { step, secretId, token } = parseRotationEvent(event);
    where = `${step} for secret ${secretId}`;
    logger.appendKeys({ step, secretId, token });
    metrics.addDimension('Step', step);
    const target = targets.find(secretId);
    if (!target) {
      throw new SecretNotAllowedError(
        `secret ${secretId} is not one of the ${targets.size} secrets this function rotates; nothing was changed`,
      );
    }
    where = `${where} (user ${target.userArn})`;
    logger.appendKeys({ userArn: target.userArn });
    const deadline = Deadline.after(systemClock, context.getRemainingTimeInMillis(), RESERVE_MS);
    const outcome = await rotator.run({ step, target, token, deadline });
    logger.info('rotation step finished', { outcome });
    metrics.addMetric('RotationStepSucceeded', MetricUnit.Count, 1);
  } catch (error) {
    metrics.addMetric('RotationStepFailed', MetricUnit.Count, 1);
    const reason = error instanceof CacheAccessError ? error.name : 'UnexpectedError';
    const detail = error instanceof Error ? error.message : String(error);
    const failure = new RotationStepError(`${where} failed: ${detail}`, { cause: error });
    logger.error('rotation step failed', { reason, error: failure });
    throw failure;
  }
}

export const handler = withObservability(rotate, { logger, metrics });

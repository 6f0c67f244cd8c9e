import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

export const METRICS_NAMESPACE = 'CacheAccessAutomation';

/** Logger and metrics for one function; the service name becomes a log key and a metric dimension. */
export function observabilityFor(serviceName: string) {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
  };
}

/** The one middleware chain every handler uses: context in every log line, metrics flushed per invocation. */
export function withObservability<Event, Result>(
  handler: (event: Event, context: Context) => Promise<Result>,
  { logger, metrics }: ReturnType<typeof observabilityFor>,
) {
  return middy(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}

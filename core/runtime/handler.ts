import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { Deadline, systemClock } from './deadline';
import type { DecisionLog } from './decision-log';
import { CacheAccessError } from './errors';
import { METRICS_NAMESPACE, THROTTLED_CALLS } from './metric-names';

/** Kept back from the Lambda timeout so a run that runs out of time still logs and reports why. */
const RESERVE_MS = 10_000;

/** What a handler body gets for one invocation. */
export interface HandlerRun {
  /** The Lambda's remaining time, minus the reserve: every wait is bounded by it. */
  readonly deadline: Deadline;
  readonly metrics: Metrics;
  /**
   * Names what the invocation is working on, as precisely as is known so far: a failure message
   * starts with it, and `keys` go into every later log line.
   */
  workingOn(subject: string, keys?: Readonly<Record<string, unknown>>): void;
}

export interface HandlerShape {
  /** The Powertools service name: a key in every log line and a metric dimension. */
  readonly serviceName: string;
  /** What one invocation does, for the failure log line: `rotation step`. */
  readonly activity: string;
  /** What the invocation works on before the event is read: `rotation event`. */
  readonly subject: string;
  /** Emitted once per invocation that ends well. */
  readonly succeededMetric: string;
  /** Emitted once per invocation that fails, for any reason, malformed events included. */
  readonly failedMetric: string;
  /** What a failure is raised as: the message names the subject, `cause` holds the specific error. */
  readonly failure: new (
    message: string,
    options: { cause: unknown },
  ) => CacheAccessError;
}

/**
 * The one shape every function has: Powertools logger and metrics, the deadline, one outcome metric,
 * and a failure that names what it was working on. Domain objects are built at module scope with
 * `logDecision`; the handler body only reads the event, calls the domain and maps the result.
 */
export function defineHandler(shape: HandlerShape) {
  const logger = new Logger({ serviceName: shape.serviceName });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: shape.serviceName });
  const logDecision: DecisionLog = (message, data) => logger.info(message, { ...data });
  // Published at once with only the service dimension, so a throttle counts the same whatever the
  // invocation adds (the rotation step) and even when the invocation then fails.
  const countThrottled = () => metrics.singleMetric().addMetric(THROTTLED_CALLS, MetricUnit.Count, 1);

  function handler<Result>(body: (event: unknown, run: HandlerRun, context: Context) => Promise<Result>) {
    const invoke = async (event: unknown, context: Context): Promise<Result> => {
      let subject = shape.subject;
      const run: HandlerRun = {
        deadline: Deadline.after(systemClock, context.getRemainingTimeInMillis(), RESERVE_MS),
        metrics,
        workingOn: (what, keys) => {
          subject = what;
          if (keys) logger.appendKeys({ ...keys });
        },
      };
      try {
        const result = await body(event, run, context);
        metrics.addMetric(shape.succeededMetric, MetricUnit.Count, 1);
        return result;
      } catch (error) {
        metrics.addMetric(shape.failedMetric, MetricUnit.Count, 1);
        const reason = error instanceof CacheAccessError ? error.name : 'UnexpectedError';
        const detail = error instanceof Error ? error.message : String(error);
        const failure = new shape.failure(`${subject} failed: ${detail}`, { cause: error });
        logger.error(`${shape.activity} failed`, { reason, error: failure });
        throw failure;
      }
    };
    return middy(invoke)
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(logMetrics(metrics));
  }

  return { logger, metrics, logDecision, countThrottled, handler };
}

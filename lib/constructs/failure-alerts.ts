import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** What should page someone: function errors, failed rotations and runs that gave up for good. */
export interface FailureAlertsProps {
  /**
   * Functions whose errors should page someone, by a stable name used in construct ids.
   * @default - none
   */
  readonly functions?: Readonly<Record<string, lambda.IFunction>>;
  /**
   * Page on every failed or abandoned Secrets Manager rotation in the stack's account and region.
   * The rule names no secret: an event pattern is limited to 2,048 characters, about 16 secret ARNs.
   * @default false
   */
  readonly rotationFailures?: boolean;
  /**
   * Queues that collect runs that failed for good, by a stable name used in construct ids.
   * @default - none
   */
  readonly deadLetterQueues?: Readonly<Record<string, sqs.IQueue>>;
  /**
   * Dead-letter queues that SQS itself fills through a redrive policy, by a stable name used in construct
   * ids. SQS counts no message it moves there as sent, so these alarm on the waiting count going up.
   * @default - none
   */
  readonly redriveQueues?: Readonly<Record<string, sqs.IQueue>>;
}

/** Secrets Manager reports these rotation outcomes only as CloudTrail service events; there is no metric. */
const ROTATION_FAILURE_EVENTS = ['RotationFailed', 'TestRotationFailed', 'RotationAbandoned'];

const ENCRYPT_FOR_TOPIC = ['kms:Decrypt', 'kms:GenerateDataKey*'];

/**
 * One encrypted SNS topic that receives every failure worth waking up for: Secrets Manager's
 * rotation failure events, errors of the functions and anything that
 * lands in a dead-letter queue. The topic policy replaces SNS's default one, so every publisher
 * (CloudWatch for the alarms, EventBridge for the rule) gets its own Allow, tied to this
 * account and to the alarms and rule it created.
 */
export class FailureAlerts extends Construct {
  readonly topic: sns.Topic;
  private readonly created: cloudwatch.Alarm[] = [];
  /** The rule that forwards failed rotations, when there are secrets to watch. */
  readonly rotationFailedRule?: events.Rule;

  constructor(scope: Construct, id: string, props: FailureAlertsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // A customer managed key, because EventBridge and CloudWatch cannot publish to a topic
    // encrypted with the AWS managed SNS key.
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts cache-access-automation failure alerts',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsEncryptAlerts',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ENCRYPT_FOR_TOPIC,
        resources: ['*'],
        // The key policy cannot name the alarms themselves (they depend on the topic, which depends
        // on the key), so it names this account's alarms; the topic policy names the exact ones.
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'RulesEncryptAlerts',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ENCRYPT_FOR_TOPIC,
        resources: ['*'],
        // No source conditions: AWS documents them as unsupported for EventBridge delivery to an
        // encrypted topic, and a condition here silently drops every event.
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'cache-access-automation failures',
      masterKey: key,
      enforceSSL: true,
    });

    if (props.rotationFailures) {
      this.rotationFailedRule = new events.Rule(this, 'RotationFailed', {
        description: 'Secrets Manager could not rotate a secret (the message names it)',
        eventPattern: {
          source: ['aws.secretsmanager'],
          detailType: ['AWS Service Event via CloudTrail'],
          detail: { eventName: ROTATION_FAILURE_EVENTS },
        },
        // A bare target: CDK's SnsTopic target would add an Allow with no conditions; the one below
        // names this rule and this account.
        targets: [{ bind: () => ({ arn: this.topic.topicArn }) }],
      });
      this.allowPublish('RulesPublishAlerts', 'events.amazonaws.com', [this.rotationFailedRule.ruleArn]);
    }

    for (const [name, fn] of Object.entries(props.functions ?? {})) {
      this.alarm(`${name}Errors`, {
        alarmDescription: `${fn.functionName} failed; its log group says which secret or group and why`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      });
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues ?? {})) {
      this.alarm(`${name}DeadLetters`, {
        alarmDescription: `Runs gave up after their retries and wait in ${queue.queueName}; each message says which group and why`,
        // Messages sent, not messages waiting: with one old message kept for 14 days, a waiting-count
        // alarm would stay in ALARM and stay silent about every later failure.
        metric: queue.metricNumberOfMessagesSent({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.SUM,
        }),
      });
    }
    for (const [name, queue] of Object.entries(props.redriveQueues ?? {})) {
      this.alarm(`${name}DeadLetters`, {
        alarmDescription: `Events failed every delivery and wait in ${queue.queueName}; the function's log says which event and why, and a message move task puts them back once fixed`,
        // The rise, not the level: a level alarm stays in ALARM while one old message waits, silent
        // about every later one.
        metric: new cloudwatch.MathExpression({
          expression: 'DIFF(waiting)',
          usingMetrics: {
            waiting: queue.metricApproximateNumberOfMessagesVisible({
              period: Duration.minutes(5),
              statistic: cloudwatch.Stats.MAXIMUM,
            }),
          },
          label: `${name} dead letters added`,
          period: Duration.minutes(5),
        }),
      });
    }
    if (this.alarms.length > 0) {
      this.allowPublish(
        'AlarmsPublishAlerts',
        'cloudwatch.amazonaws.com',
        this.alarms.map((alarm) => alarm.alarmArn),
      );
    }
  }

  /** Every alarm that publishes to the topic. */
  get alarms(): readonly cloudwatch.Alarm[] {
    return this.created;
  }

  /** Any occurrence at all is worth an alert. */
  private alarm(id: string, props: { alarmDescription: string; metric: cloudwatch.IMetric }): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      ...props,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.created.push(alarm);
  }

  private allowPublish(sid: string, service: string, sourceArns: string[]): void {
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals: [new iam.ServicePrincipal(service)],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: { 'aws:SourceArn': sourceArns },
        },
      }),
    );
  }
}

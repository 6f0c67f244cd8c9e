import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthStack } from '../support/synth';
import { allStatements, onlyLogicalId } from '../support/template';

const GROUP = 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug';

const synth = (membership: Record<string, unknown>) => synthStack({ membership }, { id: 'Access' }).template;

const requestsOnly = synth({
  requests: { eventBusName: 'team-access', rules: [{ name: 'oncall', groupArn: GROUP, users: ['alice'] }] },
});
const withoutRequests = synth({
  grants: [
    {
      name: 'day',
      groupArn: GROUP,
      users: ['alice'],
      windows: [{ days: ['MON'], from: '09:00', to: '17:00', timeZone: 'UTC' }],
    },
  ],
});
const fnId = (template: Template) => onlyLogicalId(template, 'AWS::Lambda::Function');

describe('access requests in the stack', () => {
  it('synthesizes maximum durations in weeks, which the config allows and CDK cannot parse', () => {
    const weeks = {
      requests: {
        maxDuration: 'P4W',
        rules: [{ name: 'oncall', groupArn: GROUP, users: ['alice'], maxDuration: 'P1W' }],
      },
    };

    expect(() => synth(weeks)).not.toThrow();
  });

  it('creates the named bus and outputs its name and ARN', () => {
    // Arrange
    const bus = onlyLogicalId(requestsOnly, 'AWS::Events::EventBus');

    // Assert
    requestsOnly.hasResourceProperties('AWS::Events::EventBus', { Name: 'team-access' });
    requestsOnly.hasOutput('*', { Value: { Ref: bus } });
    requestsOnly.hasOutput('*', { Value: { 'Fn::GetAtt': [bus, 'Arn'] } });
  });

  it('routes exactly the four request detail-types from any source but its own to the function, dead-lettering to the failure queue', () => {
    // Assert
    requestsOnly.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: onlyLogicalId(requestsOnly, 'AWS::Events::EventBus') },
      EventPattern: {
        'detail-type': [
          'Cache Access Requested',
          'Cache Access Revoked',
          'Cache User Suspended',
          'Cache User Reinstated',
        ],
        source: [{ 'anything-but': ['cache-access-automation'] }],
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fnId(requestsOnly), 'Arn'] },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [failedRunsId(requestsOnly), 'Arn'] },
          },
        }),
      ],
    });
  });

  it('keeps grants in an on-demand table with point-in-time recovery and TTL, retained when the stack goes', () => {
    // Assert
    requestsOnly.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'retireAt', Enabled: true },
      }),
    });
  });

  it('gives the function the bus, the table, the expiry group, the Scheduler role and the failure queue in its environment', () => {
    // Act
    const variables =
      requestsOnly.findResources('AWS::Lambda::Function')[fnId(requestsOnly)]?.Properties.Environment
        .Variables;

    // Assert
    expect(variables).toMatchObject({
      EVENT_BUS_NAME: { Ref: onlyLogicalId(requestsOnly, 'AWS::Events::EventBus') },
      ACCESS_TABLE_NAME: { Ref: onlyLogicalId(requestsOnly, 'AWS::DynamoDB::Table') },
      EXPIRY_SCHEDULE_GROUP: expect.stringMatching(/^Access-Membership-Expiries-/),
      SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [expect.stringMatching(/SchedulerRole/), 'Arn'] },
      DEAD_LETTER_ARN: { 'Fn::GetAtt': [failedRunsId(requestsOnly), 'Arn'] },
    });
  });

  it('lets the function set expiries only in its own group, pass only the Scheduler role to Scheduler, and answer only on its bus', () => {
    // Act
    const bySid = new Map(allStatements(requestsOnly).map(({ statement }) => [statement.Sid, statement]));

    // Assert
    expect(JSON.stringify(bySid.get('ScheduleExpiries')?.Resource)).toContain(':schedule/');
    expect(bySid.get('ScheduleExpiries')?.Action).toEqual([
      'scheduler:CreateSchedule',
      'scheduler:DeleteSchedule',
    ]);
    expect(bySid.get('PassSchedulerRole')).toMatchObject({
      Action: 'iam:PassRole',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/SchedulerRole/), 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    });
    expect(bySid.get('AnswerRequests')?.Resource).toEqual({
      'Fn::GetAtt': [onlyLogicalId(requestsOnly, 'AWS::Events::EventBus'), 'Arn'],
    });
    expect(bySid.has('PublishMembershipChanges')).toBe(false);
  });

  it('queues bursts: batches of up to 1,000 gathered for a second, two at a time, failed events reported alone and set aside after five deliveries', () => {
    // Arrange
    const queues = Object.entries(requestsOnly.findResources('AWS::SQS::Queue'));
    const [queueId, queue] = queues.find(([id]) => id.startsWith('MembershipRequestQueue')) ?? [];
    const [failuresId] = queues.find(([id]) => id.startsWith('MembershipRequestFailures')) ?? [];
    const functionTimeout =
      requestsOnly.findResources('AWS::Lambda::Function')[fnId(requestsOnly)]?.Properties.Timeout;

    // Assert
    expect(queue?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      // AWS's advice: six times the function's timeout, so a slow batch is not handed out twice.
      VisibilityTimeout: functionTimeout * 6,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [failuresId, 'Arn'] }, maxReceiveCount: 5 },
    });
    requestsOnly.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: fnId(requestsOnly) },
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 1,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(
      requestsOnly.findResources('AWS::Lambda::Function')[fnId(requestsOnly)]?.Properties.Environment
        .Variables.REQUEST_QUEUE_URL,
    ).toEqual({ Ref: queueId });
  });

  it('lets the function put events on its request queue and take batches from it, and nothing else of SQS', () => {
    // Act
    const sqsStatements = allStatements(requestsOnly)
      .map(({ statement }) => statement)
      .filter((statement) => JSON.stringify(statement.Action).includes('sqs:'));

    // Assert
    const queueArn = { 'Fn::GetAtt': [expect.stringMatching(/^MembershipRequestQueue/), 'Arn'] };
    const bySid = new Map(sqsStatements.map((statement) => [statement.Sid, statement]));
    expect(bySid.get('DeferBurstsToQueue')).toMatchObject({ Action: 'sqs:SendMessage', Resource: queueArn });
    expect(bySid.get('TakeQueuedBatches')).toMatchObject({
      Action: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ChangeMessageVisibility',
      ],
      Resource: queueArn,
    });
  });

  it('alarms when events land in the request failure queue, by the rise in waiting messages: SQS counts no redriven message as sent', () => {
    // Act
    const alarms = Object.values(requestsOnly.findResources('AWS::CloudWatch::Alarm'));
    const redrive = alarms.find((alarm) => JSON.stringify(alarm.Properties).includes('DIFF(waiting)'));

    // Assert
    expect(JSON.stringify(redrive?.Properties.Metrics)).toContain('ApproximateNumberOfMessagesVisible');
    expect(JSON.stringify(redrive?.Properties.Metrics)).toMatch(/MembershipRequestFailures/);
    expect(redrive?.Properties.AlarmActions).toHaveLength(1);
  });

  it('schedules only the periodic reconcile when there are no windows', () => {
    requestsOnly.resourceCountIs('AWS::Scheduler::Schedule', 1);
  });

  it('creates no bus, rule or expiry group without requests, and keeps the grant table', () => {
    withoutRequests.resourceCountIs('AWS::Events::EventBus', 0);
    withoutRequests.resourceCountIs('AWS::Events::Rule', 0);
    withoutRequests.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    withoutRequests.resourceCountIs('AWS::DynamoDB::Table', 1);
  });

  it('lets the function make and delete users and secrets only under its own prefixes, and says which in its environment', () => {
    // Arrange
    const ephemeral = synth({
      requests: {
        rules: [
          {
            name: 'debug',
            groupArn: GROUP,
            ephemeral: {
              accessString: 'on ~* -@all +@read',
              readers: ['arn:aws:iam::123456789012:role/oncall'],
            },
          },
        ],
      },
    });
    const bySid = new Map(allStatements(ephemeral).map(({ statement }) => [statement.Sid, statement]));
    const fn = ephemeral.findResources('AWS::Lambda::Function');
    const env = (
      Object.values(fn)[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }
    ).Properties.Environment.Variables;

    // Assert
    expect(env.EPHEMERAL_USER_PREFIX).toMatch(/^jit-[0-9a-f]{6}-$/);
    expect(env.EPHEMERAL_SECRET_PREFIX).toMatch(/^cache-access\/jit-[0-9a-f]{6}\/$/);
    expect(env.FUNCTION_ROLE_ARN).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/ReconcilerRole/), 'Arn'] });
    expect(bySid.get('EphemeralElastiCacheUsers')).toMatchObject({
      Action: [
        'elasticache:CreateUser',
        'elasticache:AddTagsToResource',
        'elasticache:ModifyUser',
        'elasticache:DeleteUser',
        'elasticache:ListTagsForResource',
      ],
      Resource: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            `:elasticache:eu-west-1:123456789012:user:${env.EPHEMERAL_USER_PREFIX}*`,
          ],
        ],
      },
    });
    expect(bySid.has('EphemeralMemoryDbUsers')).toBe(false);
    expect(bySid.get('EphemeralCredentials')).toMatchObject({
      Action: [
        'secretsmanager:CreateSecret',
        'secretsmanager:TagResource',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutResourcePolicy',
        'secretsmanager:PutSecretValue',
        'secretsmanager:DeleteSecret',
      ],
      Resource: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            `:secretsmanager:eu-west-1:123456789012:secret:${env.EPHEMERAL_SECRET_PREFIX}*`,
          ],
        ],
      },
    });
    expect(bySid.get('FindEphemeralCredentials')).toMatchObject({
      Action: 'secretsmanager:ListSecrets',
      Resource: '*',
    });
  });

  it('gives no ephemeral permissions or prefixes to a stack whose rules name existing users only', () => {
    const sids = allStatements(requestsOnly).map(({ statement }) => statement.Sid ?? '');
    expect(sids.filter((sid) => sid.includes('Ephemeral'))).toEqual([]);
    expect(JSON.stringify(requestsOnly.toJSON())).not.toContain('EPHEMERAL_USER_PREFIX');
  });
});

/** The function's failure queue: the one queue with no redrive of its own and not the request queue's. */
function failedRunsId(template: Template): string {
  const ids = Object.keys(template.findResources('AWS::SQS::Queue')).filter((id) =>
    id.startsWith('MembershipFailedRuns'),
  );
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
}

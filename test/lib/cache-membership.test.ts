import { readFileSync } from 'node:fs';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthStack } from '../support/synth';
import { allStatements, asList, onlyLogicalId, wildcardStatements } from '../support/template';

const ACCOUNT = '111122223333';
const REGION = 'eu-central-1';
const GROUP = `arn:aws:elasticache:${REGION}:${ACCOUNT}:usergroup:prod-ug`;
const ACL = `arn:aws:memorydb:${REGION}:${ACCOUNT}:acl/prod-acl`;
const NOW = new Date('2026-11-01T00:00:00Z');
const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI'];
const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';

const OFFICE_HOURS = { days: WEEKDAYS, from: '09:00', to: '18:00', timeZone: 'Europe/Berlin' };
const GRANTS = [
  { name: 'oncall', groupArn: GROUP, users: ['alice', 'dave'], windows: [OFFICE_HOURS] },
  // The same window as oncall: its two boundaries must not get schedules of their own.
  { name: 'oncall-backup', groupArn: GROUP, users: ['erin'], windows: [OFFICE_HOURS] },
  {
    name: 'night-batch',
    groupArn: GROUP,
    users: ['batch-loader'],
    windows: [{ days: ['FRI'], from: '22:00', to: '05:30', timeZone: 'America/New_York' }],
  },
  {
    name: 'contractor',
    groupArn: ACL,
    users: ['bob'],
    windows: [
      { start: '2026-12-01T09:00:00+01:00', end: '2026-12-15T18:00:00+01:00' },
      // Entirely past: no schedule.
      { start: '2026-01-05T09:00:00+01:00', end: '2026-01-06T09:00:00+01:00' },
      // Started before NOW: only its end gets a schedule.
      { start: '2026-10-01T00:00:00Z', end: '2026-11-10T12:30:00-05:00' },
    ],
  },
];

/** `now` is fixed so that which one-time boundaries still get a schedule is the same on every run. */
const synth = (config: unknown, now: Date = NOW) => synthStack(config, { now });

const membershipOnly = synth({ membership: { reconcileEvery: 'rate(5 minutes)', grants: GRANTS } });
const example = synth(
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context.cacheAccess,
);

interface ScheduleProps {
  readonly ScheduleExpression: string;
  readonly ScheduleExpressionTimezone?: string;
  readonly FlexibleTimeWindow: { readonly Mode: string };
  readonly Target: { readonly Input: string; readonly Arn: unknown; readonly DeadLetterConfig?: unknown };
}

function schedules(template: Template): ScheduleProps[] {
  return Object.values(template.findResources('AWS::Scheduler::Schedule')).map(
    (resource) => resource.Properties as ScheduleProps,
  );
}

/** Each window-boundary schedule as `<expression> <time zone>`, sorted. */
function boundaries(template: Template): string[] {
  return schedules(template)
    .filter((schedule) => JSON.parse(schedule.Target.Input).trigger === 'window-boundary')
    .map((s) => `${s.ScheduleExpression} ${s.ScheduleExpressionTimezone}`)
    .sort();
}

/** The logical id of the only function that publishes membership events. */
function membershipFunctionId(template: Template): string {
  const ids = Object.entries(template.findResources('AWS::Lambda::Function'))
    .filter(([, fn]) => fn.Properties.Environment?.Variables?.EVENT_BUS_NAME !== undefined)
    .map(([id]) => id);
  expect(ids, 'membership functions').toHaveLength(1);
  return ids[0] ?? '';
}
const queueId = (template: Template) => onlyLogicalId(template, 'AWS::SQS::Queue');

describe('CacheMembership schedules', () => {
  it('schedules one reconcile of every group at the configured rate with the trigger and the scheduled time', () => {
    // Arrange
    const { template } = membershipOnly;

    // Act
    const reconciles = schedules(template).filter((s) => s.ScheduleExpression === 'rate(5 minutes)');

    // Assert
    expect(reconciles.map((s) => JSON.parse(s.Target.Input))).toEqual([
      { trigger: 'reconcile', scheduledTime: SCHEDULED_TIME },
    ]);
  });

  it("schedules every distinct boundary once: cron in the window's own zone, at() in UTC for one-time windows", () => {
    // Arrange
    const { template } = membershipOnly;

    // Act
    const found = boundaries(template);

    // Assert
    expect(found).toEqual(
      [
        'cron(0 9 ? * MON,TUE,WED,THU,FRI *) Europe/Berlin',
        'cron(0 18 ? * MON,TUE,WED,THU,FRI *) Europe/Berlin',
        'cron(0 22 ? * FRI *) America/New_York',
        'cron(30 5 ? * SAT *) America/New_York',
        'at(2026-12-01T08:00:00) Etc/UTC',
        'at(2026-12-15T17:00:00) Etc/UTC',
        'at(2026-11-10T17:30:00) Etc/UTC',
      ].sort(),
    );
  });

  it('closes an overnight window on the day after each opening day', () => {
    // Arrange
    const config = {
      membership: {
        grants: [
          {
            name: 'weekend-nights',
            groupArn: GROUP,
            users: ['batch-loader'],
            windows: [{ days: ['FRI', 'SAT', 'SUN'], from: '23:00', to: '01:15', timeZone: 'Asia/Tokyo' }],
          },
        ],
      },
    };

    // Act
    const found = boundaries(synth(config).template);

    // Assert
    expect(found).toEqual([
      'cron(0 23 ? * FRI,SAT,SUN *) Asia/Tokyo',
      'cron(15 1 ? * MON,SAT,SUN *) Asia/Tokyo',
    ]);
  });

  it('converts a one-time window from its offset to UTC for at()', () => {
    // Arrange
    const { template } = membershipOnly;

    // Act & Assert
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'at(2026-12-01T08:00:00)',
      ScheduleExpressionTimezone: 'Etc/UTC',
    });
  });

  it('schedules a one-time window written in ISO 8601 basic format like the extended one', () => {
    // Arrange
    const config = {
      membership: {
        grants: [
          {
            name: 'contractor',
            groupArn: ACL,
            users: ['bob'],
            windows: [{ start: '20261201T090000+01:00', end: '20261215T180000+01:00' }],
          },
        ],
      },
    };

    // Act
    const found = boundaries(synth(config).template);

    // Assert
    expect(found).toEqual(['at(2026-12-01T08:00:00) Etc/UTC', 'at(2026-12-15T17:00:00) Etc/UTC']);
  });

  it('gives a one-time window no boundary schedules once both boundaries are past', () => {
    // Arrange
    const config = { membership: { grants: GRANTS.filter((grant) => grant.name === 'contractor') } };

    // Act
    const found = boundaries(synth(config, new Date('2027-01-01T00:00:00Z')).template);

    // Assert
    expect(found).toEqual([]);
  });

  it('sends window-boundary as the trigger with the scheduled time and no group: every group is reconciled', () => {
    // Arrange
    const { template } = membershipOnly;

    // Act
    const inputs = schedules(template)
      .filter((s) => s.ScheduleExpression.startsWith('cron(0 9 '))
      .map((s) => JSON.parse(s.Target.Input));

    // Assert
    expect(inputs).toEqual([{ trigger: 'window-boundary', scheduledTime: SCHEDULED_TIME }]);
  });

  it('turns the flexible time window off, targets the membership function and dead-letters to the failure queue on every schedule', () => {
    // Arrange
    const { template } = membershipOnly;
    const fn = membershipFunctionId(template);
    const queue = queueId(template);
    const role = onlyLogicalId(template, 'AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
        },
      },
    });

    // Act
    const all = schedules(template);

    // Assert
    expect(all).toHaveLength(8);
    for (const schedule of all) {
      expect(schedule).toMatchObject({
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
          RoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
        },
      });
    }
  });

  it('gives a boundary shared by groups of both engines one schedule', () => {
    // Arrange
    const config = {
      membership: {
        grants: [
          { name: 'ug', groupArn: GROUP, users: ['alice'], windows: [OFFICE_HOURS] },
          { name: 'acl', groupArn: ACL, users: ['bob'], windows: [OFFICE_HOURS] },
        ],
      },
    };

    // Act
    const found = boundaries(synth(config).template);

    // Assert
    expect(found).toEqual([
      'cron(0 18 ? * MON,TUE,WED,THU,FRI *) Europe/Berlin',
      'cron(0 9 ? * MON,TUE,WED,THU,FRI *) Europe/Berlin',
    ]);
  });

  it('deletes the schedule group, and with it every schedule, when the stack is deleted', () => {
    membershipOnly.template.hasResource('AWS::Scheduler::ScheduleGroup', { DeletionPolicy: 'Delete' });
  });

  it('keeps the logical ids of every schedule when the grants are reordered', () => {
    // Arrange
    const ids = (template: Template) =>
      Object.keys(template.findResources('AWS::Scheduler::Schedule')).sort();

    // Act
    const reordered = synth({
      membership: { reconcileEvery: 'rate(5 minutes)', grants: [...GRANTS].reverse() },
    });

    // Assert
    expect(ids(reordered.template)).toEqual(ids(membershipOnly.template));
  });
});

describe('CacheMembership function and failures', () => {
  it('runs the membership function on Node.js 24 arm64 for up to 10 minutes', () => {
    // Arrange
    const { template } = membershipOnly;

    // Act & Assert
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 600,
      VpcConfig: Match.absent(),
    });
  });

  it('names the default event bus and the grant table in the environment and keeps the grants out of it', () => {
    // Arrange
    const { template } = membershipOnly;

    // Act
    const fn = template.findResources('AWS::Lambda::Function')[membershipFunctionId(template)];
    const variables = fn?.Properties.Environment.Variables;

    // Assert
    // The plan travels in the bundle: Lambda caps all variables together at 4 KB.
    expect(variables).toEqual({
      POWERTOOLS_LOG_LEVEL: 'INFO',
      EVENT_BUS_NAME: 'default',
      ACCESS_TABLE_NAME: { Ref: onlyLogicalId(template, 'AWS::DynamoDB::Table') },
    });
    expect(JSON.stringify(variables)).not.toContain('batch-loader');
  });

  it('retries a failed run twice within an hour, then sends it to the failure queue', () => {
    // Arrange
    const { template } = membershipOnly;

    // Act & Assert
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: membershipFunctionId(template) },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId(template), 'Arn'] } } },
    });
  });

  it('encrypts the failure queue and refuses access without TLS', () => {
    // Arrange
    const { template } = membershipOnly;
    const queue = queueId(template);

    // Act & Assert
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('alarms the alert topic for every message sent to the failure queue, not only the first', () => {
    // Arrange
    const { template } = membershipOnly;
    const topic = onlyLogicalId(template, 'AWS::SNS::Topic');

    // Act & Assert
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'NumberOfMessagesSent',
      Statistic: 'Sum',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId(template), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topic }],
    });
  });

  it('alarms the alert topic on any error of the membership function', () => {
    // Arrange
    const { template } = membershipOnly;

    // Act & Assert
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: membershipFunctionId(template) } }],
      AlarmActions: [{ Ref: onlyLogicalId(template, 'AWS::SNS::Topic') }],
    });
  });
});

describe('CacheMembership permissions', () => {
  it('grants each engine its group and member actions on exactly the configured groups, user reads on its users, and the grant table', () => {
    // Arrange
    const { template } = membershipOnly;
    const anyUser = (engine: string, prefix: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${engine}:${REGION}:${ACCOUNT}:${prefix}*`]],
    });

    // Act
    const policy = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: {
          PolicyDocument: {
            Statement: Match.arrayWith([Match.objectLike({ Sid: 'ReadElastiCacheGroups' })]),
          },
        },
      }),
    );

    // Assert
    expect(policy).toHaveLength(1);
    expect(policy[0]?.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'ReadElastiCacheGroups',
        Effect: 'Allow',
        Action: 'elasticache:DescribeUserGroups',
        Resource: GROUP,
      },
      {
        Sid: 'ChangeElastiCacheMembers',
        Effect: 'Allow',
        Action: 'elasticache:ModifyUserGroup',
        Resource: [GROUP, anyUser('elasticache', 'user:')],
      },
      {
        Sid: 'DescribeElastiCacheMembers',
        Effect: 'Allow',
        Action: 'elasticache:DescribeUsers',
        Resource: anyUser('elasticache', 'user:'),
      },
      { Sid: 'ReadMemoryDbGroups', Effect: 'Allow', Action: 'memorydb:DescribeACLs', Resource: ACL },
      {
        Sid: 'ChangeMemoryDbMembers',
        Effect: 'Allow',
        Action: 'memorydb:UpdateACL',
        Resource: [ACL, anyUser('memorydb', 'user/')],
      },
      {
        Sid: 'DescribeMemoryDbMembers',
        Effect: 'Allow',
        Action: 'memorydb:DescribeUsers',
        Resource: anyUser('memorydb', 'user/'),
      },
      {
        Sid: 'KeepGrantRecords',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        Resource: { 'Fn::GetAtt': [onlyLogicalId(template, 'AWS::DynamoDB::Table'), 'Arn'] },
      },
      {
        Sid: 'PublishMembershipChanges',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, `:events:${REGION}:${ACCOUNT}:event-bus/default`],
          ],
        },
      },
    ]);
  });

  it('reads two or more groups of an engine with one list call, allowed on every group of the account and region', () => {
    // Arrange
    const second = GROUP.replace('prod-ug', 'staging-ug');
    const { template } = synth({
      membership: {
        grants: [
          { name: 'prod', groupArn: GROUP, users: ['alice'], windows: [OFFICE_HOURS] },
          { name: 'staging', groupArn: second, users: ['alice'], windows: [OFFICE_HOURS] },
          { name: 'acl', groupArn: ACL, users: ['bob'], windows: [OFFICE_HOURS] },
        ],
      },
    });

    // Act
    const statements = allStatements(template).map(({ statement }) => statement);

    // Assert: the list pattern only for ElastiCache, which has two groups; changes stay exact
    const read = (sid: string) => statements.find((statement) => statement.Sid === sid)?.Resource;
    expect(JSON.stringify(read('ReadElastiCacheGroups'))).toContain(':usergroup:*');
    expect(read('ReadMemoryDbGroups')).toBe(ACL);
    const change = statements.find((statement) => statement.Sid === 'ChangeElastiCacheMembers');
    expect(asList(change?.Resource)).toEqual(expect.arrayContaining([GROUP, second]));
    expect(JSON.stringify(change?.Resource)).not.toContain('usergroup:*');
  });

  it('grants group, user and event actions in no other statement', () => {
    // Arrange
    const { template } = membershipOnly;

    // Act
    const actions = allStatements(template)
      .flatMap(({ statement }) => asList(statement.Action))
      .filter((action) => /^(elasticache|memorydb|events|secretsmanager):/.test(String(action)));

    // Assert
    expect(actions.sort()).toEqual(
      [
        'elasticache:DescribeUserGroups',
        'elasticache:DescribeUsers',
        'elasticache:ModifyUserGroup',
        'events:PutEvents',
        'memorydb:DescribeACLs',
        'memorydb:DescribeUsers',
        'memorydb:UpdateACL',
      ].sort(),
    );
  });

  it('names a wildcard resource only for the users a change may name and the versions of the function the scheduler invokes', () => {
    // Arrange
    const { template } = membershipOnly;
    const fn = membershipFunctionId(template);

    // Act
    const wildcards = wildcardStatements(template).map(({ statement }) => statement);

    // Assert: the change statements still name their exact groups beside the user pattern; the user
    // reads name the same pattern
    expect(wildcards).toHaveLength(5);
    expect(wildcards).toContainEqual({
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: [{ 'Fn::GetAtt': [fn, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [fn, 'Arn'] }, ':*']] }],
    });
    const changes = wildcards.filter((statement) => statement.Sid?.startsWith('Change'));
    expect(changes.map((statement) => asList(statement.Resource)[0])).toEqual([GROUP, ACL]);
    const reads = wildcards.filter((statement) => statement.Sid?.startsWith('Describe'));
    expect(reads.map((statement) => statement.Action)).toEqual([
      'elasticache:DescribeUsers',
      'memorydb:DescribeUsers',
    ]);
  });

  it("lets only EventBridge Scheduler of the stack account, for the stack's own schedule group, assume the scheduler role", () => {
    // Arrange
    const { template } = membershipOnly;
    const group = onlyLogicalId(template, 'AWS::Scheduler::ScheduleGroup');
    const groupName = template.findResources('AWS::Scheduler::ScheduleGroup')[group]?.Properties.Name;

    // Act
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
        },
      },
    });
    const [trust] = Object.values(roles).map((role) => role.Properties.AssumeRolePolicyDocument.Statement);

    // Assert
    expect(trust).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnLike: {
            'aws:SourceArn': [
              { 'Fn::GetAtt': [group, 'Arn'] },
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    `:scheduler:${REGION}:${ACCOUNT}:schedule/${groupName}/*`,
                  ],
                ],
              },
            ],
          },
        },
      },
    ]);
  });
});

describe('CacheAccessStack with membership', () => {
  it('builds a membership-only config with no rotation function, secret or Secrets Manager rule, in the groups account and region', () => {
    // Arrange
    const { stack, template } = membershipOnly;

    // Act
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));

    // Assert
    expect(functions).toEqual([membershipFunctionId(template)]);
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    expect([stack.account, stack.region]).toEqual([ACCOUNT, REGION]);
  });

  it('builds the example config with a rotation function, a membership function and the owned-groups function side by side', () => {
    // Arrange
    const { template } = example;

    // Act
    const functions = template.findResources('AWS::Lambda::Function');

    // Assert
    expect(Object.keys(functions)).toHaveLength(3);
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 900, VpcConfig: Match.anyValue() });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 600, VpcConfig: Match.absent() });
    expect(schedules(template)).toHaveLength(7);
  });

  it('names a wildcard resource in the example stack only for VPC interfaces, member users (changes and reads), expiry schedules, ephemeral users and secrets, and the invoke of the membership function', () => {
    // Arrange
    const { template } = example;

    // Act
    const wildcards = wildcardStatements(template).map(
      ({ statement }) => statement.Sid ?? asList(statement.Action)[0],
    );

    // Assert
    expect(wildcards.sort()).toEqual(
      [
        'ec2:CreateNetworkInterface',
        'ChangeElastiCacheMembers',
        'ChangeMemoryDbMembers',
        'DescribeElastiCacheMembers',
        'DescribeMemoryDbMembers',
        'ScheduleExpiries',
        // Two ElastiCache groups (prod-ug, jit-ug): read with one list call.
        'ReadElastiCacheGroups',
        'EphemeralElastiCacheUsers',
        'EphemeralMemoryDbUsers',
        // MemoryDB authorizes CreateUser on "*" only; a request-tag condition narrows it.
        'EphemeralMemoryDbCreate',
        'EphemeralCredentials',
        'FindEphemeralCredentials',
        'lambda:InvokeFunction',
      ].sort(),
    );
  });
});

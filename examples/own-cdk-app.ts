import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  CacheAccessDashboard,
  CacheGroup,
  CacheMembership,
  CacheUser,
  CredentialRotation,
  FailureAlerts,
  OwnedCacheGroups,
} from 'cache-access-automation';

const app = new App();
const stack = new Stack(app, 'Caches', { env: { account: '123456789012', region: 'eu-west-1' } });

const rotation = new CredentialRotation(stack, 'Rotation', {
  users: [
    {
      user: CacheUser.fromArn('arn:aws:elasticache:eu-west-1:123456789012:user:app-writer'),
      secret: secretsmanager.Secret.fromSecretCompleteArn(
        stack,
        'WriterSecret',
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-writer-AbCdEf',
      ),
      endpoint: { host: 'master.prod.abc123.euw1.cache.amazonaws.com' },
    },
  ],
  schedule: events.Schedule.rate(Duration.days(7)),
});

// A group made through the API, so CloudFormation never owns (and never undoes) its members.
const debugGroup = CacheGroup.fromArn('arn:aws:elasticache:eu-west-1:123456789012:usergroup:debug-ug');
const owned = new OwnedCacheGroups(stack, 'OwnedGroups', {
  groups: [{ group: debugGroup, serverEngine: 'valkey', removalPolicy: RemovalPolicy.DESTROY }],
});
new elasticache.CfnServerlessCache(stack, 'DebugCache', {
  serverlessCacheName: 'debug',
  engine: 'valkey',
  userGroupId: owned.groupOf(debugGroup).groupId,
});

const membership = new CacheMembership(stack, 'Membership', {
  grants: [
    {
      name: 'oncall-business-hours',
      group: CacheGroup.fromArn('arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug'),
      users: ['alice', 'dave'],
      windows: [
        { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], from: '09:00', to: '18:00', timeZone: 'Europe/Berlin' },
      ],
    },
  ],
  requests: {
    rules: [
      {
        name: 'readonly-debug',
        group: debugGroup,
        maxDuration: Duration.hours(2),
        ephemeral: {
          accessString: 'on ~* &* -@all +@read',
          readers: ['arn:aws:iam::123456789012:role/oncall'],
        },
      },
    ],
  },
});
// The first reconcile after a deploy must find the group made.
membership.node.addDependency(owned);

const alerts = new FailureAlerts(stack, 'Alerts', {
  functions: {
    ...rotation.functions,
    Membership: membership.handler.function,
    OwnedGroups: owned.handler.function,
  },
  rotationFailures: true,
  deadLetterQueues: { Membership: membership.deadLetterQueue },
});

new CacheAccessDashboard(stack, 'Dashboard', {
  rotation: true,
  membership: true,
  requests: true,
  ephemeralUsers: true,
  ownedGroups: true,
  failureQueues: { Membership: membership.deadLetterQueue },
  alarms: alerts.alarms,
});

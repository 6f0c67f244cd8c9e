/**
 * A config with every feature the stack has switched on, so a check over its template sees every kind
 * of resource and statement the stack can produce: rotation of existing secrets (one encrypted with a
 * customer managed key) and of secrets the stack creates, in a VPC; grants with recurring windows in
 * several zones and one-time windows; request rules with listed users and with ephemeral users, with
 * requesters, approvers and operators (so the request API's function URL); and groups the stack
 * creates for both engines. The config has no alert subscriptions of its own: the
 * topic is always made, and the tests that need a subscriber add one to the synthesized stack.
 */
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ec = (kind: 'user' | 'usergroup', id: string) =>
  `arn:aws:elasticache:${REGION}:${ACCOUNT}:${kind}:${id}`;
const mdb = (kind: 'user' | 'acl', name: string) => `arn:aws:memorydb:${REGION}:${ACCOUNT}:${kind}/${name}`;
const weekdays = ['MON', 'TUE', 'WED', 'THU', 'FRI'];

/** Before every one-time window below, so each of their boundaries gets a schedule. */
export const FULL_FEATURE_NOW = new Date('2026-06-01T00:00:00Z');

export const FULL_FEATURE_CONFIG = {
  rotation: {
    schedule: 'rate(7 days)',
    window: '3h',
    passwordLength: 48,
    network: {
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0b1c2d3e4f5a60718', 'subnet-0c1d2e3f4a5b60718'],
      securityGroupIds: ['sg-0a1b2c3d4e5f60718', 'sg-0b1c2d3e4f5a60718'],
    },
    targets: [
      {
        userArn: ec('user', 'app-writer'),
        secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:app-writer-AbCdEf`,
        endpoint: { host: 'master.prod.xxxxxx.euw1.cache.amazonaws.com', port: 6379, tls: true },
      },
      {
        userArn: mdb('user', 'app-encrypted'),
        secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cache/app-encrypted-GhIjKl`,
        kmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9`,
        endpoint: { host: 'clustercfg.prod-mdb.xxxxxx.memorydb.eu-west-1.amazonaws.com' },
      },
      { userArn: ec('user', 'app-created'), username: 'app-created-login' },
      { userArn: mdb('user', 'app-reader') },
    ],
  },
  membership: {
    reconcileEvery: 'rate(10 minutes)',
    grants: [
      {
        name: 'oncall-berlin',
        groupArn: ec('usergroup', 'prod-ug'),
        users: ['alice', 'dave'],
        windows: [{ days: weekdays, from: '09:00', to: '18:00', timeZone: 'Europe/Berlin' }],
      },
      {
        name: 'night-batch',
        groupArn: ec('usergroup', 'prod-ug'),
        users: ['batch-loader'],
        windows: [{ days: weekdays, from: '22:00', to: '05:30', timeZone: 'America/New_York' }],
      },
      {
        name: 'weekend-sydney',
        groupArn: mdb('acl', 'prod-acl'),
        users: ['erin'],
        windows: [
          { days: ['SAT', 'SUN'], from: '10:00', to: '16:00', timeZone: 'Australia/Sydney' },
          { days: ['MON'], from: '08:00', to: '09:00', timeZone: 'Asia/Tokyo' },
        ],
      },
      {
        name: 'contractor',
        groupArn: mdb('acl', 'prod-acl'),
        users: ['bob'],
        windows: [
          { start: '2026-12-01T09:00:00+01:00', end: '2026-12-15T18:00:00+01:00' },
          { start: '2027-01-10T08:00:00Z', end: '2027-01-11T08:00:00Z' },
        ],
      },
    ],
    requests: {
      eventBusName: 'cache-access-full',
      maxDuration: 'PT12H',
      operators: [`arn:aws:iam::${ACCOUNT}:role/soc`],
      rules: [
        {
          name: 'oncall-prod',
          groupArn: ec('usergroup', 'prod-ug'),
          users: ['alice', 'dave'],
          maxDuration: 'PT4H',
          requesters: [
            `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developers_*`,
            `arn:aws:iam::${ACCOUNT}:user/incident-bot`,
          ],
          approvers: [
            `arn:aws:iam::${ACCOUNT}:role/leads`,
            `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Leads_*/alice`,
          ],
          approvals: 2,
          selfApproval: false,
          pendingFor: 'PT2H',
          via: ['api', 'bus'],
        },
        {
          name: 'debug-acl',
          groupArn: mdb('acl', 'prod-acl'),
          users: ['bob'],
          maxDuration: 'PT2H',
          approvers: [`arn:aws:iam::${ACCOUNT}:role/sre-*`],
          selfApproval: true,
          ephemeral: {
            accessString: 'on ~* &* -@all +@read',
            maxActive: 3,
            readers: [`arn:aws:iam::${ACCOUNT}:role/oncall`, `arn:aws:iam::${ACCOUNT}:role/sre-*`],
          },
        },
        {
          name: 'debug-valkey',
          groupArn: ec('usergroup', 'jit-ug'),
          maxDuration: 'PT1H',
          ephemeral: {
            accessString: 'on ~* &* -@all +@read +info',
            maxActive: 2,
            readers: [`arn:aws:iam::${ACCOUNT}:user/break-glass`],
          },
        },
        {
          name: 'debug-jit-acl',
          groupArn: mdb('acl', 'jit-acl'),
          ephemeral: {
            accessString: 'on ~cache:* +@all',
            allowAll: true,
            readers: [`arn:aws:iam::${ACCOUNT}:role/oncall`],
          },
        },
      ],
    },
    groups: [
      { groupArn: ec('usergroup', 'jit-ug'), create: true, engine: 'valkey' },
      { groupArn: mdb('acl', 'jit-acl'), create: true, removalPolicy: 'destroy' },
    ],
  },
};

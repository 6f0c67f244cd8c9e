import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lib/config/load';
import { configErrorOf, problemAt } from '../../support/config';

const UG = 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:jit-ug';
const ACL = 'arn:aws:memorydb:eu-west-1:123456789012:acl/jit-acl';
const withGroups = (groups: unknown[]) => ({
  membership: {
    requests: {
      rules: [
        {
          name: 'debug',
          groupArn: UG,
          ephemeral: {
            accessString: 'on ~* -@all +@read',
            readers: ['arn:aws:iam::123456789012:role/oncall'],
          },
        },
      ],
    },
    groups,
  },
});

describe('membership.groups config', () => {
  it('reads a group to create, keeping it on stack deletion unless told otherwise', () => {
    // Act
    const { membership } = parseConfig(
      withGroups([
        { groupArn: UG, create: true, engine: 'valkey' },
        { groupArn: ACL, create: true, removalPolicy: 'destroy' },
      ]),
      'test',
    );

    // Assert
    expect(membership?.groups).toEqual([
      {
        group: expect.objectContaining({ arn: UG, engine: 'elasticache', id: 'jit-ug' }),
        engine: 'valkey',
        removalPolicy: 'retain',
      },
      {
        group: expect.objectContaining({ arn: ACL, engine: 'memorydb', id: 'jit-acl' }),
        removalPolicy: 'destroy',
      },
    ]);
  });

  it.each([
    [
      'create left out',
      { groupArn: UG, engine: 'redis' },
      '$.membership.groups[0].create',
      'expected create: true',
    ],
    [
      'create false',
      { groupArn: UG, create: false, engine: 'redis' },
      '$.membership.groups[0].create',
      'expected create: true',
    ],
    [
      'an ElastiCache group without an engine',
      { groupArn: UG, create: true },
      '$.membership.groups[0].engine',
      "expected engine 'redis' or 'valkey'",
    ],
    [
      'a MemoryDB ACL with an engine',
      { groupArn: ACL, create: true, engine: 'redis' },
      '$.membership.groups[0].engine',
      'a MemoryDB ACL has no engine of its own',
    ],
    [
      'an unknown engine',
      { groupArn: UG, create: true, engine: 'memcached' },
      '$.membership.groups[0].engine',
      'redis',
    ],
    [
      'an unknown removal policy',
      { groupArn: UG, create: true, engine: 'redis', removalPolicy: 'snapshot' },
      '$.membership.groups[0].removalPolicy',
      'retain',
    ],
    [
      'a user ARN',
      { groupArn: 'arn:aws:elasticache:eu-west-1:123456789012:user:bob', create: true, engine: 'redis' },
      '$.membership.groups[0].groupArn',
      'expected',
    ],
    [
      "MemoryDB's open-access ACL",
      { groupArn: 'arn:aws:memorydb:eu-west-1:123456789012:acl/open-access', create: true },
      '$.membership.groups[0].groupArn',
      'open-access ACL cannot be changed',
    ],
  ])('refuses %s, naming the path', (_what, group, path, message) => {
    // Act
    const error = configErrorOf(withGroups([group]));

    // Assert
    expect(problemAt(error, path)).toContain(message);
  });

  it('refuses a group listed twice', () => {
    // Act
    const error = configErrorOf(
      withGroups([
        { groupArn: UG, create: true, engine: 'redis' },
        { groupArn: UG, create: true, engine: 'valkey' },
      ]),
    );

    // Assert
    expect(problemAt(error, '$.membership.groups[1].groupArn')).toContain('already listed as groups[0]');
  });

  it('refuses a group in another region than the rest of the stack', () => {
    // Act
    const error = configErrorOf(
      withGroups([{ groupArn: 'arn:aws:memorydb:us-east-1:123456789012:acl/jit-acl', create: true }]),
    );

    // Assert
    expect(problemAt(error, '$.membership.groups[0].groupArn')).toContain(
      'one stack serves one account and region',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lib/config/load';
import { configErrorOf, problemAt } from '../../support/config';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const GROUP = `arn:aws:elasticache:${REGION}:${ACCOUNT}:usergroup:prod-ug`;
const ACL = `arn:aws:memorydb:${REGION}:${ACCOUNT}:acl/prod-acl`;
const WRITER = `arn:aws:elasticache:${REGION}:${ACCOUNT}:user:app-writer`;
const READER = `arn:aws:memorydb:${REGION}:${ACCOUNT}:user/app-reader`;
const WINDOW = { days: ['MON'], from: '09:00', to: '17:00', timeZone: 'Europe/Berlin' };
const grant = (name: string, users: string[], groupArn = GROUP) => ({
  name,
  groupArn,
  users,
  windows: [WINDOW],
});
const users = (count: number, prefix = 'user') => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

describe('ids the services store in lowercase', () => {
  it.each([
    [
      'an ElastiCache user id',
      { rotation: { targets: [{ userArn: `${WRITER.replace('app-writer', 'App-Writer')}` }] } },
      '$.rotation.targets[0].userArn',
      "ElastiCache stores the id 'App-Writer' as 'app-writer'",
    ],
    [
      'a MemoryDB user name',
      { rotation: { targets: [{ userArn: READER.replace('app-reader', 'App-Reader') }] } },
      '$.rotation.targets[0].userArn',
      "MemoryDB stores the id 'App-Reader' as 'app-reader'",
    ],
    [
      'an ElastiCache user group id',
      { membership: { grants: [grant('oncall', ['alice'], GROUP.replace('prod-ug', 'Prod-UG'))] } },
      '$.membership.grants[0].groupArn',
      "stores the id 'Prod-UG' as 'prod-ug'",
    ],
    [
      'a user id in a grant',
      { membership: { grants: [grant('oncall', ['Alice'])] } },
      '$.membership.grants[0].users[0]',
      'expected a user id as the service stores it: a lowercase letter',
    ],
  ])('refuses %s with capitals, saying how the service would store it', (_, input, path, message) => {
    // Act
    const error = configErrorOf(input);

    // Assert
    expect(problemAt(error, path)).toContain(message);
  });

  it('refuses App-Writer beside app-writer instead of making two secrets for one user', () => {
    // Act
    const error = configErrorOf({
      rotation: { targets: [{ userArn: WRITER.replace('app-writer', 'App-Writer') }, { userArn: WRITER }] },
    });

    // Assert
    expect(problemAt(error, '$.rotation.targets[0].userArn')).toContain('expected ids in lowercase');
  });
});

describe('the quota of 100 users per user group or ACL', () => {
  it('accepts 100 distinct users in one group across grants', () => {
    // Act
    const config = parseConfig(
      {
        membership: { grants: [grant('day', users(60)), grant('night', [...users(40, 'night'), 'user-0'])] },
      },
      'test',
    );

    // Assert
    expect(config.membership?.grants).toHaveLength(2);
  });

  it('refuses 101, naming the group, the count and the grants', () => {
    // Act
    const error = configErrorOf({
      membership: { grants: [grant('day', users(60)), grant('night', users(41, 'night'))] },
    });

    // Assert
    expect(problemAt(error, '$.membership.grants[1].users')).toContain(
      `group ${GROUP} would hold 101 distinct users across grants[0], grants[1], over the quota of 100 users`,
    );
  });

  it('counts each group on its own', () => {
    expect(() =>
      parseConfig(
        { membership: { grants: [grant('ug', users(100)), grant('acl', users(100), ACL)] } },
        'test',
      ),
    ).not.toThrow();
  });
});

describe('other input the services would refuse', () => {
  it('refuses the same user twice in one grant, pointing at the first', () => {
    const error = configErrorOf({ membership: { grants: [grant('oncall', ['alice', 'bob', 'alice'])] } });

    expect(problemAt(error, '$.membership.grants[0].users[2]')).toContain(
      'already listed as users[0]; list each user once',
    );
  });

  it.each([
    'arn:aws:memorydb:eu-west-1:123456789012:acl/OPEN-ACCESS',
    'arn:aws:memorydb:eu-west-1:123456789012:acl/Open-Access',
  ])("refuses MemoryDB's open-access ACL written as %s", (groupArn) => {
    const error = configErrorOf({ membership: { grants: [grant('oncall', ['alice'], groupArn)] } });

    expect(problemAt(error, '$.membership.grants[0].groupArn')).toContain(
      "MemoryDB's open-access ACL cannot be changed",
    );
  });

  it('refuses a secret in another partition than its user', () => {
    // Arrange
    const secretArn = `arn:aws-cn:secretsmanager:${REGION}:${ACCOUNT}:secret:app-writer-AbCdEf`;

    // Act
    const error = configErrorOf({ rotation: { targets: [{ userArn: WRITER, secretArn }] } });

    // Assert
    expect(problemAt(error, '$.rotation.targets[0].secretArn')).toContain(
      `expected a secret in account ${ACCOUNT} and region ${REGION}, where its user is`,
    );
  });

  it('refuses a group in another partition than the rotation targets', () => {
    // Act
    const error = configErrorOf({
      rotation: { targets: [{ userArn: WRITER }] },
      membership: { grants: [grant('oncall', ['alice'], GROUP.replace('arn:aws:', 'arn:aws-cn:'))] },
    });

    // Assert
    expect(problemAt(error, '$.membership.grants[0].groupArn')).toContain(
      `expected account ${ACCOUNT} and region ${REGION} like $.rotation.targets[0].userArn`,
    );
  });

  it.each([
    'https://master.prod.cache.amazonaws.com',
    'master prod',
    'a..b',
    '-leading.example.com',
    `${'a'.repeat(64)}.example.com`,
  ])('refuses the endpoint host %s', (host) => {
    const error = configErrorOf({ rotation: { targets: [{ userArn: WRITER, endpoint: { host } }] } });

    expect(problemAt(error, '$.rotation.targets[0].endpoint.host')).toContain(
      'expected the cache host name or IP address',
    );
  });

  it.each(['master.prod.abc123.euw1.cache.amazonaws.com', '10.0.12.7', 'fd00::12', 'localhost'])(
    'accepts the endpoint host %s',
    (host) => {
      const config = parseConfig(
        { rotation: { targets: [{ userArn: WRITER, endpoint: { host } }] } },
        'test',
      );

      expect(config.rotation?.targets[0]?.endpoint?.host).toBe(host);
    },
  );

  it('refuses an absurdly long username', () => {
    const error = configErrorOf({ rotation: { targets: [{ userArn: WRITER, username: 'u'.repeat(500) }] } });

    expect(problemAt(error, '$.rotation.targets[0].username')).toContain(
      'expected 1-128 printable characters without spaces',
    );
  });
});

describe('oversized values in config problems', () => {
  it('shows a 5 MB value cut to a few hundred characters with its length', () => {
    // Arrange
    const userArn = `arn:aws:elasticache:${REGION}:${ACCOUNT}:user:${'x'.repeat(5_000_000)}`;

    // Act
    const error = configErrorOf({ rotation: { targets: [{ userArn: `${userArn}!` }] } });

    // Assert
    expect(error.message.length).toBeLessThan(1_000);
    expect(problemAt(error, '$.rotation.targets[0].userArn')).toContain('(5000049 characters)');
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../lib/config/load';
import type { RotationConfig } from '../../../lib/config/rotation';
import type { CacheAccessConfig } from '../../../lib/config/schema';
import { InvalidConfigError } from '../../../lib/config/validate';
import { configErrorOf, problemAt } from '../../support/config';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const WRITER_USER = `arn:aws:elasticache:${REGION}:${ACCOUNT}:user:app-writer`;
const WRITER_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:app-writer-AbCdEf`;
const READER_USER = `arn:aws:memorydb:${REGION}:${ACCOUNT}:user/app-reader`;

const WRITER = {
  userArn: WRITER_USER,
  secretArn: WRITER_SECRET,
  endpoint: { host: 'master.prod.xxxxxx.euw1.cache.amazonaws.com' },
};
const READER = { userArn: READER_USER };
const NETWORK = {
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0b1c2d3e4f5a60718'],
  securityGroupIds: ['sg-0a1b2c3d4e5f60718'],
};

/** A valid config with a writer (existing secret, endpoint) and a reader (created secret), changed by `rotation`. */
function configWith(rotation: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return { rotation: { window: '4h', network: NETWORK, targets: [WRITER, READER], ...rotation }, ...extra };
}

/** The rotation section of a parsed config; fails the test when there is none. */
function rotationOf(config: CacheAccessConfig): RotationConfig {
  expect(config.rotation, 'the rotation section').toBeDefined();
  return config.rotation as RotationConfig;
}

function readExample(): unknown {
  const cdkJson = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8'));
  return cdkJson.context.cacheAccess;
}

describe('parseConfig', () => {
  it('accepts the example config in cdk.json as written', () => {
    // Arrange
    const example = readExample();

    // Act
    const config = parseConfig(example, 'cdk.json');

    // Assert
    expect(config.rotation).toMatchObject({
      schedule: 'rate(30 days)',
      window: '4h',
      passwordLength: 64,
      network: { vpcId: 'vpc-0a1b2c3d4e5f60718' },
      targets: [
        {
          user: { arn: WRITER_USER, engine: 'elasticache', id: 'app-writer' },
          secret: { arn: WRITER_SECRET },
          endpoint: { host: 'master.prod.xxxxxx.euw1.cache.amazonaws.com', port: 6379, tls: true },
        },
        { user: { arn: READER_USER, engine: 'memorydb', id: 'app-reader' }, secret: undefined },
      ],
    });
  });

  it('applies the default schedule, password length, endpoint port and TLS when they are left out', () => {
    // Arrange
    const input = { rotation: { targets: [WRITER, READER] } };

    // Act
    const rotation = rotationOf(parseConfig(input, 'test config'));

    // Assert
    expect(rotation.schedule).toBe('rate(30 days)');
    expect(rotation.passwordLength).toBe(64);
    expect(rotation.window).toBeUndefined();
    expect(rotation.network).toBeUndefined();
    expect(rotation.targets[0]?.endpoint).toEqual({
      host: 'master.prod.xxxxxx.euw1.cache.amazonaws.com',
      port: 6379,
      tls: true,
    });
    expect(rotation.targets[1]?.endpoint).toBeUndefined();
  });

  it('names the source in the first line of every error', () => {
    // Arrange
    const input = configWith({ passwordLength: 8 });

    // Act
    const error = configErrorOf(input);

    // Assert
    expect(error.name).toBe('InvalidConfigError');
    expect(error.message.split('\n')[0]).toBe('invalid configuration in test config:');
  });

  it.each([
    [
      'a MemoryDB ARN written with the ElastiCache colon',
      `arn:aws:memorydb:${REGION}:${ACCOUNT}:user:app-reader`,
    ],
    [
      'an ElastiCache ARN written with the MemoryDB slash',
      `arn:aws:elasticache:${REGION}:${ACCOUNT}:user/app-reader`,
    ],
    ['a user group ARN', `arn:aws:elasticache:${REGION}:${ACCOUNT}:usergroup:readers`],
    ['an ARN with an 11-digit account', `arn:aws:memorydb:${REGION}:12345678901:user/app-reader`],
    ['a bare user name', 'app-reader'],
  ])('rejects %s as a user ARN, naming its path, the value and the accepted forms', (_, userArn) => {
    // Arrange
    const input = configWith({ targets: [WRITER, { userArn }] });

    // Act
    const error = configErrorOf(input);

    // Assert
    const line = problemAt(error, '$.rotation.targets[1].userArn');
    expect(line).toContain(`(got ${JSON.stringify(userArn)})`);
    expect(line).toContain('arn:aws:elasticache:<region>:<account>:user:<userId>');
    expect(line).toContain('arn:aws:memorydb:<region>:<account>:user/<userName>');
  });

  it('reports a malformed first user ARN alone, without tripping the account and region checks', () => {
    // Arrange
    const input = configWith({ targets: [{ ...WRITER, userArn: 'not-an-arn' }, READER] });

    // Act
    const error = configErrorOf(input);

    // Assert
    expect(problemAt(error, '$.rotation.targets[0].userArn')).toContain('(got "not-an-arn")');
    expect(error.message.split('\n')).toHaveLength(2);
  });

  it.each([
    [
      'a secret name without its suffix',
      `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:app-writer-password`,
    ],
    ['a five-character suffix', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:app-writer-AbCdE`],
    ['a name with no dash at all', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:appwriter`],
    ['a secret name only', 'app-writer-AbCdEf'],
    ['a parameter ARN', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/app-writer-AbCdEf`],
  ])('rejects %s as a secret ARN, naming its path, the value and the complete form', (_, secretArn) => {
    // Arrange
    const input = configWith({ targets: [{ ...WRITER, secretArn }, READER] });

    // Act
    const error = configErrorOf(input);

    // Assert
    const line = problemAt(error, '$.rotation.targets[0].secretArn');
    expect(line).toContain(`(got ${JSON.stringify(secretArn)})`);
    expect(line).toContain('arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>');
  });

  it.each([
    [31, 'expected number to be >=32'],
    [129, 'expected number to be <=128'],
  ])('rejects passwordLength %i with the allowed bound', (passwordLength, allowed) => {
    // Arrange
    const input = configWith({ passwordLength });

    // Act
    const error = configErrorOf(input);

    // Assert
    const line = problemAt(error, '$.rotation.passwordLength');
    expect(line).toContain(allowed);
    expect(line).toContain(`(got ${passwordLength})`);
  });

  it.each([32, 128])('accepts passwordLength %i at the edge of the allowed range', (passwordLength) => {
    // Arrange
    const input = configWith({ passwordLength });

    // Act
    const config = parseConfig(input, 'test config');

    // Assert
    expect(rotationOf(config).passwordLength).toBe(passwordLength);
  });

  it.each(['rate(2 hours)', 'rate(1001 days)', 'cron(15 10 * * ? *)', 'rate(0 days)', 'every 30 days'])(
    'rejects the schedule %s, listing the forms Secrets Manager accepts',
    (schedule) => {
      // Arrange
      const input = configWith({ schedule });

      // Act
      const error = configErrorOf(input);

      // Assert
      const line = problemAt(error, '$.rotation.schedule');
      expect(line).toContain(`(got ${JSON.stringify(schedule)})`);
      expect(line).toContain(
        'expected rate(N hours) with N >= 4, rate(N days) with N 1-1000, or cron(0 H D M W Y)',
      );
    },
  );

  it.each(['rate(4 hours)', 'rate(1 day)', 'rate(1000 days)', 'cron(0 10 * * ? *)'])(
    'accepts the schedule %s',
    (schedule) => {
      // Arrange
      const input = configWith({ schedule });

      // Act
      const config = parseConfig(input, 'test config');

      // Assert
      expect(rotationOf(config).schedule).toBe(schedule);
    },
  );

  it.each(['25h', '0h', '4', '90m'])('rejects the rotation window %s with the allowed range', (window) => {
    // Arrange
    const input = configWith({ window });

    // Act
    const error = configErrorOf(input);

    // Assert
    const line = problemAt(error, '$.rotation.window');
    expect(line).toContain(`(got ${JSON.stringify(window)})`);
    expect(line).toContain('expected a duration in whole hours from 1h to 24h');
  });

  it('rejects an empty target list', () => {
    // Arrange
    const input = configWith({ targets: [] });

    // Act
    const error = configErrorOf(input);

    // Assert
    const line = problemAt(error, '$.rotation.targets');
    expect(line).toContain('expected at least one target');
    expect(line).toContain('(got [])');
  });

  it('rejects a user that appears in two targets, pointing at the first one', () => {
    // Arrange
    const input = configWith({ targets: [WRITER, { ...READER, userArn: WRITER_USER }] });

    // Act
    const error = configErrorOf(input);

    // Assert
    const line = problemAt(error, '$.rotation.targets[1].userArn');
    expect(line).toContain('already used by targets[0]');
    expect(line).toContain(`(got "${WRITER_USER}")`);
  });

  it('rejects a secret that appears in two targets, pointing at the first one', () => {
    // Arrange
    const input = configWith({ targets: [WRITER, { ...READER, secretArn: WRITER_SECRET }] });

    // Act
    const error = configErrorOf(input);

    // Assert
    const line = problemAt(error, '$.rotation.targets[1].secretArn');
    expect(line).toContain('already used by targets[0]');
    expect(line).toContain(`(got "${WRITER_SECRET}")`);
  });

  it.each([
    ['another account', `arn:aws:memorydb:${REGION}:210987654321:user/app-reader`],
    ['another region', `arn:aws:memorydb:us-east-1:${ACCOUNT}:user/app-reader`],
  ])('rejects a target whose user is in %s than the first target', (_, userArn) => {
    // Arrange
    const input = configWith({ targets: [WRITER, { userArn }] });

    // Act
    const error = configErrorOf(input);

    // Assert
    const line = problemAt(error, '$.rotation.targets[1].userArn');
    expect(line).toContain(
      `expected account ${ACCOUNT} and region ${REGION} like $.rotation.targets[0].userArn; one stack serves one account and region`,
    );
    expect(line).toContain(`(got "${userArn}")`);
    expect(error.message.split('\n')).toHaveLength(2);
  });

  it.each([
    ['another region', `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:app-writer-AbCdEf`],
    ['another account', `arn:aws:secretsmanager:${REGION}:210987654321:secret:app-writer-AbCdEf`],
  ])('rejects a secret in %s than its user', (_, secretArn) => {
    // Arrange
    const input = configWith({ targets: [{ ...WRITER, secretArn }, READER] });

    // Act
    const error = configErrorOf(input);

    // Assert
    const line = problemAt(error, '$.rotation.targets[0].secretArn');
    expect(line).toContain(`expected a secret in account ${ACCOUNT} and region ${REGION}, where its user is`);
    expect(line).toContain(`(got "${secretArn}")`);
  });

  it.each([
    ['$.rotation.schedul', configWith({ schedul: 'rate(7 days)' }), '"rate(7 days)"', 'schedule, window'],
    ['$.rotatoin', { ...configWith(), rotatoin: {} }, '{}', 'rotation, membership'],
    [
      '$.rotation.targets[1].usrname',
      configWith({ targets: [WRITER, { ...READER, usrname: 'reader' }] }),
      '"reader"',
      'userArn, secretArn, username, endpoint',
    ],
    [
      '$.rotation.targets[0].endpoint.tsl',
      configWith({ targets: [{ ...WRITER, endpoint: { ...WRITER.endpoint, tsl: false } }, READER] }),
      'false',
      'host, port, tls',
    ],
  ])(
    'reports the unknown key %s by its own path, its value and the keys allowed there',
    (path, input, value, allowed) => {
      // Act
      const error = configErrorOf(input);

      // Assert
      const key = path.split(/[.\]]/).at(-1);
      const line = problemAt(error, path);
      expect(line).toContain(`unrecognized key '${key}'`);
      expect(line).toContain(`expected one of ${allowed}`);
      expect(line).toContain(`(got ${value})`);
    },
  );

  it('reports two unknown keys in one object on two lines', () => {
    // Arrange
    const input = configWith({ schedul: 'rate(7 days)', passwordLenght: 40 });

    // Act
    const error = configErrorOf(input);

    // Assert
    expect(problemAt(error, '$.rotation.schedul')).toContain("unrecognized key 'schedul'");
    expect(problemAt(error, '$.rotation.passwordLenght')).toContain("unrecognized key 'passwordLenght'");
  });

  it('rejects a username on a target that names an existing secret', () => {
    // Arrange
    const input = configWith({ targets: [{ ...WRITER, username: 'writer' }, READER] });

    // Act
    const error = configErrorOf(input);

    // Assert
    const line = problemAt(error, '$.rotation.targets[0].username');
    expect(line).toContain('username only applies to secrets the stack creates');
    expect(line).toContain('(got "writer")');
  });

  it('accepts a username on a target whose secret the stack creates', () => {
    // Arrange
    const input = configWith({ targets: [WRITER, { ...READER, username: 'reader-svc' }] });

    // Act
    const config = parseConfig(input, 'test config');

    // Assert
    expect(rotationOf(config).targets[1]?.username).toBe('reader-svc');
  });

  it('rejects a subnet count that is not a multiple of the availability zones', () => {
    // Arrange
    const subnetIds = [...NETWORK.subnetIds, 'subnet-0c1c2d3e4f5a60718'];
    const input = configWith({ network: { ...NETWORK, subnetIds } });

    // Act
    const error = configErrorOf(input);

    // Assert
    const line = problemAt(error, '$.rotation.network.subnetIds');
    expect(line).toContain('expected a multiple of 2 subnets, one per availability zone');
    expect(line).toContain(`(got ${JSON.stringify(subnetIds)})`);
  });

  it('reports an empty zone list once, without a subnet multiple of zero', () => {
    // Arrange
    const input = configWith({ network: { ...NETWORK, availabilityZones: [] } });

    // Act
    const error = configErrorOf(input);

    // Assert
    expect(problemAt(error, '$.rotation.network.availabilityZones')).toContain('(got [])');
    expect(error.message).not.toContain('$.rotation.network.subnetIds');
  });

  it('accepts a membership section beside the rotation section', () => {
    // Arrange
    const membership = {
      grants: [
        {
          name: 'oncall',
          groupArn: `arn:aws:elasticache:${REGION}:${ACCOUNT}:usergroup:prod-ug`,
          users: ['alice'],
          windows: [{ days: ['MON'], from: '09:00', to: '17:00', timeZone: 'Europe/Berlin' }],
        },
      ],
    };

    // Act
    const config = parseConfig(configWith({}, { membership }), 'test config');

    // Assert
    expect(rotationOf(config).targets).toHaveLength(2);
    expect(config.membership?.grants.map((grant) => grant.name)).toEqual(['oncall']);
  });

  it.each([
    [null, '$.membership', 'expected object, received null'],
    [{}, '$.membership.grants', 'expected grants (scheduled windows), requests (access on request) or both'],
    [
      { windows: [] },
      '$.membership.windows',
      "unrecognized key 'windows'; expected one of reconcileEvery, grants, requests, groups",
    ],
  ])('validates a membership section %j instead of ignoring it', (membership, path, message) => {
    // Arrange
    const input = configWith({}, { membership });

    // Act
    const error = configErrorOf(input);

    // Assert
    expect(problemAt(error, path)).toContain(message);
  });

  it('rejects a config with neither a rotation nor a membership section', () => {
    // Act
    const error = configErrorOf({});

    // Assert
    const line = problemAt(error, '$');
    expect(line).toContain('expected a rotation section, a membership section or both');
    expect(line).toContain('(got {})');
  });

  it('lists every problem of a config, one line each', () => {
    // Arrange
    const input = configWith({ passwordLength: 200, window: '30h', targets: [WRITER, { userArn: 'nope' }] });

    // Act
    const error = configErrorOf(input);

    // Assert
    problemAt(error, '$.rotation.passwordLength');
    problemAt(error, '$.rotation.window');
    problemAt(error, '$.rotation.targets[1].userArn');
    expect(error.message.split('\n')).toHaveLength(4);
  });

  it('rejects a config that is not an object', () => {
    // Act
    const error = configErrorOf('rotation');

    // Assert
    expect(problemAt(error, '$')).toContain('(got "rotation")');
  });
});

describe('rotation window', () => {
  it.each([
    [
      'rate(4 hours)',
      '5h',
      'expected at most 4h: a window may not reach into the next rotation of rate(4 hours)',
    ],
    [
      'cron(0 20 * * ? *)',
      '5h',
      'expected at most 4h: a window starting at 20:00 UTC may not reach into the next UTC day',
    ],
  ])('refuses schedule %s with window %s', (schedule, window, message) => {
    // Act
    const line = problemAt(configErrorOf(configWith({ schedule, window })), '$.rotation.window');

    // Assert
    expect(line).toContain(message);
    expect(line).toContain(`(got "${window}")`);
  });

  it.each([
    ['rate(4 hours)', '4h'],
    ['cron(0 20 * * ? *)', '4h'],
    ['rate(30 days)', '24h'],
  ])('accepts schedule %s with window %s', (schedule, window) => {
    expect(rotationOf(parseConfig(configWith({ schedule, window }), 'test')).window).toBe(window);
  });
});

describe('loadConfig', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cache-access-config-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const contextOf =
    (context: Record<string, unknown>) =>
    (key: string): unknown =>
      context[key];

  it('reads the inline cacheAccess context when no config file is given', () => {
    // Arrange
    const tryGetContext = contextOf({ cacheAccess: configWith({ passwordLength: 40 }) });

    // Act
    const config = loadConfig(tryGetContext);

    // Assert
    expect(rotationOf(config).passwordLength).toBe(40);
  });

  it('reads the file named by the config context and ignores the inline context', () => {
    // Arrange
    const file = join(dir, 'from-file.json');
    writeFileSync(file, JSON.stringify(configWith({ passwordLength: 96, schedule: 'rate(7 days)' })));
    const tryGetContext = contextOf({ config: file, cacheAccess: { rotation: 'not even an object' } });

    // Act
    const config = loadConfig(tryGetContext);

    // Assert
    expect(rotationOf(config).passwordLength).toBe(96);
    expect(rotationOf(config).schedule).toBe('rate(7 days)');
  });

  it('names a missing config file in the error', () => {
    // Arrange
    const file = join(dir, 'does-not-exist.json');

    // Act
    const load = () => loadConfig(contextOf({ config: file }));

    // Assert
    expect(load).toThrow(InvalidConfigError);
    expect(load).toThrow(`cannot read config file ${file}`);
  });

  it('names a config file that is not valid JSON in the error', () => {
    // Arrange
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "rotation": { "targets": [ }');

    // Act
    const load = () => loadConfig(contextOf({ config: file }));

    // Assert
    expect(load).toThrow(InvalidConfigError);
    expect(load).toThrow(`config file ${file} is not valid JSON`);
  });

  it('names the config file as the source of invalid settings', () => {
    // Arrange
    const file = join(dir, 'invalid.json');
    writeFileSync(file, JSON.stringify(configWith({ window: '25h' })));

    // Act
    const load = () => loadConfig(contextOf({ config: file }));

    // Assert
    expect(load).toThrow(InvalidConfigError);
    expect(load).toThrow(`invalid configuration in ${file}:\n  $.rotation.window:`);
  });

  it('rejects a config context that is not a path', () => {
    // Act
    const load = () => loadConfig(contextOf({ config: '' }));

    // Assert
    expect(load).toThrow(InvalidConfigError);
    expect(load).toThrow("context 'config' must be a path to a JSON file");
  });

  it('explains both ways to provide a config when there is none', () => {
    // Act
    const load = () => loadConfig(contextOf({}));

    // Assert
    expect(load).toThrow(InvalidConfigError);
    expect(load).toThrow(
      "no configuration: add a 'cacheAccess' object to cdk.json's context or pass -c config=path.json",
    );
  });
});

import { describe, expect, it } from 'vitest';
import { DeployedConfigError } from '#shared/errors';
import { serializeTargets, TargetRegistry } from '#shared/rotation/targets';

const targets = [
  {
    secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:a-AbCdEf',
    userArn: 'arn:aws:elasticache:eu-west-1:123456789012:user:a',
    endpoint: { host: 'h', port: 6379, tls: true },
  },
  {
    secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:b-AbCdEf',
    userArn: 'arn:aws:memorydb:eu-west-1:123456789012:user/b',
  },
];

describe('TargetRegistry', () => {
  it('finds each serialized target by its secret ARN with the parsed user', () => {
    const registry = TargetRegistry.fromJson(serializeTargets(targets), 'ROTATION_TARGETS');

    expect(registry.size).toBe(2);
    expect(registry.find(targets[1]?.secretArn ?? '')?.user).toMatchObject({
      engine: 'memorydb',
      id: 'b',
      region: 'eu-west-1',
    });
    expect(registry.find('arn:aws:secretsmanager:eu-west-1:123456789012:secret:c-AbCdEf')).toBeUndefined();
  });

  it('refuses a value that is not JSON and names the variable', () => {
    expect(() => TargetRegistry.fromJson('[{', 'ROTATION_TARGETS')).toThrow(DeployedConfigError);
    expect(() => TargetRegistry.fromJson('[{', 'ROTATION_TARGETS')).toThrow(
      'ROTATION_TARGETS is not valid JSON',
    );
  });

  it('refuses targets without a user ARN', () => {
    expect(() => TargetRegistry.fromJson('[{"secretArn":"x"}]', 'ROTATION_TARGETS')).toThrow(
      /not a list of rotation targets/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidArnError, parseSecretArn, parseUserArn } from '#shared/arn';

describe('parseUserArn', () => {
  it('reads an ElastiCache user ARN', () => {
    expect(parseUserArn('arn:aws:elasticache:eu-west-1:123456789012:user:app-writer')).toMatchObject({
      engine: 'elasticache',
      region: 'eu-west-1',
      account: '123456789012',
      id: 'app-writer',
    });
  });

  it('reads a MemoryDB user ARN in another partition', () => {
    expect(parseUserArn('arn:aws-us-gov:memorydb:us-gov-west-1:123456789012:user/reader')).toMatchObject({
      engine: 'memorydb',
      region: 'us-gov-west-1',
      id: 'reader',
    });
  });

  it.each([
    'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod',
    'arn:aws:memorydb:eu-west-1:123456789012:user:reader',
    'arn:aws:elasticache:eu-west-1:1234:user:app',
    'app-writer',
  ])('refuses %s and shows both accepted forms', (arn) => {
    expect(() => parseUserArn(arn)).toThrow(InvalidArnError);
    expect(() => parseUserArn(arn)).toThrow(
      /arn:aws:elasticache:<region>:<account>:user:<userId> or arn:aws:memorydb/,
    );
  });
});

describe('parseSecretArn', () => {
  it('reads a complete secret ARN', () => {
    expect(
      parseSecretArn('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/app-writer-AbCdEf'),
    ).toEqual({
      region: 'eu-west-1',
      account: '123456789012',
    });
  });

  it('refuses a partial ARN without the random suffix', () => {
    expect(() => parseSecretArn('arn:aws:secretsmanager:eu-west-1:123456789012:secret:app')).toThrow(
      /with its suffix/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { memberOf, parseGroupArn, parseUserArn } from '#core/cache/refs';
import { InvalidArnError } from '#core/runtime/errors';

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

describe('memberOf', () => {
  it("addresses a user in the group's engine, partition, account and region", () => {
    const acl = parseGroupArn('arn:aws-us-gov:memorydb:us-gov-west-1:123456789012:acl/prod-acl');

    expect(memberOf(acl, 'reader')).toEqual(
      parseUserArn('arn:aws-us-gov:memorydb:us-gov-west-1:123456789012:user/reader'),
    );
  });

  it('writes an ElastiCache user ARN with a colon before the id', () => {
    const group = parseGroupArn('arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug');

    expect(memberOf(group, 'alice').arn).toBe('arn:aws:elasticache:eu-west-1:123456789012:user:alice');
  });
});

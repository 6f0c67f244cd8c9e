import { describe, expect, it } from 'vitest';
import { parseSecretArn } from '#core/runtime/arn';

describe('parseSecretArn', () => {
  it('reads a complete secret ARN', () => {
    expect(
      parseSecretArn('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/app-writer-AbCdEf'),
    ).toEqual({
      arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/app-writer-AbCdEf',
      partition: 'aws',
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

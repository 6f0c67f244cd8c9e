import { describe, expect, it } from 'vitest';
import { parseSecret } from '#core/rotation/secret';
import { MalformedSecretError, UserMismatchError } from '#core/runtime/errors';

const USER_ARN = 'arn:aws:memorydb:eu-west-1:123456789012:user/app-reader';
const PASSWORD = 'S3cret-password-that-must-not-leak';
const valid = { username: 'app-reader', password: PASSWORD, user_arn: USER_ARN };
const parse = (value: unknown) => () =>
  parseSecret(typeof value === 'string' ? value : JSON.stringify(value), 'the secret', USER_ARN);

describe('parseSecret', () => {
  it('returns the secret with any extra keys', () => {
    expect(parse({ ...valid, host: 'h' })()).toEqual({ ...valid, host: 'h' });
  });

  it.each([
    ['truncated JSON', `{"username":"app-reader","password":"${PASSWORD}`, /is not valid JSON/],
    ['a JSON array', [PASSWORD], /is not a JSON object/],
    ['a missing password', { ...valid, password: undefined }, /no string field 'password'/],
    ['a numeric username', { ...valid, username: 7 }, /no string field 'username'/],
    ['a missing user_arn', { ...valid, user_arn: '' }, /no string field 'user_arn'/],
    ['a password with a comma', { ...valid, password: `${PASSWORD},x` }, /password the service would reject/],
    ['a 15-character password', { ...valid, password: 'a'.repeat(15) }, /password the service would reject/],
  ])('refuses %s without quoting the value', (_, value, message) => {
    expect(parse(value)).toThrow(MalformedSecretError);
    expect(parse(value)).toThrow(message);
    try {
      parse(value)();
    } catch (error) {
      expect((error as Error).message).not.toContain(PASSWORD);
    }
  });

  it('refuses a secret for another user and names both ARNs', () => {
    const other = 'arn:aws:memorydb:eu-west-1:123456789012:user/admin';
    expect(parse({ ...valid, user_arn: other })).toThrow(UserMismatchError);
    expect(parse({ ...valid, user_arn: other })).toThrow(
      `names user_arn '${other}', but this secret is configured for '${USER_ARN}'`,
    );
  });
});

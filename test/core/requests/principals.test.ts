import { describe, expect, it } from 'vitest';
import { principalMatches, principalPatternProblem } from '#core/requests/principals';

const ACCOUNT = '123456789012';
const session = (role: string, name: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${name}`;
const SSO_ROLE = 'AWSReservedSSO_ProdAdmin_0123456789abcdef';

describe('principal patterns', () => {
  it.each([
    ['a role matches any session of it', [`arn:aws:iam::${ACCOUNT}:role/sre`], session('sre', 'alice'), true],
    [
      'a role under a path matches its sessions, whose ARN never carries the path',
      [`arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${SSO_ROLE}`],
      session(SSO_ROLE, 'alice'),
      true,
    ],
    [
      'a role does not match another role',
      [`arn:aws:iam::${ACCOUNT}:role/sre`],
      session('sre-admin', 'alice'),
      false,
    ],
    [
      'a role name ending in * matches every role with that start',
      [`arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_ProdAdmin_*`],
      session(SSO_ROLE, 'bob'),
      true,
    ],
    ['a session matches only that session', [session(SSO_ROLE, 'alice')], session(SSO_ROLE, 'alice'), true],
    [
      'a session does not match another user of the role',
      [session(SSO_ROLE, 'alice')],
      session(SSO_ROLE, 'mallory'),
      false,
    ],
    [
      'a session pattern with * in both names',
      [session('AWSReservedSSO_Prod*', 'ali*')],
      session(SSO_ROLE, 'alice'),
      true,
    ],
    [
      'an IAM user matches itself',
      [`arn:aws:iam::${ACCOUNT}:user/ops/carol`],
      `arn:aws:iam::${ACCOUNT}:user/ops/carol`,
      true,
    ],
    [
      'an IAM user pattern does not match a role session of that name',
      [`arn:aws:iam::${ACCOUNT}:user/carol`],
      session('carol', 'carol'),
      false,
    ],
    [
      'a role does not match a caller of another account',
      [`arn:aws:iam::${ACCOUNT}:role/sre`],
      'arn:aws:sts::210987654321:assumed-role/sre/alice',
      false,
    ],
    [
      'nothing matches the account root',
      [`arn:aws:iam::${ACCOUNT}:role/*x`],
      `arn:aws:iam::${ACCOUNT}:root`,
      false,
    ],
    [
      'nothing matches a caller that is not an ARN',
      [`arn:aws:iam::${ACCOUNT}:role/sre`],
      'unverified:sre',
      false,
    ],
  ])('%s', (_, patterns, caller, expected) => {
    // Act
    const matches = principalMatches(patterns, caller);

    // Assert
    expect(matches).toBe(expected);
  });

  it.each([
    ['*'],
    ['arn:aws:iam::123456789012:role/*'],
    ['arn:aws:iam::123456789012:role/s*re'],
    ['arn:aws:iam::123456789012:group/admins'],
    ['arn:aws:sts::123456789012:assumed-role/sre'],
    ['arn:aws:iam::12345:role/sre'],
  ])('refuses %s as a pattern, naming it and the forms allowed', (pattern) => {
    // Act
    const problem = principalPatternProblem(pattern);

    // Assert
    expect(problem).toContain(`'${pattern}' is not a principal pattern`);
    expect(problem).toContain('assumed-role session');
  });
});

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lib/config/load';
import { configErrorOf, problemAt } from '../../support/config';

const ACL = 'arn:aws:memorydb:eu-west-1:123456789012:acl/prod-acl';
const EPHEMERAL = {
  accessString: 'on ~* &* -@all +@read',
  maxActive: 3,
  readers: ['arn:aws:iam::123456789012:role/oncall', 'arn:aws:iam::123456789012:role/sre-*'],
};
const withRule = (rule: Record<string, unknown>) => ({
  membership: {
    requests: { rules: [{ name: 'readonly-debug', groupArn: ACL, maxDuration: 'PT2H', ...rule }] },
  },
});
const PATH = '$.membership.requests.rules[0]';

describe('membership.requests.rules[].ephemeral config', () => {
  it('accepts a rule with ephemeral users alone, with maxActive 3 unless given', () => {
    // Act
    const { membership } = parseConfig(
      withRule({ ephemeral: { accessString: EPHEMERAL.accessString, readers: EPHEMERAL.readers } }),
      'test',
    );

    // Assert
    expect(membership?.requests?.rules[0]).toMatchObject({
      users: [],
      ephemeral: { accessString: EPHEMERAL.accessString, maxActive: 3, readers: EPHEMERAL.readers },
    });
  });

  it('accepts a rule with both existing users and ephemeral ones', () => {
    // Act
    const { membership } = parseConfig(withRule({ users: ['bob'], ephemeral: EPHEMERAL }), 'test');

    // Assert
    expect(membership?.requests?.rules[0]).toMatchObject({ users: ['bob'], ephemeral: { maxActive: 3 } });
  });

  it('accepts +@all with a written allowAll', () => {
    // Act
    const { membership } = parseConfig(
      withRule({ ephemeral: { ...EPHEMERAL, accessString: 'on ~* &* +@all', allowAll: true } }),
      'test',
    );

    // Assert
    expect(membership?.requests?.rules[0]?.ephemeral?.allowAll).toBe(true);
  });

  it.each([
    [
      'a rule with neither users nor ephemeral',
      {},
      `${PATH}.users`,
      'expected users (existing users that may ask), ephemeral',
    ],
    [
      'an empty access string',
      { ephemeral: { ...EPHEMERAL, accessString: '  ' } },
      `${PATH}.ephemeral.accessString`,
      'expected an access string',
    ],
    [
      'an access string that is off',
      { ephemeral: { ...EPHEMERAL, accessString: 'off ~* +@read' } },
      `${PATH}.ephemeral.accessString`,
      'can never log in',
    ],
    [
      'an access string without on',
      { ephemeral: { ...EPHEMERAL, accessString: '~* +@read' } },
      `${PATH}.ephemeral.accessString`,
      'expected on',
    ],
    [
      'every command without allowAll',
      { ephemeral: { ...EPHEMERAL, accessString: 'on ~* &* +@all' } },
      `${PATH}.ephemeral.accessString`,
      'write "allowAll": true',
    ],
    [
      'allcommands without allowAll',
      { ephemeral: { ...EPHEMERAL, accessString: 'on allkeys allcommands' } },
      `${PATH}.ephemeral.accessString`,
      'grants every command',
    ],
    [
      'a password in the access string',
      { ephemeral: { ...EPHEMERAL, accessString: 'on >hunter2hunter2 ~* +@read' } },
      `${PATH}.ephemeral.accessString`,
      'expected no password rules',
    ],
    [
      'nopass',
      { ephemeral: { ...EPHEMERAL, accessString: 'on nopass ~* +@read' } },
      `${PATH}.ephemeral.accessString`,
      'expected no password rules',
    ],
    [
      'maxActive 0',
      { ephemeral: { ...EPHEMERAL, maxActive: 0 } },
      `${PATH}.ephemeral.maxActive`,
      'expected at least 1',
    ],
    [
      'maxActive 51',
      { ephemeral: { ...EPHEMERAL, maxActive: 51 } },
      `${PATH}.ephemeral.maxActive`,
      'expected at most 50',
    ],
    [
      'no readers',
      { ephemeral: { ...EPHEMERAL, readers: [] } },
      `${PATH}.ephemeral.readers`,
      'expected at least one reader',
    ],
    [
      'a reader that is not an IAM principal',
      { ephemeral: { ...EPHEMERAL, readers: ['arn:aws:s3:::bucket'] } },
      `${PATH}.ephemeral.readers[0]`,
      'expected an IAM role or user ARN',
    ],
    [
      'a star inside a reader',
      { ephemeral: { ...EPHEMERAL, readers: ['arn:aws:iam::123456789012:role/*-admin'] } },
      `${PATH}.ephemeral.readers[0]`,
      'only at the end',
    ],
    [
      'a bare star for any role',
      { ephemeral: { ...EPHEMERAL, readers: ['arn:aws:iam::123456789012:role/*'] } },
      `${PATH}.ephemeral.readers[0]`,
      'after part of a name',
    ],
    [
      'a reader listed twice',
      { ephemeral: { ...EPHEMERAL, readers: [EPHEMERAL.readers[0], EPHEMERAL.readers[0]] } },
      `${PATH}.ephemeral.readers[1]`,
      'already listed as readers[0]',
    ],
    [
      'a reader of another account, who could not decrypt the secret',
      { ephemeral: { ...EPHEMERAL, readers: ['arn:aws:iam::210987654321:role/oncall'] } },
      `${PATH}.ephemeral.readers[0]`,
      'expected a principal of account 123456789012',
    ],
    [
      'an unknown key',
      { ephemeral: { ...EPHEMERAL, ttl: 5 } },
      `${PATH}.ephemeral.ttl`,
      "unrecognized key 'ttl'",
    ],
  ])('refuses %s, naming the path', (_what, rule, path, message) => {
    // Act
    const error = configErrorOf(withRule(rule));

    // Assert
    expect(problemAt(error, path)).toContain(message);
  });

  it('counts maxActive against the 100-user quota of the group with the other rules and grants', () => {
    // Arrange: 98 named users and 3 ephemeral slots make 101
    const users = Array.from({ length: 98 }, (_, n) => `user-${n}`);

    // Act
    const error = configErrorOf(withRule({ users, ephemeral: EPHEMERAL }));

    // Assert
    expect(error.message).toContain('would hold 101 distinct users');
  });
});

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lib/config/load';
import { configErrorOf, problemAt } from '../../support/config';

const ACCOUNT = '123456789012';
const GROUP = `arn:aws:elasticache:eu-west-1:${ACCOUNT}:usergroup:prod-ug`;
const RULE = { name: 'oncall-prod', groupArn: GROUP, users: ['alice'] };
const SRE = `arn:aws:iam::${ACCOUNT}:role/sre`;
const withRequests = (requests: Record<string, unknown>) => ({
  membership: { requests: { rules: [RULE], ...requests } },
});
const ruleOf = (rule: Record<string, unknown>) =>
  parseConfig(withRequests({ rules: [{ ...RULE, ...rule }] }), 'test').membership?.requests?.rules[0];

describe('membership.requests approval settings', () => {
  it('keeps a rule without approvers granted on request, from the API and the bus, for any caller', () => {
    // Act
    const rule = ruleOf({});

    // Assert
    expect(rule).toMatchObject({ approvers: [], approvals: 0, selfApproval: false, via: ['api', 'bus'] });
    expect(rule?.requesters).toBeUndefined();
  });

  it('needs one approval from the API only once approvers are named, pending for an hour', () => {
    // Act
    const rule = ruleOf({ approvers: [SRE] });

    // Assert
    expect(rule).toMatchObject({ approvals: 1, via: ['api'], pendingFor: 'PT1H', pendingForMs: 3_600_000 });
  });

  it('takes operators at the top of requests, none by default', () => {
    // Act
    const withOperators = parseConfig(withRequests({ operators: [SRE] }), 'test');
    const without = parseConfig(withRequests({}), 'test');

    // Assert
    expect(withOperators.membership?.requests?.operators).toEqual([SRE]);
    expect(without.membership?.requests?.operators).toEqual([]);
  });

  it.each([
    [
      'a principal that is no ARN',
      { requesters: ['alice'] },
      'rules[0].requesters[0]',
      "'alice' is not a principal pattern",
    ],
    [
      'a * inside a name',
      { approvers: [`arn:aws:iam::${ACCOUNT}:role/s*re`] },
      'rules[0].approvers[0]',
      'is not a principal pattern',
    ],
    ['a bare *', { approvers: ['*'] }, 'rules[0].approvers[0]', "'*' is not a principal pattern"],
    [
      'a principal of another account',
      { requesters: ['arn:aws:iam::210987654321:role/sre'] },
      'rules[0].requesters[0]',
      'expected a principal of account 123456789012',
    ],
    [
      'approvals without approvers',
      { approvals: 2 },
      'rules[0].approvers',
      'approvals 2 must come from someone',
    ],
    ['more than five approvals', { approvers: [SRE], approvals: 6 }, 'rules[0].approvals', '5'],
    [
      'pendingFor over a week',
      { approvers: [SRE], pendingFor: 'P8D' },
      'rules[0].pendingFor',
      'expected at most P7D',
    ],
    ['an unknown channel', { via: ['email'] }, 'rules[0].via[0]', 'api'],
    ['a repeated approver', { approvers: [SRE, SRE] }, 'rules[0].approvers[1]', 'already listed as [0]'],
  ])('refuses %s, naming the value at its path', (_, rule, path, message) => {
    // Act
    const error = configErrorOf(withRequests({ rules: [{ ...RULE, ...rule }] }));

    // Assert
    expect(problemAt(error, `$.membership.requests.${path}`)).toContain(message);
  });

  it('refuses an operator pattern that is not a principal', () => {
    // Act
    const error = configErrorOf(withRequests({ operators: ['arn:aws:iam::123456789012:group/admins'] }));

    // Assert
    expect(problemAt(error, '$.membership.requests.operators[0]')).toContain('is not a principal pattern');
  });
});

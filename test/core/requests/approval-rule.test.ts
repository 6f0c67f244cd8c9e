import { describe, expect, it } from 'vitest';
import { membershipConfigFileContent, readMembershipConfigFile } from '#core/requests/config-file';
import { requestsSpecSchema, resolveRequests } from '#core/requests/rules';

const GROUP = 'arn:aws:memorydb:eu-west-1:123456789012:acl/prod-acl';
const LEADS = 'arn:aws:iam::123456789012:role/leads';
const resolve = (rule: Record<string, unknown>, operators?: string[]) =>
  resolveRequests(
    requestsSpecSchema.parse({
      ...(operators && { operators }),
      rules: [{ name: 'oncall', groupArn: GROUP, users: ['bob'], ...rule }],
    }),
  );

describe('approval settings in the bundled membership file', () => {
  it.each([
    ['a rule without approvals', {}],
    ['a rule with the approval defaults', { approvers: [LEADS] }],
    [
      'a rule with every setting away from its default',
      {
        requesters: ['arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Dev_*/alice'],
        approvers: [LEADS, 'arn:aws:iam::123456789012:user/carol'],
        approvals: 2,
        selfApproval: true,
        pendingFor: 'P2D',
        via: ['api', 'bus'],
      },
    ],
    ['a bus-only rule', { via: ['bus'] }],
  ])('reads back %s exactly as the stack resolved it', (_, rule) => {
    // Arrange
    const requests = resolve(rule, [LEADS]);

    // Act
    const content = membershipConfigFileContent({ grants: [], requests });
    const read = readMembershipConfigFile(content, 'membership-config.json');

    // Assert
    expect(read.requests).toEqual(requests);
  });

  it('writes no default into the file, so a config without approvals bundles as before', () => {
    // Act
    const content = JSON.parse(membershipConfigFileContent({ grants: [], requests: resolve({}) }));

    // Assert
    expect(content.requests.rules[0]).toEqual({
      name: 'oncall',
      groupArn: GROUP,
      maxDuration: 'PT8H',
      users: ['bob'],
    });
    expect(content.requests).not.toHaveProperty('operators');
  });
});

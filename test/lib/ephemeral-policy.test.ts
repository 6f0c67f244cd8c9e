import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EPHEMERAL_TAGS } from '#core/requests/ephemeral-names';
import { synthStack } from '../support/synth';
import { allStatements } from '../support/template';

const config = {
  membership: {
    requests: {
      rules: [
        {
          name: 'debug',
          groupArn: 'arn:aws:memorydb:eu-west-1:123456789012:acl/prod-acl',
          ephemeral: {
            accessString: 'on ~* -@all +@read',
            readers: ['arn:aws:iam::123456789012:role/oncall'],
          },
        },
      ],
    },
  },
};

describe('ephemeral MemoryDB users in the membership policy', () => {
  it('allows CreateUser on `*`, where IAM authorizes it, only with the request tag every ephemeral user carries', () => {
    const { template } = synthStack(config);

    const creates = allStatements(template).filter(({ statement }) =>
      [statement.Action].flat().includes('memorydb:CreateUser'),
    );

    expect(creates.map(({ statement }) => statement)).toEqual([
      expect.objectContaining({
        Resource: '*',
        Condition: { Null: { [`aws:RequestTag/${EPHEMERAL_TAGS.request}`]: 'false' } },
      }),
    ]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'EphemeralMemoryDbCreate' })]) },
    });
  });
});

import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CacheGroup, CacheMembership, InvalidConfigError } from '../../lib';
import { synthStack, unbundledApp } from '../support/synth';
import { onlyLogicalId } from '../support/template';

const GROUP = 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug';
const rule = (extra: Record<string, unknown> = {}) => ({
  name: 'oncall',
  groupArn: GROUP,
  users: ['alice'],
  ...extra,
});
const synth = (rules: Record<string, unknown>[]) =>
  synthStack({ membership: { requests: { rules } } }, { id: 'Access' }).template;

describe('the request API in the stack', () => {
  it('is a function URL with IAM auth on the membership function, output as AccessApiUrl, with no public permission', () => {
    // Act
    const template = synth([rule({ approvers: ['arn:aws:iam::123456789012:role/leads'] })]);

    // Assert
    const fn = onlyLogicalId(template, 'AWS::Lambda::Function');
    const url = onlyLogicalId(template, 'AWS::Lambda::Url');
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      TargetFunctionArn: { 'Fn::GetAtt': [fn, 'Arn'] },
    });
    template.hasOutput('AccessApiUrl', { Value: { 'Fn::GetAtt': [url, 'FunctionUrl'] } });
    // IAM auth with no resource policy: only this account's principals whose own policies allow it.
    template.resourcePropertiesCountIs('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunctionUrl' }, 0);
    template.resourcePropertiesCountIs('AWS::Lambda::Permission', { Principal: Match.exact('*') }, 0);
  });

  it('is not made when every rule takes requests from the bus only', () => {
    // Act
    const template = synth([rule({ via: ['bus'] })]);

    // Assert
    template.resourceCountIs('AWS::Lambda::Url', 0);
    expect(Object.keys(template.findOutputs('AccessApiUrl'))).toEqual([]);
  });
});

describe('approval props of the CacheMembership construct', () => {
  const membership = (rule: Record<string, unknown>, operators?: string[]) => {
    const stack = new Stack(unbundledApp(), 'Props', {
      env: { account: '123456789012', region: 'eu-west-1' },
    });
    const construct = new CacheMembership(stack, 'Membership', {
      requests: {
        ...(operators && { operators }),
        rules: [{ name: 'oncall', group: CacheGroup.fromArn(GROUP), users: ['alice'], ...rule }],
      },
    });
    return { construct, template: Template.fromStack(stack) };
  };

  it('takes typed approval settings and makes the request API', () => {
    // Act
    const { construct } = membership(
      {
        requesters: ['arn:aws:iam::123456789012:role/developers'],
        approvers: ['arn:aws:iam::123456789012:role/leads'],
        approvals: 2,
        pendingFor: Duration.hours(2),
        via: ['api', 'bus'],
      },
      ['arn:aws:iam::123456789012:role/soc'],
    );

    // Assert
    expect(construct.requestApi).toBeDefined();
  });

  it('refuses a principal pattern that is no ARN, naming the prop path and the value', () => {
    // Act
    const build = () => membership({ approvers: ['leads'] });

    // Assert
    expect(build).toThrow(InvalidConfigError);
    expect(build).toThrow(/\$\.requests\.rules\[0\]\.approvers\[0\]: 'leads' is not a principal pattern/);
  });
});

import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../lib';
import { synthStack } from '../support/synth';

const GROUP = 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug';
const GIVEN = 'arn:aws:sns:eu-west-1:123456789012:ops-chat';
const synth = (notify: unknown) =>
  synthStack(
    { membership: { requests: { notify, rules: [{ name: 'oncall', groupArn: GROUP, users: ['alice'] }] } } },
    { id: 'Chat' },
  ).template;

const idStartingWith = (template: ReturnType<typeof synth>, type: string, prefix: string) =>
  Object.keys(template.findResources(type)).find((id) => id.startsWith(prefix)) ??
  expect.fail(`no ${prefix}`);

/** The membership role's policy statements, as one list. */
const statementsOf = (template: ReturnType<typeof synth>) =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: { Sid?: string }[] } } }).Properties
        .PolicyDocument.Statement,
  );

describe('chat notifications in the stack', () => {
  it('creates a topic encrypted with a key of its own that refuses plain HTTP, and lets the function publish to it alone', () => {
    const template = synth({ create: true });

    const topic = idStartingWith(template, 'AWS::SNS::Topic', 'MembershipChatTopic');
    const key = idStartingWith(template, 'AWS::KMS::Key', 'MembershipChatTopicKey');
    // Pinned: a new id would replace the topic, and every chat channel mapped to it would hear nothing.
    expect([topic, key]).toEqual(['MembershipChatTopic2A0F3AC8', 'MembershipChatTopicKey9B3BFD25']);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    expect(
      statementsOf(template).filter((s) => s.Sid === 'NotifyChat' || s.Sid === 'EncryptChatNotifications'),
    ).toEqual([
      { Sid: 'NotifyChat', Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topic } },
      {
        Sid: 'EncryptChatNotifications',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: { 'Fn::GetAtt': [key, 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } },
      },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CHAT_TOPIC_ARN: { Ref: topic } }) },
    });
    const outputs = template.findOutputs('*');
    const output = Object.keys(outputs).find((id) => id.startsWith('MembershipChatTopicArn'));
    expect(output && outputs[output]).toMatchObject({ Value: { Ref: topic } });
  });

  it('publishes to a given topic by its ARN and creates none', () => {
    const template = synth({ topicArn: GIVEN });

    template.resourceCountIs('AWS::SNS::Topic', 1); // the alert topic only
    expect(statementsOf(template).filter((s) => s.Sid === 'NotifyChat')).toEqual([
      { Sid: 'NotifyChat', Effect: 'Allow', Action: 'sns:Publish', Resource: GIVEN },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CHAT_TOPIC_ARN: GIVEN }) },
    });
  });

  it('sets no topic and no variable without notify', () => {
    const template = synth(undefined);

    expect(statementsOf(template).filter((s) => s.Sid === 'NotifyChat')).toEqual([]);
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Environment: { Variables: Match.objectLike({ CHAT_TOPIC_ARN: Match.anyValue() }) } },
      0,
    );
  });

  it('refuses a notify that is not a topic ARN at synth, naming the path and the value', () => {
    expect(() => synth({ topicArn: 'ops-chat' })).toThrow(InvalidConfigError);
    expect(() => synth({ topicArn: 'ops-chat' })).toThrow(
      /membership\.requests\.notify\.topicArn.*'ops-chat'/,
    );
  });
});

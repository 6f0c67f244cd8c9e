import { readFileSync } from 'node:fs';
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { allows, type ServiceRequest } from '../support/policy-evaluation';
import { synthStack } from '../support/synth';
import { allStatements, asList, type Statement } from '../support/template';

const STACK = 'CacheAccessAutomation';
const { context } = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
const example = context.cacheAccess;

const templateOf = (config: unknown): Template =>
  synthStack(config, { id: STACK, now: new Date('2026-11-01T00:00:00Z') }).template;

const STACKS: Record<string, unknown> = {
  'the example config': example,
  'a membership-only config': { membership: example.membership },
  'a rotation-only config': { rotation: example.rotation },
};

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

/** Who publishes to which topic: every alarm action and every rule target that is a topic of this template. */
function publishers(template: Template) {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const { account, region } = arnParts(template);
  const topics = Object.keys(resources).filter((id) => resources[id]?.Type === 'AWS::SNS::Topic');
  const found: { publisher: string; topic: string; request: Omit<ServiceRequest, 'action' | 'resource'> }[] =
    [];
  for (const [id, { Type, Properties }] of Object.entries(resources)) {
    if (Type === 'AWS::CloudWatch::Alarm') {
      for (const action of asList(Properties.AlarmActions)) {
        const topic = topics.find((t) => JSON.stringify(action) === JSON.stringify({ Ref: t }));
        if (topic) {
          found.push({
            publisher: id,
            topic,
            request: {
              service: 'cloudwatch.amazonaws.com',
              sourceAccount: account,
              sourceArn: { 'Fn::GetAtt': [id, 'Arn'] },
              concreteSourceArn: `arn:aws:cloudwatch:${region}:${account}:alarm:${STACK}-${id}-1A2B3C4D`,
            },
          });
        }
      }
    }
    if (Type === 'AWS::Events::Rule') {
      for (const target of asList(Properties.Targets) as { Arn: unknown }[]) {
        const topic = topics.find((t) => JSON.stringify(target.Arn) === JSON.stringify({ Ref: t }));
        if (topic) {
          found.push({
            publisher: id,
            topic,
            request: {
              service: 'events.amazonaws.com',
              sourceAccount: account,
              sourceArn: { 'Fn::GetAtt': [id, 'Arn'] },
              concreteSourceArn: `arn:aws:events:${region}:${account}:rule/${STACK}-${id}-1A2B3C4D`,
            },
          });
        }
      }
    }
  }
  return found;
}

function arnParts(template: Template) {
  const secret = JSON.stringify(template.toJSON()).match(/arn:aws:[a-z-]+:([a-z0-9-]+):(\d{12}):/);
  return { region: secret?.[1] ?? '', account: secret?.[2] ?? '' };
}

function topicPolicyStatements(template: Template, topic: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as Resource[];
  return policies
    .filter(({ Properties }) => JSON.stringify(Properties.Topics).includes(`"${topic}"`))
    .flatMap(({ Properties }) => (Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

function keyPolicyStatements(template: Template, topic: string): Statement[] {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const keyRef = resources[topic]?.Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] };
  const key = resources[keyRef['Fn::GetAtt'][0]];
  if (!key) return expect.fail(`topic ${topic} is encrypted with a key the template does not hold`);
  return (key.Properties.KeyPolicy as { Statement: Statement[] }).Statement;
}

describe.each(Object.entries(STACKS))('alerts from %s', (_, config) => {
  const template = templateOf(config);
  const found = publishers(template);

  it('has publishers to check: every function alarm, and the failure rule where secrets rotate', () => {
    const alarms = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    expect(found.map(({ publisher }) => publisher)).toEqual(expect.arrayContaining(alarms));
  });

  it('lets every alarm and rule publish to its topic, and use the topic key, from this account only', () => {
    for (const { publisher, topic, request } of found) {
      const publish = { ...request, action: 'sns:Publish', resource: { Ref: topic } };
      expect(allows(topicPolicyStatements(template, topic), publish), `${publisher} publishes`).toBe(true);
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
        expect(
          allows(keyPolicyStatements(template, topic), { ...request, action, resource: '*' }),
          `${publisher} ${action}`,
        ).toBe(true);
      }
      const foreign = { ...publish, sourceAccount: '999999999999' };
      expect(
        allows(topicPolicyStatements(template, topic), foreign),
        `${publisher} from another account`,
      ).toBe(false);
    }
  });

  it('lets no other alarm or rule of the account publish to the topic', () => {
    for (const { topic, request } of found) {
      const other = {
        ...request,
        action: 'sns:Publish',
        resource: { Ref: topic },
        sourceArn: { 'Fn::GetAtt': ['SomeoneElsesAlarm', 'Arn'] },
      };
      expect(allows(topicPolicyStatements(template, topic), other)).toBe(false);
    }
  });

  it('conditions every service-principal statement on the source account, and on the source where the service sends it', () => {
    const unconditioned = allStatements(template)
      .filter(({ statement }) => (statement.Principal as { Service?: unknown } | undefined)?.Service)
      .filter(({ statement }) => statement.Effect === 'Allow')
      .filter(({ statement }) => !EXEMPT.some((exempt) => exempt(statement)))
      .filter(({ statement }) => {
        const conditions = JSON.stringify(statement.Condition ?? {});
        return !conditions.includes('aws:SourceAccount') || !conditions.includes('aws:SourceArn');
      });
    expect(unconditioned).toEqual([]);
  });

  it('gives every service invoke permission a source account, and a source ARN except for Secrets Manager', () => {
    for (const [id, permission] of Object.entries(template.findResources('AWS::Lambda::Permission'))) {
      const { Principal, SourceAccount, SourceArn } = (permission as Resource).Properties;
      expect(SourceAccount, id).toBeDefined();
      // One rotation function serves many secrets: a SourceArn would tie it to one of them.
      if (Principal !== 'secretsmanager.amazonaws.com') expect(SourceArn, id).toBeDefined();
    }
  });
});

/**
 * Statements AWS documents as unable to carry source conditions, each with its reason:
 * - EventBridge's use of the topic key: AWS documents source conditions as unsupported for
 *   EventBridge delivery to an encrypted topic, and one there drops every event silently.
 * - Lambda's trust in the execution roles: the role is handed over with iam:PassRole, which never
 *   crosses accounts, and Lambda documents no source keys for assuming it; a wrong condition would
 *   stop the function from starting.
 */
const EXEMPT: ((statement: Statement) => boolean)[] = [
  (s) => s.Sid === 'RulesEncryptAlerts' && JSON.stringify(s.Principal).includes('events.amazonaws.com'),
  (s) =>
    s.Action === 'sts:AssumeRole' && JSON.stringify(s.Principal) === '{"Service":"lambda.amazonaws.com"}',
];

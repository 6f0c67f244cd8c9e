import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { describe, expect, it } from 'vitest';
import { disabledDefaultUserId } from '#core/owned-groups/owned-groups';
import { CacheGroup, OwnedCacheGroups } from '../../lib/index';
import { synthStack, unbundledApp } from '../support/synth';
import { allStatements, onlyLogicalId } from '../support/template';

const REDIS_UG = 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:redis-ug';
const VALKEY_UG = 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:valkey-ug';
const ACL = 'arn:aws:memorydb:eu-west-1:123456789012:acl/jit-acl';
const ENV = { account: '123456789012', region: 'eu-west-1' };

function ownedIn(groups: ConstructorParameters<typeof OwnedCacheGroups>[2]['groups']) {
  const stack = new Stack(unbundledApp(), 'Caches', { env: ENV });
  const owned = new OwnedCacheGroups(stack, 'OwnedGroups', { groups });
  return { stack, owned, template: () => Template.fromStack(stack) };
}

const statementsOf = (template: Template) =>
  allStatements(template)
    .filter(({ statement }) => statement.Sid && /^(Own|Delete)/.test(statement.Sid))
    .map(({ statement }) => ({
      sid: statement.Sid,
      actions: statement.Action,
      resources: statement.Resource,
    }));

describe('OwnedCacheGroups', () => {
  it('declares one custom resource per group with its engine and removal policy, and no group in the template', () => {
    // Arrange
    const { template } = ownedIn([
      { group: CacheGroup.fromArn(VALKEY_UG), serverEngine: 'valkey' },
      { group: CacheGroup.fromArn(ACL), removalPolicy: RemovalPolicy.DESTROY },
    ]);

    // Act
    const synthesized = template();

    // Assert
    synthesized.resourceCountIs('AWS::ElastiCache::UserGroup', 0);
    synthesized.resourceCountIs('AWS::MemoryDB::ACL', 0);
    synthesized.hasResourceProperties('Custom::CacheAccessOwnedGroup', {
      GroupArn: VALKEY_UG,
      ServerEngine: 'valkey',
      RemovalPolicy: 'retain',
    });
    synthesized.hasResourceProperties('Custom::CacheAccessOwnedGroup', {
      GroupArn: ACL,
      ServerEngine: Match.absent(),
      RemovalPolicy: 'destroy',
    });
    // One answer per request: a retried invocation would answer CloudFormation twice.
    synthesized.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });

  it('allows exactly the groups and their disabled default users, and deletion only where the policy is destroy', () => {
    // Arrange
    const defaultUser = `arn:aws:elasticache:eu-west-1:123456789012:user:${disabledDefaultUserId(REDIS_UG)}`;
    const valkeyDefault = `arn:aws:elasticache:eu-west-1:123456789012:user:${disabledDefaultUserId(VALKEY_UG)}`;
    const { template } = ownedIn([
      { group: CacheGroup.fromArn(REDIS_UG), serverEngine: 'redis', removalPolicy: RemovalPolicy.DESTROY },
      { group: CacheGroup.fromArn(VALKEY_UG), serverEngine: 'valkey' },
      { group: CacheGroup.fromArn(ACL) },
    ]);

    // Act
    const statements = statementsOf(template());

    // Assert: the kept groups share a policy; the destroy group has its own
    const own = (resources: string | string[]) => ({
      sid: 'OwnElastiCacheGroups',
      actions: [
        'elasticache:CreateUserGroup',
        'elasticache:AddTagsToResource',
        'elasticache:DescribeUserGroups',
        'elasticache:ListTagsForResource',
      ],
      resources,
    });
    const defaultUsers = (resources: string) => ({
      sid: 'OwnElastiCacheDefaultUsers',
      actions: [
        'elasticache:CreateUser',
        'elasticache:CreateUserGroup',
        'elasticache:AddTagsToResource',
        'elasticache:DescribeUsers',
        'elasticache:ListTagsForResource',
      ],
      resources,
    });
    expect(statements).toEqual([
      own(VALKEY_UG),
      // A valkey group needs no default user, but deleting any ElastiCache group reads its tags.
      defaultUsers(valkeyDefault),
      {
        sid: 'OwnMemoryDbGroups',
        actions: ['memorydb:CreateACL', 'memorydb:TagResource', 'memorydb:DescribeACLs', 'memorydb:ListTags'],
        resources: ACL,
      },
      own(REDIS_UG),
      defaultUsers(defaultUser),
      { sid: 'DeleteElastiCacheGroups', actions: 'elasticache:DeleteUserGroup', resources: REDIS_UG },
      { sid: 'DeleteElastiCacheDefaultUsers', actions: 'elasticache:DeleteUser', resources: defaultUser },
    ]);
  });

  it('keeps the rights of a group deleted with its resource in a policy of its own that goes after the group', () => {
    // Arrange
    const { template } = ownedIn([
      { group: CacheGroup.fromArn(VALKEY_UG), serverEngine: 'valkey' },
      { group: CacheGroup.fromArn(ACL), removalPolicy: RemovalPolicy.DESTROY },
    ]);

    // Act
    const synthesized = template().toJSON();

    // Assert: removing the ACL from the stack removes its resource and its policy together, and
    // CloudFormation deletes the resource (which depends on the policy) first
    const resources = synthesized.Resources as Record<
      string,
      { Type: string; DependsOn?: string[]; Properties: Record<string, unknown> }
    >;
    const [aclResource] = Object.entries(resources).find(
      ([, r]) => r.Type === 'Custom::CacheAccessOwnedGroup' && r.Properties.GroupArn === ACL,
    ) ?? [''];
    const policyNaming = (arn: string) =>
      Object.entries(resources)
        .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties).includes(arn))
        .map(([id]) => id);
    const [aclPolicy] = policyNaming(ACL);
    expect(policyNaming(ACL)).toHaveLength(1);
    expect(policyNaming(VALKEY_UG)).toHaveLength(1);
    expect(aclPolicy).not.toBe(policyNaming(VALKEY_UG)[0]);
    expect(resources[aclResource]?.DependsOn).toContain(aclPolicy);
    expect(JSON.stringify(resources[aclPolicy ?? '']?.Properties)).toContain('memorydb:DeleteACL');
  });

  it('gives an id that makes a cache attached to the group wait for it', () => {
    // Arrange
    const { stack, owned, template } = ownedIn([
      { group: CacheGroup.fromArn(VALKEY_UG), serverEngine: 'valkey' },
    ]);

    // Act
    new elasticache.CfnReplicationGroup(stack, 'Cache', {
      replicationGroupDescription: 'uses the owned group',
      engine: 'valkey',
      cacheNodeType: 'cache.t4g.micro',
      transitEncryptionEnabled: true,
      userGroupIds: [owned.groupOf(CacheGroup.fromArn(VALKEY_UG)).groupId],
    });

    // Assert
    const groupId = onlyLogicalId(template(), 'Custom::CacheAccessOwnedGroup');
    template().hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      UserGroupIds: [{ 'Fn::GetAtt': [groupId, 'GroupId'] }],
    });
  });

  it.each([
    [[], 'groups: expected at least one group'],
    [[{ group: CacheGroup.fromArn(REDIS_UG) }], "groups[0].serverEngine: expected 'redis' or 'valkey'"],
    [[{ group: CacheGroup.fromArn(ACL), serverEngine: 'redis' as const }], 'has no engine of its own'],
    [
      [{ group: CacheGroup.fromArn(ACL) }, { group: CacheGroup.fromArn(ACL) }],
      `groups[1].group: ${ACL} is listed twice`,
    ],
    [
      [{ group: CacheGroup.fromArn(ACL), removalPolicy: RemovalPolicy.SNAPSHOT }],
      'expected RETAIN or DESTROY',
    ],
  ])('refuses props %#, naming the prop', (groups, message) => {
    expect(() => ownedIn(groups)).toThrow(message);
  });
});

describe('membership.groups in the config-driven stack', () => {
  const synth = () => {
    const membership = {
      requests: {
        rules: [
          {
            name: 'debug',
            groupArn: VALKEY_UG,
            ephemeral: {
              accessString: 'on ~* -@all +@read',
              readers: ['arn:aws:iam::123456789012:role/oncall'],
            },
          },
        ],
      },
      groups: [{ groupArn: VALKEY_UG, create: true, engine: 'valkey' }],
    };
    return synthStack({ membership }, { id: 'Access' }).template;
  };

  it('creates the group before the membership function and its schedules, and outputs its id', () => {
    // Act
    const template = synth();

    // Assert
    const groupId = onlyLogicalId(template, 'Custom::CacheAccessOwnedGroup');
    const membership = onlyLogicalId(template, 'AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('^Keeps ElastiCache user group') },
    });
    expect(template.toJSON().Resources[membership].DependsOn).toContain(groupId);
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [groupId, 'GroupId'] } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [
        { Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^OwnedGroupsHandlerFunction') } },
      ],
    });
  });
});

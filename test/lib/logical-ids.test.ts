import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CacheAccessStack } from '../../lib/cache-access-stack';
import { parseConfig } from '../../lib/config/load';

/**
 * A deployed stack is updated in place: CloudFormation replaces any resource whose logical id
 * changes. A replaced created secret means new passwords, a replaced schedule group drops its
 * schedules, a replaced log group loses history. These ids were taken from the example config in
 * cdk.json before the code was reshaped; a change here must be deliberate and explained.
 *
 * One deliberate change so far: schedules are keyed by boundary, not by group, since every run
 * reconciles every group (a schedule per group and boundary hit the 500-resource limit at about 96
 * groups). Replacing a schedule loses nothing: it holds no state, and the periodic reconcile covers
 * the seconds of a deploy.
 *
 * Added since, nothing renamed: the owned-groups function and one custom resource per owned group. That
 * resource's id matters most: under a new id CloudFormation would create the new resource (which adopts
 * the group, being the stack's) and then delete the old one, which with removal policy destroy deletes
 * the group. Then the dashboard: replacing it would lose any widget an operator added by hand.
 *
 * Then the request API's function URL on the membership function: replacing it would change the URL
 * every operator's CLI finds through the AccessApiUrl output.
 */
const PINNED = [
  'AlertsMembershipDeadLetters78B9E0B6 AWS::CloudWatch::Alarm',
  'AlertsMembershipErrorsB245764F AWS::CloudWatch::Alarm',
  'AlertsOwnedGroupsErrors03C3602E AWS::CloudWatch::Alarm',
  'AlertsRequestsDeadLetters913DEE62 AWS::CloudWatch::Alarm',
  'AlertsRotationErrors0F1D2348 AWS::CloudWatch::Alarm',
  'AlertsRotationFailed49438366 AWS::Events::Rule',
  'AlertsTopicCF7C81C9 AWS::SNS::Topic',
  'AlertsTopicKey4FD54A73 AWS::KMS::Key',
  'AlertsTopicPolicyFF1F97BA AWS::SNS::TopicPolicy',
  'Dashboard7A714131 AWS::CloudWatch::Dashboard',
  'MembershipBoundary2c3939a8e591722EB4 AWS::Scheduler::Schedule',
  'MembershipBoundary2e83aa6bd174D16E8E AWS::Scheduler::Schedule',
  'MembershipBoundaryc4aee3625b80C11DAC AWS::Scheduler::Schedule',
  'MembershipBoundaryd16a35fb5d5D5C396D AWS::Scheduler::Schedule',
  'MembershipBoundaryf66add610d621F8289 AWS::Scheduler::Schedule',
  'MembershipBoundaryf9a2877153FA07CD7C AWS::Scheduler::Schedule',
  'MembershipBus236DF2EE AWS::Events::EventBus',
  'MembershipExpiries80B4C106 AWS::Scheduler::ScheduleGroup',
  'MembershipFailedRunsEFA3E90D AWS::SQS::Queue',
  'MembershipFailedRunsPolicy030D8966 AWS::SQS::QueuePolicy',
  'MembershipGrants307684E3 AWS::DynamoDB::Table',
  'MembershipMembershipPolicy6B4541ED AWS::IAM::Policy',
  'MembershipReconcile2C5490AF AWS::Scheduler::Schedule',
  'MembershipReconcilerFunction08FB3744 AWS::Lambda::Function',
  'MembershipReconcilerFunctionEventInvokeConfig0A7DD12A AWS::Lambda::EventInvokeConfig',
  'MembershipReconcilerFunctionFunctionUrl46C1B0F8 AWS::Lambda::Url',
  'MembershipReconcilerLogs0312ADC9 AWS::Logs::LogGroup',
  'MembershipReconcilerRoleA9A42D8E AWS::IAM::Role',
  'MembershipReconcilerRoleDefaultPolicy66D6670E AWS::IAM::Policy',
  'MembershipRequestBatchesAFA2C9DA AWS::Lambda::EventSourceMapping',
  'MembershipRequestFailures6A914D91 AWS::SQS::Queue',
  'MembershipRequestFailuresPolicy7DD79E92 AWS::SQS::QueuePolicy',
  'MembershipRequestQueue7B4509D6 AWS::SQS::Queue',
  'MembershipRequestQueuePolicy6E2DEBB0 AWS::SQS::QueuePolicy',
  'MembershipRequestsAllowEventRuleCacheAccessAutomationMembershipReconcilerFunction8845CA1210B16700 AWS::Lambda::Permission',
  'MembershipRequestsE4BDE0C6 AWS::Events::Rule',
  'MembershipSchedulerRoleDefaultPolicy3437CBF0 AWS::IAM::Policy',
  'MembershipSchedulerRoleEEBB6A09 AWS::IAM::Role',
  'MembershipSchedulesF347236A AWS::Scheduler::ScheduleGroup',
  'OwnedGroupsGroupPolicy31A30CAA AWS::IAM::Policy',
  'OwnedGroupsGroupelasticachejitugB0381E6B Custom::CacheAccessOwnedGroup',
  'OwnedGroupsHandlerFunctionE0B8F723 AWS::Lambda::Function',
  'OwnedGroupsHandlerFunctionEventInvokeConfigFF4AFDA0 AWS::Lambda::EventInvokeConfig',
  'OwnedGroupsHandlerLogsD7103A56 AWS::Logs::LogGroup',
  'OwnedGroupsHandlerRoleDefaultPolicy2CAEFF50 AWS::IAM::Policy',
  'OwnedGroupsHandlerRoleFB178ABF AWS::IAM::Role',
  'RotationInvokedBySecretsManager4E5DACDF AWS::Lambda::Permission',
  'RotationRotationPolicy50295462 AWS::IAM::Policy',
  'RotationRotatorFunction51B0593F AWS::Lambda::Function',
  'RotationRotatorLogs3C02B44B AWS::Logs::LogGroup',
  'RotationRotatorRole0515301D AWS::IAM::Role',
  'RotationRotatorRoleDefaultPolicyB5833C7F AWS::IAM::Policy',
  'RotationRotatorVpcNetworking979530AC AWS::IAM::Policy',
  'RotationScheduleelasticacheappwriterC812DB5C AWS::SecretsManager::RotationSchedule',
  'RotationSchedulememorydbappreader962C2307 AWS::SecretsManager::RotationSchedule',
  'RotationSecretmemorydbappreaderB8221F2E AWS::SecretsManager::Secret',
];

function exampleStackResources(): string[] {
  const { context } = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new CacheAccessStack(app, 'CacheAccessAutomation', {
    config: parseConfig(context.cacheAccess, 'cdk.json'),
    // Before the example's one-time window, so both of its boundaries get a schedule.
    now: new Date('2026-11-01T00:00:00Z'),
  });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>;
  return Object.entries(resources).map(([id, { Type }]) => `${id} ${Type}`);
}

describe('logical ids of the example stack', () => {
  it('are the ones a deployed stack already has, so an update replaces nothing', () => {
    expect(exampleStackResources().sort()).toEqual(PINNED);
  });
});

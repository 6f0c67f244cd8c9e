import { CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseUserArn, resourceKey } from '#core/cache/refs';
import { ENV } from '#core/runtime/env-names';
import { NESTED_SCALE, type ScaleOptions, scaleConfig } from '../../bench/scale-config';
import type { CacheAccessStack } from '../../lib/cache-access-stack';
import type { CredentialRotation } from '../../lib/constructs/credential-rotation';
import { byShard, SHARD_COUNT, shardOf } from '../../lib/constructs/shards';
import { synthStack } from '../support/synth';
import { allStatements, asList } from '../support/template';

const NOW = new Date('2026-11-01T00:00:00Z');
const SMALL: ScaleOptions = {
  targets: 64,
  createdSecrets: 32,
  groups: 40,
  usersPerGroup: 3,
  projectWindows: true,
  nestedStacks: true,
};

/** One created secret and one project window, with both sections in nested stacks. */
const ONE_OF_EACH = {
  rotation: {
    nestedStacks: true,
    targets: [{ userArn: 'arn:aws:elasticache:eu-west-1:123456789012:user:app-writer' }],
  },
  membership: {
    nestedStacks: true,
    grants: [
      {
        name: 'launch',
        groupArn: 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:app-ug',
        users: ['app-writer'],
        windows: [{ start: '2030-01-01T09:00:00Z', end: '2030-01-02T18:00:00Z' }],
      },
    ],
  },
};

type Config = ReturnType<typeof scaleConfig>;
type Target = Config['rotation']['targets'][number];
type GrantSpec = Config['membership']['grants'][number];

/** The config with its targets and grants replaced, everything else as it was. */
function withEntries(config: Config, targets: Target[], grants: GrantSpec[]): Config {
  return {
    rotation: { ...config.rotation, targets },
    membership: { ...config.membership, grants },
  };
}

/**
 * Every resource of the synthesized app, by what it is, to where it is: the template it lands in and its
 * logical id there. A keyed resource (a secret, a rotation schedule, a window schedule) is named without
 * its shard, so one that moved to another nested stack shows up as a changed template.
 */
function placements(config: Config): Map<string, string> {
  const { stack } = synthStack(config, { id: 'Cfg', now: NOW });
  const resources = stack.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource);
  return new Map(
    resources.map((resource) => {
      const home = Stack.of(resource);
      const what = resource.node.path.replace(/\/Shard[0-9a-f]\/((?:Secret|Schedule|Boundary)-)/, '/$1');
      return [what, `${home.templateFile} ${home.resolve(resource.logicalId)}`];
    }),
  );
}

/** The entries of `before` that `after` also has, where `after` placed them differently. */
function moved(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...before]
    .filter(([what, where]) => after.has(what) && after.get(what) !== where)
    .map(([what, where]) => `${what}: ${where} -> ${after.get(what)}`);
}

const keyed = (placement: Map<string, string>) =>
  [...placement.keys()].filter((what) => /\/(Secret|Schedule|Boundary)-/.test(what));

describe('nested placement', () => {
  const base = scaleConfig(SMALL);
  const before = placements(base);
  const { targets } = base.rotation;
  const { grants } = base.membership;
  const extraTarget: Target = {
    userArn: 'arn:aws:elasticache:eu-west-1:123456789012:user:late-joiner',
    endpoint: { host: 'master.late.abcdef.euw1.cache.amazonaws.com' },
  };
  const extraGrant: GrantSpec = {
    ...(grants[0] as GrantSpec),
    name: 'late-project',
    windows: [{ start: '2031-03-01T09:00:00.000Z', end: '2031-03-20T18:00:00.000Z' }],
  };

  it('spreads the secrets, rotation schedules and window schedules over nested stacks, not the parent', () => {
    const inParent = keyed(before).filter((what) => before.get(what)?.startsWith('Cfg.template.json'));

    expect(keyed(before).length).toBeGreaterThan(150);
    expect(inParent).toEqual([]);
  });

  it('moves nothing that exists before and after when a target and a window are added', {
    timeout: 60_000,
  }, () => {
    const after = placements(withEntries(base, [...targets, extraTarget], [...grants, extraGrant]));

    expect(after.size).toBeGreaterThan(before.size);
    expect(moved(before, after)).toEqual([]);
  });

  it('moves nothing that exists before and after when a target and a window are removed', {
    timeout: 60_000,
  }, () => {
    const after = placements(
      withEntries(
        base,
        targets.filter((_, i) => i !== 5),
        grants.filter((_, i) => i !== 3),
      ),
    );

    expect(after.size).toBeLessThan(before.size);
    expect(moved(before, after)).toEqual([]);
  });

  it('moves nothing when the targets and grants are listed in another order', { timeout: 60_000 }, () => {
    const after = placements(withEntries(base, [...targets].reverse(), [...grants].reverse()));

    expect(moved(before, after)).toEqual([]);
    expect(after.size).toBe(before.size);
  });

  it('names in each rotation shard function policy only the secrets and users of its own shard', () => {
    const { stack } = synthStack(base, { id: 'Cfg', now: NOW });
    const rotation = stack.node.findChild('Rotation') as CredentialRotation;

    expect(rotation.shards.length).toBe(SHARD_COUNT);
    for (const { shard, secrets } of rotation.shards) {
      const nested = rotation.node.findChild(`Shard${shard}`) as NestedStack;
      const named = allStatements(Template.fromStack(nested))
        .filter(({ type }) => type === 'AWS::IAM::Policy' || type === 'AWS::IAM::ManagedPolicy')
        .flatMap(({ statement }) => asList(statement.Resource))
        .filter((resource): resource is string => typeof resource === 'string')
        .filter((arn) => /:user[:/]|:secret:/.test(arn));
      const own = secrets.flatMap(({ user, secret, created }) => [
        user.arn,
        ...(created ? [] : [secret.secretArn]),
      ]);

      expect(new Set(named)).toEqual(new Set(own));
      for (const { user } of secrets) expect(shardOf(resourceKey(user))).toBe(shard);
    }
  });
});

describe('a rotation shard with created secrets', () => {
  it('looks their ARNs up in its own nested stack, and may list only that stack', () => {
    const { stack } = synthStack(ONE_OF_EACH, { now: NOW });
    const rotation = stack.node.findChild('Rotation') as CredentialRotation;
    const [only] = rotation.shards;
    const template = Template.fromStack(only?.handler.node.scope as NestedStack);

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.rotationStack]: { Ref: 'AWS::StackId' } }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'FindCreatedSecrets',
            Action: 'cloudformation:ListStackResources',
            Resource: { Ref: 'AWS::StackId' },
          }),
        ]),
      },
    });
  });
});

describe('shard balance', () => {
  const balanced = (sizes: number[], total: number) => {
    const mean = total / SHARD_COUNT;
    expect(sizes).toHaveLength(SHARD_COUNT);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1.6 * mean);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(0.4 * mean);
  };

  it('gives every one of the 16 shards a fair part of 1,000 rotation targets', () => {
    const users = scaleConfig(NESTED_SCALE).rotation.targets.map(({ userArn }) => parseUserArn(userArn));
    const shards = byShard(users, resourceKey);

    balanced(
      [...shards.values()].map((users) => users.length),
      users.length,
    );
  });

  it('gives every one of the 16 shards a fair part of 600 one-time window boundaries', () => {
    const keys = Array.from({ length: 600 }, (_, i) => `at(2030-01-01T${i}) UTC`);
    const shards = byShard(keys, (key) => key);

    balanced(
      [...shards.values()].map((keys) => keys.length),
      keys.length,
    );
  });
});

describe('logical ids in nested stacks', () => {
  /**
   * Pinned from the first synth with nested stacks. A changed nested stack id replaces the whole
   * nested stack (every secret in it with it); a changed secret id is a new secret nobody has the
   * password of. The reconcile schedule stays in the parent.
   */
  it('are the ones a deployed stack with nested stacks already has', () => {
    const { stack } = synthStack(ONE_OF_EACH, { id: 'CacheAccessAutomation', now: NOW });
    const ids = (scope: CacheAccessStack | NestedStack) =>
      scope.node
        .findAll()
        .filter((c): c is CfnResource => c instanceof CfnResource && Stack.of(c) === scope)
        .filter((c) =>
          /SecretsManager::Secret$|RotationSchedule|Scheduler::Schedule$|CloudFormation::Stack/.test(
            c.cfnResourceType,
          ),
        )
        .map((c) => `${scope.resolve(c.logicalId)} ${c.cfnResourceType}`)
        .sort();
    const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);

    expect(Object.fromEntries([stack, ...nested].map((s) => [s.templateFile, ids(s)]))).toEqual({
      'CacheAccessAutomation.template.json': [
        'MembershipReconcile2C5490AF AWS::Scheduler::Schedule',
        'MembershipShard6NestedStackShard6NestedStackResource6D716908 AWS::CloudFormation::Stack',
        'MembershipShardcNestedStackShardcNestedStackResource3FF779DE AWS::CloudFormation::Stack',
        'RotationShard9NestedStackShard9NestedStackResource9D6A9550 AWS::CloudFormation::Stack',
      ],
      'CacheAccessAutomationMembershipShard6E771A862.nested.template.json': [
        'Boundaryd6e9e5f94e58C3928B AWS::Scheduler::Schedule',
      ],
      'CacheAccessAutomationMembershipShardcCB7DB6E5.nested.template.json': [
        'Boundary5115b159f3B3D62C36 AWS::Scheduler::Schedule',
      ],
      'CacheAccessAutomationRotationShard99FD32692.nested.template.json': [
        'Scheduleelasticacheappwriter AWS::SecretsManager::RotationSchedule',
        'SecretelasticacheappwriterCCDC8F59 AWS::SecretsManager::Secret',
      ],
    });
  });
});

import { DeleteACLCommand } from '@aws-sdk/client-memorydb';
import { describe, expect, inject, it } from 'vitest';
import { disabledDefaultUserId, OWNER_TAG } from '#core/owned-groups/owned-groups';
import type { Engine } from '../../local';
import {
  groupArnOf,
  OWNER_STACK_ID,
  type OwnedGroupsFunction,
  openWindow,
  startMembershipFunction,
  startOwnedGroupsFunction,
  uniqueName,
} from '../../local';
import { useLocalCloud, useLocalEngines } from '../support/local-cloud';

const bundle = inject('bundles')['owned-groups'] ?? '';
const membershipBundle = inject('bundles').membership ?? '';
const OTHER_STACK =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/SomeoneElse/6f1c2d3e-0000-4000-8000-000000000002';

/**
 * Calls the IAM simulation finds the deployed policies would deny, open and reported: MemoryDB's
 * CreateAcl is documented with no ACL resource type (only the users it holds).
 */
const CREATE_ACL_GAP = /memorydb:CreateAcl on .*no\.resource\.types/;
const KNOWN_IAM_GAPS: Record<string, readonly RegExp[]> = {
  redis: [],
  valkey: [],
  memorydb: [CREATE_ACL_GAP],
};

/** One case per kind of group: what the resource's properties say, and what the group must be. */
const KINDS = [
  { engine: 'elasticache', serverEngine: 'redis', defaultUser: true },
  { engine: 'elasticache', serverEngine: 'valkey', defaultUser: false },
  { engine: 'memorydb', serverEngine: undefined, defaultUser: false },
] as const satisfies readonly { engine: Engine; serverEngine?: string; defaultUser: boolean }[];

describe.each(KINDS)(
  'groups the stack owns, through the bundled function: $engine $serverEngine',
  ({ engine, serverEngine, defaultUser }) => {
    const cloud = useLocalCloud({ knownIamGaps: KNOWN_IAM_GAPS[serverEngine ?? engine] });

    const start = async (stackId?: string): Promise<OwnedGroupsFunction> => {
      const fn = await startOwnedGroupsFunction(bundle, cloud.aws, stackId);
      cloud.fn = fn;
      return fn;
    };
    const propertiesOf = (id: string, removalPolicy = 'retain') => ({
      GroupArn: groupArnOf(engine, id),
      ...(serverEngine && { ServerEngine: serverEngine }),
      RemovalPolicy: removalPolicy,
    });

    it('creates the group once, tagged as this stack’s, answers CloudFormation with its id, and adopts it on redelivery', async () => {
      // Arrange
      const fn = await start();
      const id = uniqueName('owned');
      cloud.aws.setDelays({ groupDelayMs: 300, statusDelayMs: 200 });

      // Act
      const first = await fn.send('Create', propertiesOf(id));
      const again = await fn.send('Create', propertiesOf(id));

      // Assert: active before the answer, so a cache can attach to it at once
      expect(first.invocation.ok).toBe(true);
      expect(first.response).toMatchObject({
        Status: 'SUCCESS',
        PhysicalResourceId: groupArnOf(engine, id),
        Data: { GroupId: id, GroupArn: groupArnOf(engine, id) },
      });
      expect(again.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: groupArnOf(engine, id) });
      const group = cloud.aws.groups.get(engine, id);
      expect(group?.status).toBe('active');
      expect(cloud.aws.groups.tagsOf(engine, id)).toEqual({ [OWNER_TAG]: OWNER_STACK_ID });
      expect(
        cloud.aws.callsOf(engine === 'elasticache' ? 'CreateUserGroup' : 'CreateACL', engine),
      ).toHaveLength(1);
      if (engine === 'elasticache') expect(group?.serverEngine).toBe(serverEngine);
      const defaultId = disabledDefaultUserId(groupArnOf(engine, id));
      expect(group?.members).toEqual(defaultUser ? [defaultId] : []);
      if (defaultUser) {
        // The engine requires a user named default; this one cannot log in, unlike the account's own.
        expect(cloud.aws.users.get(engine, defaultId)).toMatchObject({
          userName: 'default',
          accessString: 'off -@all',
          status: 'active',
        });
      }
    });

    it('keeps the members the reconciler gave the group through a deploy that updates it', async () => {
      // Arrange: the group made, then a user granted into it at run time
      const fn = await start();
      const id = uniqueName('owned');
      await fn.send('Create', propertiesOf(id));
      const user = uniqueName('alice');
      await cloud.aws.users.create({
        engine,
        id: user,
        passwords: ['alice-password-0123456789'],
        ...(serverEngine && { serverEngine }),
      });
      const membership = await startMembershipFunction(membershipBundle, cloud.aws, [
        { name: 'oncall', groupArn: groupArnOf(engine, id), users: [user], windows: [openWindow()] },
      ]);
      const reconciled = await membership.invoke({ trigger: 'periodic' });
      await membership.stop();
      const before = cloud.aws.groups.get(engine, id)?.members;

      // Act: the next deploy changes the resource's removal policy
      const update = await fn.send('Update', propertiesOf(id, 'destroy'), {
        physicalResourceId: groupArnOf(engine, id),
        oldProperties: propertiesOf(id),
      });

      // Assert
      expect(reconciled.ok).toBe(true);
      expect(before).toContain(user);
      expect(update.response).toMatchObject({
        Status: 'SUCCESS',
        PhysicalResourceId: groupArnOf(engine, id),
      });
      expect(cloud.aws.groups.get(engine, id)?.members).toEqual(before);
      expect(
        cloud.aws.callsOf(engine === 'elasticache' ? 'ModifyUserGroup' : 'UpdateACL', engine),
      ).toHaveLength(1);
    });

    it('refuses a group of that id made by someone else, naming its owner, and leaves it alone', async () => {
      // Arrange
      const fn = await start();
      const id = uniqueName('taken');
      await cloud.aws.groups.create({
        engine,
        id,
        ...(serverEngine && { serverEngine }),
        tags: { [OWNER_TAG]: OTHER_STACK },
      });

      // Act
      const create = await fn.send('Create', propertiesOf(id, 'destroy'));
      // CloudFormation rolls the failed create back with a delete of the same resource.
      const rollback = await fn.send('Delete', propertiesOf(id, 'destroy'), {
        physicalResourceId: groupArnOf(engine, id),
      });

      // Assert
      expect(create.invocation.ok).toBe(false);
      expect(create.response?.Status).toBe('FAILED');
      expect(create.response?.Reason).toContain(`group ${groupArnOf(engine, id)} already exists`);
      expect(create.response?.Reason).toContain(OTHER_STACK);
      expect(rollback.response?.Status).toBe('SUCCESS');
      expect(cloud.aws.groups.get(engine, id)).toBeDefined();
    });

    it('keeps the group when the stack is deleted with the default removal policy', async () => {
      // Arrange
      const fn = await start();
      const id = uniqueName('owned');
      await fn.send('Create', propertiesOf(id));

      // Act
      const removed = await fn.send('Delete', propertiesOf(id), {
        physicalResourceId: groupArnOf(engine, id),
      });

      // Assert
      expect(removed.response?.Status).toBe('SUCCESS');
      expect(cloud.aws.groups.get(engine, id)?.status).toBe('active');
    });

    it('with removal policy destroy, refuses while a cache uses the group, naming it, then deletes it once detached', async () => {
      // Arrange
      const fn = await start();
      const id = uniqueName('owned');
      await fn.send('Create', propertiesOf(id, 'destroy'));
      const cache = uniqueName('cache');
      cloud.aws.groups.attach(engine, id, cache);
      cloud.aws.setDelays({ groupDelayMs: 300 });

      // Act
      const attached = await fn.send('Delete', propertiesOf(id, 'destroy'), {
        physicalResourceId: groupArnOf(engine, id),
      });
      cloud.aws.groups.detach(engine, id, cache);
      const detached = await fn.send('Delete', propertiesOf(id, 'destroy'), {
        physicalResourceId: groupArnOf(engine, id),
      });

      // Assert
      expect(attached.response?.Status).toBe('FAILED');
      expect(attached.response?.Reason).toContain(`still attached to ${cache}`);
      expect(detached.response?.Status).toBe('SUCCESS');
      expect(cloud.aws.groups.get(engine, id)).toBeUndefined();
      expect(cloud.aws.users.get(engine, disabledDefaultUserId(groupArnOf(engine, id)))).toBeUndefined();
    });

    it('answers FAILED naming the property when the resource properties are invalid, and the rollback delete succeeds', async () => {
      // Arrange
      const fn = await start();
      const properties = { GroupArn: 'arn:aws:s3:::not-a-group', RemovalPolicy: 'destroy' };

      // Act
      const create = await fn.send('Create', properties);
      const rollback = await fn.send('Delete', properties, { physicalResourceId: properties.GroupArn });

      // Assert
      expect(create.response?.Status).toBe('FAILED');
      expect(create.response?.Reason).toContain('GroupArn');
      expect(rollback.response?.Status).toBe('SUCCESS');
    });
  },
);

describe('groups the stack owns: faults and engine changes', () => {
  const cloud = useLocalEngines({ knownIamGaps: [CREATE_ACL_GAP] });
  const id = () => uniqueName('owned');

  it('converges when CreateUserGroup fails, on the next deploy attempt, making one group', async () => {
    // Arrange
    const fn = await startOwnedGroupsFunction(bundle, cloud.aws);
    cloud.fn = fn;
    const group = id();
    const properties = {
      GroupArn: groupArnOf('elasticache', group),
      ServerEngine: 'redis',
      RemovalPolicy: 'retain',
    };
    cloud.aws.failNext('CreateUserGroup', 'ServiceUnavailable', 3, 'elasticache');

    // Act
    const failed = await fn.send('Create', properties);
    const retried = await fn.send('Create', properties);

    // Assert: the default user made by the first attempt is found, not made twice
    expect(failed.response?.Status).toBe('FAILED');
    expect(retried.response?.Status).toBe('SUCCESS');
    expect(cloud.aws.groups.get('elasticache', group)?.members).toEqual([
      disabledDefaultUserId(properties.GroupArn),
    ]);
  });

  it('waits for a group of that id still being deleted, then makes its own', async () => {
    // Arrange: someone deleted an ACL of that id a moment ago, and it takes a while to go
    const fn = await startOwnedGroupsFunction(bundle, cloud.aws);
    cloud.fn = fn;
    const group = id();
    await cloud.aws.groups.create({ engine: 'memorydb', id: group });
    cloud.aws.setDelays({ groupDelayMs: 1_000 });
    await cloud.memoryDb.send(new DeleteACLCommand({ ACLName: group }));
    expect(cloud.aws.groups.get('memorydb', group)?.status).toBe('deleting');

    // Act
    const created = await fn.send('Create', {
      GroupArn: groupArnOf('memorydb', group),
      RemovalPolicy: 'retain',
    });

    // Assert
    expect(created.response?.Status).toBe('SUCCESS');
    expect(cloud.aws.groups.get('memorydb', group)?.status).toBe('active');
    expect(cloud.aws.groups.tagsOf('memorydb', group)).toEqual({ [OWNER_TAG]: OWNER_STACK_ID });
  });

  it('refuses to change the engine of an existing group, naming both engines', async () => {
    // Arrange
    const fn = await startOwnedGroupsFunction(bundle, cloud.aws);
    cloud.fn = fn;
    const group = id();
    const arn = groupArnOf('elasticache', group);
    await fn.send('Create', { GroupArn: arn, ServerEngine: 'redis', RemovalPolicy: 'retain' });

    // Act
    const update = await fn.send(
      'Update',
      { GroupArn: arn, ServerEngine: 'valkey', RemovalPolicy: 'retain' },
      {
        physicalResourceId: arn,
        oldProperties: { GroupArn: arn, ServerEngine: 'redis', RemovalPolicy: 'retain' },
      },
    );

    // Assert
    expect(update.response?.Status).toBe('FAILED');
    expect(update.response?.Reason).toContain('is a redis group');
    expect(update.response?.Reason).toContain('valkey');
    expect(cloud.aws.groups.get('elasticache', group)?.serverEngine).toBe('redis');
  });

  it('makes a new group under a new id on update and leaves the old one to the delete that follows', async () => {
    // Arrange
    const fn = await startOwnedGroupsFunction(bundle, cloud.aws);
    cloud.fn = fn;
    const [old, renamed] = [id(), id()];
    const props = (group: string) => ({ GroupArn: groupArnOf('memorydb', group), RemovalPolicy: 'destroy' });
    await fn.send('Create', props(old));

    // Act
    const update = await fn.send('Update', props(renamed), {
      physicalResourceId: groupArnOf('memorydb', old),
      oldProperties: props(old),
    });
    const cleanup = await fn.send('Delete', props(old), { physicalResourceId: groupArnOf('memorydb', old) });

    // Assert
    expect(update.response?.PhysicalResourceId).toBe(groupArnOf('memorydb', renamed));
    expect(cleanup.response?.Status).toBe('SUCCESS');
    expect(cloud.aws.groups.get('memorydb', renamed)?.status).toBe('active');
    expect(cloud.aws.groups.get('memorydb', old)).toBeUndefined();
  });

  it('answers a stack other than the owner with the group left in place on delete', async () => {
    // Arrange: made by this stack, deleted by a request from another
    const owner = await startOwnedGroupsFunction(bundle, cloud.aws);
    const group = id();
    const properties = { GroupArn: groupArnOf('memorydb', group), RemovalPolicy: 'destroy' };
    await owner.send('Create', properties);
    await owner.stop();
    const other = await startOwnedGroupsFunction(bundle, cloud.aws, OTHER_STACK);
    cloud.fn = other;

    // Act
    const removed = await other.send('Delete', properties, { physicalResourceId: properties.GroupArn });

    // Assert
    expect(removed.response?.Status).toBe('SUCCESS');
    expect(cloud.aws.groups.get('memorydb', group)).toBeDefined();
  });
});

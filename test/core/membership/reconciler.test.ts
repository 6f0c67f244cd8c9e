import { beforeEach, describe, expect, it } from 'vitest';
import { type CacheGroupRef, memberOf, parseGroupArn } from '#core/cache/refs';
import { NOTHING_REQUESTED } from '#core/membership/desired';
import type { OneTimeWindow } from '#core/membership/grant';
import type { MembershipChange } from '#core/membership/ports';
import { MembershipReconciler, type ReconcileRequest } from '#core/membership/reconciler';
import {
  ApiThrottledError,
  DeadlineExceededError,
  GroupBusyError,
  GroupNotFoundError,
  MembershipDriftError,
  UserNameClashError,
  UserNotFoundError,
} from '#core/runtime/errors';
import { grantsOf } from '../../../local/functions/membership';
import { FakeClock, FakeUsers } from '../../support/fakes';
import { FakeGroups, FakePublisher } from '../../support/membership-fakes';

const GROUP_ARN = 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug';
const ACL_ARN = 'arn:aws:memorydb:eu-west-1:123456789012:acl/prod-acl';
const group = parseGroupArn(GROUP_ARN);
const acl = parseGroupArn(ACL_ARN);
const AT = Date.parse('2026-06-01T10:00:00Z');
const OPEN: OneTimeWindow = { start: '2026-06-01T09:00:00Z', end: '2026-06-01T17:00:00Z' };
const CLOSED: OneTimeWindow = { start: '2026-06-02T09:00:00Z', end: '2026-06-02T17:00:00Z' };

/** alice and bob are wanted now, carol is not; dave belongs to another group. */
const GRANTS = grantsOf([
  { name: 'oncall', groupArn: GROUP_ARN, users: ['alice', 'bob'], windows: [OPEN] },
  { name: 'night', groupArn: GROUP_ARN, users: ['carol'], windows: [CLOSED] },
  { name: 'contractor', groupArn: ACL_ARN, users: ['dave'], windows: [OPEN] },
]);

const busy = (count: number) => Array.from({ length: count }, () => new GroupBusyError('busy'));

describe('MembershipReconciler', () => {
  let clock: FakeClock;
  let groups: FakeGroups;
  let acls: FakeGroups;
  let users: FakeUsers;
  let publisher: FakePublisher;
  let events: { message: string; data?: Record<string, unknown> }[];
  let reconciler: MembershipReconciler;

  /** Every outcome of one run over `groups`. */
  const reconcileAll = (groupsToRun: CacheGroupRef[], overrides: Partial<ReconcileRequest> = {}) =>
    reconciler.reconcile({
      groups: groupsToRun,
      grants: GRANTS,
      notBeforeMs: AT,
      trigger: 'window-boundary',
      deadline: clock.deadline(),
      ...overrides,
    });

  /** A run over one group: its outcome, or its error thrown. */
  const reconcile = async ({
    group: only = group,
    ...overrides
  }: Partial<ReconcileRequest> & { group?: CacheGroupRef } = {}) => {
    const [outcome] = await reconcileAll([only], overrides);
    if (!outcome) return expect.fail('no outcome');
    if (outcome.status === 'failed') throw outcome.error;
    return outcome;
  };

  beforeEach(() => {
    clock = new FakeClock();
    groups = new FakeGroups();
    acls = new FakeGroups();
    users = new FakeUsers();
    for (const name of ['alice', 'bob', 'carol']) users.add(memberOf(group, name));
    users.add(memberOf(acl, 'dave'));
    publisher = new FakePublisher();
    events = [];
    reconciler = new MembershipReconciler({
      groups: { elasticache: groups, memorydb: acls },
      users: { elasticache: users, memorydb: users },
      publisher,
      logDecision: (message, data) => events.push({ message, data }),
    });
  });

  it('changes and publishes nothing when the group already matches the plan', async () => {
    // Arrange
    groups.add(group, ['default', 'alice', 'bob', 'ops-admin']);

    // Act
    const result = await reconcile();

    // Assert
    expect(result.change).toBeUndefined();
    expect([...result.members].sort()).toEqual(['alice', 'bob', 'default', 'ops-admin']);
    expect(groups.modifyCalls).toEqual([]);
    expect(publisher.published).toEqual([]);
    expect(events).toEqual([]);
  });

  it('takes on a group that joins at a later round, and never one it has already finished', async () => {
    // Arrange: the user group needs a change, so there is a second round to verify it
    groups.add(group, ['default']);
    acls.add(acl, []);
    const asked: number[] = [];
    const joining = async () => {
      asked.push(asked.length);
      return [acl, group];
    };

    // Act
    const outcomes = await reconcileAll([group], { joining });

    // Assert
    expect(outcomes.map((outcome) => outcome.group.arn).sort()).toEqual([ACL_ARN, GROUP_ARN].sort());
    expect(acls.membersOf(acl)).toEqual(['dave']);
    expect(groups.modifyCalls).toHaveLength(1);
    expect(asked.length).toBeGreaterThan(0);
  });

  it('sends every addition and removal in one modify call and leaves unmanaged members alone', async () => {
    // Arrange
    groups.add(group, ['default', 'carol', 'ops-admin']);

    // Act
    const result = await reconcile();

    // Assert
    expect(groups.modifyCalls).toEqual([{ group: GROUP_ARN, add: ['alice', 'bob'], remove: ['carol'] }]);
    expect(groups.membersOf(group)).toEqual(['alice', 'bob', 'default', 'ops-admin']);
    expect([...result.members].sort()).toEqual(['alice', 'bob', 'default', 'ops-admin']);
  });

  it('publishes the applied change with the users, the grants involved, the evaluation time and the trigger', async () => {
    // Arrange
    groups.add(group, ['default', 'carol']);

    // Act
    const result = await reconcile({ trigger: 'reconcile' });

    // Assert
    const expected: MembershipChange = {
      groupArn: GROUP_ARN,
      added: ['alice', 'bob'],
      removed: ['carol'],
      grants: ['night', 'oncall'],
      evaluatedAt: '2026-06-01T10:00:00.000Z',
      trigger: 'reconcile',
    };
    expect(result.change).toEqual(expected);
    expect(publisher.published).toEqual([expected]);
  });

  it('hands the applied change to the audit callback', async () => {
    // Arrange
    groups.add(group, ['default', 'carol']);

    // Act
    const result = await reconcile();

    // Assert
    expect(events).toEqual([{ message: 'membership changed', data: { ...result.change } }]);
  });

  it('waits while the group is modifying and changes it only once it is active', async () => {
    // Arrange
    groups.add(group, ['default']);
    groups.statusQueue.push('modifying', 'modifying', 'modifying');
    const readsBeforeModify: number[] = [];
    groups.afterModify = () => readsBeforeModify.push(groups.describeCalls);
    const started = clock.now();

    // Act
    await reconcile();

    // Assert
    expect(readsBeforeModify).toEqual([4]);
    expect(groups.modifyCalls).toHaveLength(1);
    expect(clock.now()).toBeGreaterThan(started);
  });

  it('waits for the group to become active again after its change before publishing', async () => {
    // Arrange
    groups.add(group, ['default']);
    groups.modifyingReads = 3;

    // Act
    await reconcile();

    // Assert
    // One read before the change, three that see it modifying, one that sees it active.
    expect(groups.describeCalls).toBe(5);
    expect(publisher.published).toHaveLength(1);
  });

  it('retries a busy group, reading its members again and diffing anew when someone else added a user meanwhile', async () => {
    // Arrange
    groups.add(group, ['default', 'carol']);
    groups.modifyErrors.push(new GroupBusyError('busy'));
    groups.afterModify = (state, call) => {
      if (call === 1) state.members.push('alice');
    };

    // Act
    const result = await reconcile();

    // Assert
    expect(groups.modifyCalls).toEqual([
      { group: GROUP_ARN, add: ['alice', 'bob'], remove: ['carol'] },
      { group: GROUP_ARN, add: ['bob'], remove: ['carol'] },
    ]);
    expect(result.change).toMatchObject({ added: ['bob'], removed: ['carol'] });
    expect(groups.membersOf(group)).toEqual(['alice', 'bob', 'default']);
  });

  it('retries a throttled change, diffing anew when someone else removed a user meanwhile', async () => {
    // Arrange
    groups.add(group, ['default', 'carol']);
    groups.modifyErrors.push(new ApiThrottledError('slow down'));
    groups.afterModify = (state, call) => {
      if (call === 1) state.members = state.members.filter((user) => user !== 'carol');
    };

    // Act
    const result = await reconcile();

    // Assert
    expect(groups.modifyCalls.map(({ add, remove }) => ({ add, remove }))).toEqual([
      { add: ['alice', 'bob'], remove: ['carol'] },
      { add: ['alice', 'bob'], remove: [] },
    ]);
    expect(result.change).toMatchObject({ added: ['alice', 'bob'], removed: [] });
  });

  it('stops without a change when the retry finds that someone else already made it', async () => {
    // Arrange
    groups.add(group, ['default', 'carol']);
    groups.modifyErrors.push(new GroupBusyError('busy'));
    groups.afterModify = (state) => {
      state.members = ['default', 'alice', 'bob'];
    };

    // Act
    const result = await reconcile();

    // Assert
    expect(groups.modifyCalls).toHaveLength(1);
    expect(result.change).toBeUndefined();
    expect(publisher.published).toEqual([]);
  });

  it('reads the group again when a second writer added the same user between its read and its change', async () => {
    // Arrange: another instance granting alice gets there first, so adding her again clashes
    groups.add(group, ['default', 'carol']);
    groups.beforeModify = (state, call) => {
      if (call === 1) state.members.push('alice');
    };

    // Act
    const result = await reconcile();

    // Assert: no refusal; the second round adds only what is still missing
    expect(groups.modifyCalls.map(({ add, remove }) => ({ add, remove }))).toEqual([
      { add: ['alice', 'bob'], remove: ['carol'] },
      { add: ['bob'], remove: ['carol'] },
    ]);
    expect(result.change).toMatchObject({ added: ['bob'], removed: ['carol'] });
    expect(groups.membersOf(group)).toEqual(['alice', 'bob', 'default']);
  });

  it('retries a throttled read of the group', async () => {
    // Arrange
    groups.add(group, ['default']);
    groups.describeErrors.push(new ApiThrottledError('slow down'), new ApiThrottledError('slow down'));

    // Act
    const result = await reconcile();

    // Assert
    expect(result.change?.added).toEqual(['alice', 'bob']);
  });

  it('gives up with DeadlineExceededError naming the group when it never becomes active', async () => {
    // Arrange
    groups.add(group, ['default'], 'modifying');

    // Act
    const error = await reconcile({ deadline: clock.deadline(60_000) }).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as Error).message).toContain(`gave up waiting for group ${GROUP_ARN} to become active`);
    expect(groups.modifyCalls).toEqual([]);
    expect(publisher.published).toEqual([]);
  });

  it('gives up with DeadlineExceededError naming the group and the last error when every change is refused as busy', async () => {
    // Arrange
    groups.add(group, ['default']);
    groups.modifyErrors.push(...busy(1_000));

    // Act
    const error = await reconcile({ deadline: clock.deadline(60_000) }).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `gave up waiting for group ${GROUP_ARN} to accept the membership change after \\d+ tries; last error: busy`,
      ),
    );
    expect(clock.now() - 1_700_000_000_000).toBeLessThanOrEqual(60_000);
  });

  it('names the unknown user and its grant and leaves the group unchanged when there is nothing to remove', async () => {
    // Arrange
    groups.add(group, ['default']);
    groups.unknownUsers.add('bob');
    users.users.delete(memberOf(group, 'bob').arn);

    // Act
    const error = await reconcile().catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(UserNotFoundError);
    const message = (error as Error).message;
    expect(message).toContain(
      `user 'bob' (grant oncall) does not exist in elasticache eu-west-1 account 123456789012`,
    );
    expect(message).toContain(`group ${GROUP_ARN} was left unchanged`);
    expect(message).not.toContain("'alice'");
    expect((error as Error).cause).toBeInstanceOf(UserNotFoundError);
    expect(groups.modifyCalls).toHaveLength(1);
    expect(groups.membersOf(group)).toEqual(['default']);
    expect(publisher.published).toEqual([]);
    expect(events).toEqual([]);
  });

  it('applies the removals on their own when an unknown user blocks the change, then fails naming the user', async () => {
    // Arrange: carol's window has closed while bob, who is wanted, does not exist
    groups.add(group, ['default', 'carol']);
    groups.unknownUsers.add('bob');
    users.users.delete(memberOf(group, 'bob').arn);

    // Act
    const error = await reconcile().catch((e: unknown) => e);

    // Assert: one refused call, then the removal alone; the revocation is audited and published
    expect(groups.modifyCalls.map(({ add, remove }) => ({ add, remove }))).toEqual([
      { add: ['alice', 'bob'], remove: ['carol'] },
      { add: [], remove: ['carol'] },
    ]);
    expect(groups.membersOf(group)).toEqual(['default']);
    expect(publisher.published).toEqual([
      expect.objectContaining({ added: [], removed: ['carol'], grants: ['night'] }),
    ]);
    expect(error).toBeInstanceOf(UserNotFoundError);
    expect((error as Error).message).toContain(`user 'bob' (grant oncall) does not exist`);
    expect((error as Error).message).toContain(
      `the removals from group ${GROUP_ARN} (carol) were applied on their own, the additions (alice, bob) were not`,
    );
  });

  it('applies the removals on their own when a UserName clash blocks the change, then fails naming the additions', async () => {
    // Arrange
    const contractor = grantsOf([
      { name: 'contractor', groupArn: ACL_ARN, users: ['dave'], windows: [OPEN] },
      { name: 'former', groupArn: ACL_ARN, users: ['erin'], windows: [CLOSED] },
    ]);
    acls.add(acl, ['erin']);
    acls.clashingUsers.add('dave');

    // Act
    const error = await reconcile({ group: acl, grants: contractor }).catch((e: unknown) => e);

    // Assert
    expect(acls.membersOf(acl)).toEqual([]);
    expect(error).toBeInstanceOf(UserNameClashError);
    expect((error as Error).message).toContain("users to add: 'dave' (grant contractor)");
    expect((error as Error).message).toContain(
      '(erin) were applied on their own, the additions (dave) were not',
    );
  });

  it('names every unknown user with every grant that wants it', async () => {
    // Arrange
    const grants = [
      ...GRANTS,
      ...grantsOf([{ name: 'backup', groupArn: GROUP_ARN, users: ['bob', 'frank'], windows: [OPEN] }]),
    ];
    groups.add(group, ['default']);
    groups.unknownUsers.add('frank');
    groups.unknownUsers.add('bob');
    users.users.delete(memberOf(group, 'bob').arn);

    // Act
    const error = await reconcile({ grants }).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(UserNotFoundError);
    expect((error as Error).message).toContain(
      "user 'bob' (grant oncall, backup), 'frank' (grant backup) does not exist",
    );
  });

  it('fails with GroupNotFoundError naming the group when it does not exist', async () => {
    // Act
    const error = await reconcile().catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(GroupNotFoundError);
    expect((error as Error).message).toBe(`group ${GROUP_ARN} does not exist`);
    expect(publisher.published).toEqual([]);
  });

  it('reads neither the groups nor the grant store when it is given no groups', async () => {
    // Arrange
    let coverageReads = 0;
    const withState = new MembershipReconciler({
      groups: { elasticache: groups, memorydb: acls },
      users: { elasticache: users, memorydb: users },
      publisher,
      state: {
        coverage: async () => {
          coverageReads++;
          return NOTHING_REQUESTED;
        },
        beforeChange: async () => undefined,
        afterVerified: async () => undefined,
      },
    });

    // Act
    const outcomes = await withState.reconcile({
      groups: [],
      grants: GRANTS,
      trigger: 'reconcile',
      deadline: clock.deadline(),
    });

    // Assert
    expect(outcomes).toEqual([]);
    expect(groups.describeCalls + acls.describeCalls).toBe(0);
    expect(coverageReads).toBe(0);
  });

  it('evaluates the plan afresh on every attempt, so a window that closes while it waits is respected', async () => {
    // Arrange: one second before the window closes, the group turns busy for a few seconds
    const justBeforeClose = Date.parse(OPEN.end) - 1_000;
    clock.setTime(justBeforeClose);
    groups.add(group, ['default']);
    groups.modifyErrors.push(...busy(3));

    // Act
    const result = await reconcile({ notBeforeMs: justBeforeClose });

    // Assert: the attempts before the close tried to add; once closed, there is nothing to add, and
    // the run reports the instant it last evaluated, not the one it started with
    expect(clock.now()).toBeGreaterThan(Date.parse(OPEN.end));
    expect(Date.parse(result.evaluatedAt)).toBeGreaterThanOrEqual(Date.parse(OPEN.end));
    expect(groups.modifyCalls.every((call) => call.add.join() === 'alice,bob')).toBe(true);
    expect(result.change).toBeUndefined();
    expect(groups.membersOf(group)).toEqual(['default']);
    expect(publisher.published).toEqual([]);
  });

  it('evaluates at the scheduled time when the run starts a moment before it', async () => {
    // Arrange: the schedule meant the run for AT, and the clock is 400 ms short of it
    clock.setTime(AT - 400);
    groups.add(group, ['default', 'alice', 'bob']);

    // Act
    const result = await reconcile({ notBeforeMs: AT });

    // Assert
    expect(result.evaluatedAt).toBe(new Date(AT).toISOString());
  });

  it('evaluates at the current time when the run starts after the scheduled time', async () => {
    // Arrange
    clock.setTime(AT + 90_000);
    groups.add(group, ['default', 'alice', 'bob']);

    // Act
    const result = await reconcile({ notBeforeMs: AT });

    // Assert
    expect(result.evaluatedAt).toBe(new Date(AT + 90_000).toISOString());
  });

  it('fails with MembershipDriftError after auditing and publishing the change it made', async () => {
    // Arrange
    groups.add(group, ['default', 'carol']);
    groups.afterModify = (state) => state.members.push('carol');

    // Act
    const error = await reconcile().catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(MembershipDriftError);
    expect((error as Error).message).toContain(
      `group ${GROUP_ARN} still differs from the plan after the change (would add none, remove carol)`,
    );
    expect(publisher.published).toHaveLength(1);
    expect(events.map((e) => e.message)).toEqual(['membership changed']);
  });

  it('verifies only its own change when a second writer with a newer view adds a user this run would remove', async () => {
    // Arrange: another instance adds carol, whom this run's plan manages but does not grant
    groups.add(group, ['default']);
    groups.afterModify = (state) => state.members.push('carol');

    // Act
    const result = await reconcile();

    // Assert: this change is in place; carol is the next reconcile's to judge
    expect(result.status).toBe('changed');
    expect(groups.membersOf(group)).toContain('carol');
  });

  it('changes a MemoryDB ACL through the MemoryDB directory with its own grants only', async () => {
    // Arrange
    acls.add(acl, ['default']);
    groups.add(group, ['default']);

    // Act
    const result = await reconcile({ group: acl });

    // Assert
    expect(acls.modifyCalls).toEqual([{ group: ACL_ARN, add: ['dave'], remove: [] }]);
    expect(groups.modifyCalls).toEqual([]);
    expect(result.change).toMatchObject({ groupArn: ACL_ARN, grants: ['contractor'] });
  });

  describe('many groups in one run', () => {
    const second = parseGroupArn('arn:aws:elasticache:eu-west-1:123456789012:usergroup:staging-ug');
    const both = [
      ...GRANTS,
      ...grantsOf([{ name: 'staging', groupArn: second.arn, users: ['erin'], windows: [OPEN] }]),
    ];

    it('reads every group in one call per round and changes each with one call', async () => {
      // Arrange
      groups.add(group, ['default', 'carol']);
      groups.add(second, ['default']);

      // Act
      const outcomes = await reconcileAll([group, second], { grants: both });

      // Assert: round 1 reads and changes both, round 2 reads both again while modifying, round 3 verifies
      expect(outcomes.map((outcome) => [outcome.group.id, outcome.status])).toEqual([
        ['prod-ug', 'changed'],
        ['staging-ug', 'changed'],
      ]);
      expect(groups.modifyCalls.map((call) => call.group)).toEqual([GROUP_ARN, second.arn]);
      expect(groups.describeCalls).toBe(3);
      expect(publisher.calls).toBe(1);
      expect(groups.membersOf(second)).toEqual(['default', 'erin']);
    });

    it("does not let one group's failure stop the others", async () => {
      // Arrange: bob does not exist, and nothing is to be removed from prod-ug
      groups.add(group, ['default']);
      groups.add(second, ['default']);
      groups.unknownUsers.add('bob');
      users.users.delete(memberOf(group, 'bob').arn);

      // Act
      const outcomes = await reconcileAll([group, second], { grants: both });

      // Assert
      const byGroup = new Map(outcomes.map((outcome) => [outcome.group.id, outcome]));
      expect(byGroup.get('prod-ug')).toMatchObject({
        status: 'failed',
        error: expect.any(UserNotFoundError),
      });
      expect(byGroup.get('staging-ug')).toMatchObject({ status: 'changed' });
      expect(groups.membersOf(second)).toEqual(['default', 'erin']);
    });

    it('waits for a busy group without holding up the others, and still changes it once', async () => {
      // Arrange
      groups.add(group, ['default'], 'modifying');
      groups.add(second, ['default']);
      groups.afterModify = undefined;
      let reads = 0;
      const describe = groups.describeGroups.bind(groups);
      groups.describeGroups = async (refs) => {
        reads++;
        if (reads === 3) (groups.groups.get(GROUP_ARN) as { status: string }).status = 'active';
        return describe(refs);
      };

      // Act
      const outcomes = await reconcileAll([group, second], { grants: both });

      // Assert
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['changed', 'changed']);
      expect(groups.modifyCalls.filter((call) => call.group === GROUP_ARN)).toHaveLength(1);
      expect(groups.modifyCalls.filter((call) => call.group === second.arn)).toHaveLength(1);
    });
  });
});

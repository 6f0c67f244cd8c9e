import { beforeEach, describe, expect, it } from 'vitest';
import { memberOf, parseGroupArn } from '#core/cache/refs';
import type { BusEvent } from '#core/membership/bus-event';
import { MembershipReconciler } from '#core/membership/reconciler';
import { type AccessOutcome, AccessService } from '#core/requests/access-service';
import { StoredCoverage } from '#core/requests/coverage';
import type { AccessCommand } from '#core/requests/events-in';
import { requestsSpecSchema, resolveRequests } from '#core/requests/rules';
import { grantsOf } from '../../../local/functions/membership';
import { FakeClock, FakeUsers } from '../../support/fakes';
import { FakeGroups, FakePublisher } from '../../support/membership-fakes';
import { FakeAccessStore, FakeExpiries } from '../../support/request-fakes';

const UG = parseGroupArn('arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug');
const ACL = parseGroupArn('arn:aws:memorydb:eu-west-1:123456789012:acl/prod-acl');
const HOUR = 3_600_000;
const TARGET = { functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:membership' };
const REQUESTS = resolveRequests(
  requestsSpecSchema.parse({
    maxDuration: 'PT8H',
    rules: [
      { name: 'oncall-prod', groupArn: UG.arn, users: ['alice', 'dave'], maxDuration: 'PT4H' },
      { name: 'contractor-acl', groupArn: ACL.arn, users: ['bob'] },
    ],
  }),
);

const request = (overrides: Partial<Extract<AccessCommand, { kind: 'request' }>> = {}): AccessCommand => ({
  kind: 'request',
  requestId: 'CHG-1',
  groupArn: UG.arn,
  user: 'alice',
  duration: 'PT2H',
  requestedBy: 'alice@example.com',
  reason: 'INC-42: debugging the checkout cache',
  ...overrides,
});
const revoke = (requestId = 'CHG-1'): AccessCommand => ({
  kind: 'revoke',
  requestId,
  revokedBy: 'lead@example.com',
  reason: 'done',
});
const suspend = (user: string): AccessCommand => ({
  kind: 'suspend',
  user,
  suspendedBy: 'soc@example.com',
  reason: 'INC-7',
});
const reinstate = (user: string): AccessCommand => ({
  kind: 'reinstate',
  user,
  reinstatedBy: 'soc@example.com',
  reason: 'cleared',
});

describe('AccessService', () => {
  let clock: FakeClock;
  let groups: FakeGroups;
  let acls: FakeGroups;
  let users: FakeUsers;
  let store: FakeAccessStore;
  let expiries: FakeExpiries;
  let published: BusEvent[];
  let changes: FakePublisher;
  let windows = grantsOf([]);

  const service = () => {
    const directories = { elasticache: groups, memorydb: acls };
    const userDirectories = { elasticache: users, memorydb: users };
    const reconciler = new MembershipReconciler({
      groups: directories,
      users: userDirectories,
      publisher: changes,
      state: new StoredCoverage(store),
    });
    return new AccessService({
      store,
      expiries,
      reconciler,
      publish: async (events) => {
        published.push(...events);
      },
      groups: directories,
      users: userDirectories,
      requests: REQUESTS,
      grants: windows,
      configuredGroups: [UG, ACL],
      now: clock.now,
    });
  };
  const handle = (command: AccessCommand): Promise<AccessOutcome> =>
    service().handle(command, { deadline: clock.deadline(), target: TARGET });
  const detailTypes = () => published.map((event) => event.detailType);

  beforeEach(() => {
    clock = new FakeClock();
    groups = new FakeGroups();
    acls = new FakeGroups();
    users = new FakeUsers();
    store = new FakeAccessStore();
    expiries = new FakeExpiries();
    published = [];
    changes = new FakePublisher();
    windows = grantsOf([]);
    groups.add(UG, ['default']);
    acls.add(ACL, []);
    for (const user of ['alice', 'dave', 'carol']) users.add(memberOf(UG, user));
    users.add(memberOf(ACL, 'bob'));
  });

  describe('requests', () => {
    it('records the grant, sets its expiry, adds the user and announces the grant with its expiry', async () => {
      // Arrange
      const appliedAt = clock.now();

      // Act
      const outcome = await handle(request());

      // Assert
      expect(outcome.kind).toBe('granted');
      expect(groups.membersOf(UG)).toEqual(['alice', 'default']);
      const expiresAt = new Date(appliedAt + 2 * HOUR).toISOString();
      expect(expiries.scheduled.get('CHG-1')).toEqual({ expiresAt, target: TARGET });
      expect(published).toEqual([
        expect.objectContaining({
          detailType: 'Cache Access Granted',
          detail: expect.objectContaining({ requestId: 'CHG-1', groupArn: UG.arn, user: 'alice', expiresAt }),
        }),
      ]);
      expect(store.grants.get('CHG-1')).toMatchObject({ status: 'open', grantedPublished: true });
      expect(store.managed.get(UG.arn)).toEqual(new Set(['alice']));
    });

    it('changes nothing and publishes nothing new when the same request is delivered again', async () => {
      // Arrange
      await handle(request());
      const calls = groups.modifyCalls.length;

      // Act
      const outcome = await handle(request());

      // Assert
      expect(outcome.kind).toBe('duplicate');
      expect(groups.modifyCalls).toHaveLength(calls);
      expect(detailTypes()).toEqual(['Cache Access Granted']);
    });

    it('ends at `until` when the request gives an instant instead of a duration', async () => {
      // Arrange
      const until = new Date(clock.now() + HOUR).toISOString();

      // Act
      await handle(request({ duration: undefined, until }));

      // Assert
      expect(store.grants.get('CHG-1')?.expiresAt).toBe(until);
    });

    it.each([
      [
        'a group no rule names',
        { groupArn: 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:other' },
        'is not named by any rule',
      ],
      ['a user the rule does not list', { user: 'carol' }, 'user carol may not request group'],
      ['more than the rule allows', { duration: 'PT5H' }, 'duration PT5H is longer than the maximum of PT4H'],
      [
        'an until in the past',
        { duration: undefined, until: '2020-01-01T00:00:00Z' },
        'is not in the future',
      ],
      [
        'an until beyond the maximum',
        { duration: undefined, until: '2099-01-01T00:00:00Z' },
        'is longer than the maximum of PT4H',
      ],
      ['a user that does not exist', { user: 'dave', requestId: 'CHG-ghost' }, 'user dave does not exist'],
    ])('refuses %s, announcing why and changing nothing', async (_, overrides, why) => {
      // Arrange
      if ('user' in overrides && overrides.user === 'dave') users.users.delete(memberOf(UG, 'dave').arn);

      // Act
      const outcome = await handle(request(overrides));

      // Assert
      expect(outcome.kind).toBe('refused');
      expect(published).toEqual([
        expect.objectContaining({
          detailType: 'Cache Access Request Refused',
          detail: expect.objectContaining({ refusal: expect.stringContaining(why) }),
        }),
      ]);
      expect(groups.modifyCalls).toEqual([]);
      expect(store.grants.size).toBe(0);
      expect(expiries.scheduled.size).toBe(0);
    });

    it('refuses a different request under a used requestId, naming who used it', async () => {
      // Arrange
      await handle(request());

      // Act
      const outcome = await handle(request({ user: 'dave' }));

      // Assert
      expect(outcome.kind).toBe('refused');
      expect(published.at(-1)?.detail).toMatchObject({
        requestId: 'CHG-1',
        refusal: expect.stringContaining(
          'already used by a different request (made by unverified:alice@example.com',
        ),
      });
      expect(groups.membersOf(UG)).toEqual(['alice', 'default']);
    });

    it('converges on redelivery after a failure between recording and the group change, announcing once', async () => {
      // Arrange: the service refuses the first change for a reason no retry inside the run fixes
      groups.modifyErrors.push(new Error('connection reset'));
      const first = await handle(request()).catch((error: unknown) => error);

      // Act
      const second = await handle(request());

      // Assert
      expect(first).toBeInstanceOf(Error);
      expect(second.kind).toBe('granted');
      expect(groups.membersOf(UG)).toEqual(['alice', 'default']);
      expect(detailTypes()).toEqual(['Cache Access Granted']);
    });
  });

  describe('ends', () => {
    it('revokes: ends the grant, cancels its expiry, removes the user and announces the end', async () => {
      // Arrange
      await handle(request());

      // Act
      const outcome = await handle(revoke());

      // Assert
      expect(outcome.kind).toBe('revoked');
      expect(groups.membersOf(UG)).toEqual(['default']);
      expect(expiries.cancelled).toEqual(['CHG-1']);
      expect(published.at(-1)).toMatchObject({
        detailType: 'Cache Access Ended',
        detail: { requestId: 'CHG-1', user: 'alice', cause: 'revoked' },
      });
    });

    it('changes and announces nothing when the same revocation is delivered again', async () => {
      // Arrange
      await handle(request());
      await handle(revoke());
      const count = published.length;

      // Act
      const outcome = await handle(revoke());

      // Assert
      expect(outcome.kind).toBe('duplicate');
      expect(published).toHaveLength(count);
    });

    it('refuses to revoke a request it never granted', async () => {
      const outcome = await handle(revoke('CHG-404'));

      expect(outcome).toMatchObject({
        kind: 'refused',
        refusal: { refusal: 'no request CHG-404 was granted' },
      });
    });

    it('ends a grant whose time is up at the next run even when its schedule was lost', async () => {
      // Arrange
      await handle(request());
      expiries.scheduled.clear();
      clock.setTime(clock.now() + 2 * HOUR + 1);

      // Act
      await service().runScheduled(
        [UG, ACL],
        { deadline: clock.deadline(), target: TARGET },
        { trigger: 'reconcile' },
      );

      // Assert
      expect(groups.membersOf(UG)).toEqual(['default']);
      expect(published.at(-1)).toMatchObject({
        detailType: 'Cache Access Ended',
        detail: { cause: 'expired' },
      });
      expect(store.grants.get('CHG-1')).toMatchObject({ status: 'expired', endPublished: true });
    });

    it('ends a grant whose rule was removed from the config at its expiry, reconciling its group all the same', async () => {
      // Arrange: granted, then the stack is redeployed without the prod-ug rule
      await handle(request());
      clock.setTime(clock.now() + 2 * HOUR + 1);

      // Act
      const outcomes = await service().runScheduled(
        [ACL],
        { deadline: clock.deadline(), target: TARGET },
        { trigger: 'expiry' },
      );

      // Assert
      expect(outcomes.map((outcome) => outcome.group.arn).sort()).toEqual([UG.arn, ACL.arn].sort());
      expect(groups.membersOf(UG)).toEqual(['default']);
      expect(published.at(-1)).toMatchObject({
        detailType: 'Cache Access Ended',
        detail: { cause: 'expired' },
      });
    });

    it('leaves the user in when the grant ends inside an open window, and out once the window closes during a grant', async () => {
      // Arrange: a window for alice is open now
      windows = grantsOf([
        {
          name: 'office',
          groupArn: UG.arn,
          users: ['alice'],
          windows: [
            {
              start: new Date(clock.now() - HOUR).toISOString(),
              end: new Date(clock.now() + HOUR).toISOString(),
            },
          ],
        },
      ]);
      await handle(request({ duration: 'PT3H' }));

      // Act & Assert: revoking the request leaves the window's access
      await handle(revoke());
      expect(groups.membersOf(UG)).toEqual(['alice', 'default']);

      // Act & Assert: a new request outlives the window
      await handle(request({ requestId: 'CHG-2', duration: 'PT3H' }));
      clock.setTime(clock.now() + 2 * HOUR);
      await service().runScheduled(
        [UG],
        { deadline: clock.deadline(), target: TARGET },
        { trigger: 'window-boundary' },
      );
      expect(groups.membersOf(UG)).toEqual(['alice', 'default']);
    });
  });

  describe('suspension', () => {
    it('takes the user out of every configured group, unmanaged memberships included, and ends its grants', async () => {
      // Arrange: alice has a requested grant on prod-ug and is an unmanaged member of prod-acl
      users.add(memberOf(ACL, 'alice'));
      acls.add(ACL, ['alice']);
      await handle(request());

      // Act
      const outcome = await handle(suspend('alice'));

      // Assert
      expect(outcome.kind).toBe('suspended');
      expect(groups.membersOf(UG)).toEqual(['default']);
      expect(acls.membersOf(ACL)).toEqual([]);
      expect(store.suspensions.get('alice')).toMatchObject({ status: 'suspended', removedFrom: [ACL.arn] });
      expect(published.at(-1)).toMatchObject({
        detailType: 'Cache Access Ended',
        detail: { cause: 'suspended' },
      });
    });

    it('keeps a suspended user out of its windows and refuses its requests until reinstated', async () => {
      // Arrange
      windows = grantsOf([
        {
          name: 'office',
          groupArn: UG.arn,
          users: ['alice'],
          windows: [
            {
              start: new Date(clock.now() - HOUR).toISOString(),
              end: new Date(clock.now() + HOUR).toISOString(),
            },
          ],
        },
      ]);
      await handle(suspend('alice'));

      // Act
      await service().runScheduled(
        [UG],
        { deadline: clock.deadline(), target: TARGET },
        { trigger: 'window-boundary' },
      );
      const refused = await handle(request());

      // Assert
      expect(groups.membersOf(UG)).toEqual(['default']);
      expect(refused).toMatchObject({
        kind: 'refused',
        refusal: { refusal: expect.stringContaining('user alice is suspended') },
      });
    });

    it('gives back on reinstatement the unmanaged memberships it took and whatever windows are open', async () => {
      // Arrange
      users.add(memberOf(ACL, 'alice'));
      acls.add(ACL, ['alice']);
      windows = grantsOf([
        {
          name: 'office',
          groupArn: UG.arn,
          users: ['alice'],
          windows: [
            {
              start: new Date(clock.now() - HOUR).toISOString(),
              end: new Date(clock.now() + HOUR).toISOString(),
            },
          ],
        },
      ]);
      await handle(suspend('alice'));

      // Act
      const outcome = await handle(reinstate('alice'));

      // Assert
      expect(outcome.kind).toBe('reinstated');
      expect(groups.membersOf(UG)).toEqual(['alice', 'default']);
      expect(acls.membersOf(ACL)).toEqual(['alice']);
      expect(store.suspensions.get('alice')).toMatchObject({ status: 'reinstated', owed: [] });
      // Given back, alice is again a member the stack does not manage in prod-acl.
      expect(store.managed.get(ACL.arn)?.has('alice') ?? false).toBe(false);
    });

    it('refuses to reinstate a user who is not suspended, and treats a redelivered reinstatement as a duplicate', async () => {
      // Arrange
      await handle(suspend('alice'));
      await handle(reinstate('alice'));

      // Act
      const again = await handle(reinstate('alice'));
      const never = await handle(reinstate('dave'));

      // Assert
      expect(again.kind).toBe('duplicate');
      expect(never).toMatchObject({ kind: 'refused', refusal: { refusal: 'user dave is not suspended' } });
    });
  });

  describe('the managed set', () => {
    it('removes a user whose grant was deleted from the config, and never a member the stack did not manage', async () => {
      // Arrange: carol was managed by a grant the config no longer has; erin was added by hand
      store.managed.set(UG.arn, new Set(['carol']));
      groups.add(UG, ['default', 'carol', 'erin']);

      // Act
      await service().runScheduled(
        [UG],
        { deadline: clock.deadline(), target: TARGET },
        { trigger: 'reconcile' },
      );

      // Assert
      expect(groups.membersOf(UG)).toEqual(['default', 'erin']);
      expect(store.managed.get(UG.arn)).toEqual(new Set());
    });
  });
});

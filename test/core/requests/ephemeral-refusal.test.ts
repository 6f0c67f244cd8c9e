import { beforeEach, describe, expect, it } from 'vitest';
import { parseGroupArn } from '#core/cache/refs';
import type { BusEvent } from '#core/membership/bus-event';
import { MembershipReconciler } from '#core/membership/reconciler';
import { AccessService } from '#core/requests/access-service';
import { StoredCoverage } from '#core/requests/coverage';
import { EphemeralUsers } from '#core/requests/ephemeral-users';
import type { AccessCommand } from '#core/requests/events-in';
import { requestsSpecSchema, resolveRequests } from '#core/requests/rules';
import { FakeClock, FakeUsers } from '../../support/fakes';
import { FakeGroups, FakePublisher } from '../../support/membership-fakes';
import { FakeAccessStore, FakeExpiries } from '../../support/request-fakes';
import { FakeVault } from '../../support/vault-fake';

const ACL = parseGroupArn('arn:aws:memorydb:eu-west-1:123456789012:acl/prod-acl');
const TARGET = { functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:membership' };
const ONCALL = 'arn:aws:iam::123456789012:role/oncall';
const GHOST = 'arn:aws:iam::123456789012:role/oncall-typo';
const RULE = 'readonly-debug';
const REQUESTS = resolveRequests(
  requestsSpecSchema.parse({
    rules: [
      {
        name: RULE,
        groupArn: ACL.arn,
        ephemeral: { accessString: 'on ~* -@all +@read', maxActive: 1, readers: [`${ONCALL}*`] },
      },
    ],
  }),
);

const request = (requestId: string, reader: string): AccessCommand => ({
  kind: 'request',
  requestId,
  groupArn: ACL.arn,
  ephemeral: { reader },
  duration: 'PT1H',
  requestedBy: 'oncall@example.com',
  reason: 'INC-42',
});

describe('a request whose reader AWS refuses as a principal', () => {
  let clock: FakeClock;
  let acls: FakeGroups;
  let users: FakeUsers;
  let vault: FakeVault;
  let store: FakeAccessStore;
  let expiries: FakeExpiries;
  let published: BusEvent[];
  let counted: number[];

  const service = () => {
    const groups = { elasticache: acls, memorydb: acls };
    const directories = { elasticache: users, memorydb: users };
    return new AccessService({
      store,
      expiries,
      reconciler: new MembershipReconciler({
        groups,
        users: directories,
        publisher: new FakePublisher(),
        state: new StoredCoverage(store),
      }),
      publish: async (events) => {
        published.push(...events);
      },
      groups,
      users: directories,
      requests: REQUESTS,
      grants: [],
      configuredGroups: [ACL],
      ephemeral: new EphemeralUsers({
        users: directories,
        groups,
        vault,
        names: {
          userPrefix: 'jit-abc123-',
          secretPrefix: 'cache-access/jit-abc123/',
          functionRoleArn: 'arn:aws:iam::123456789012:role/fn',
        },
      }),
      now: clock.now,
      onEphemeralUsersCounted: (alive) => counted.push(alive),
    });
  };
  const run = () => ({ deadline: clock.deadline(), target: TARGET });
  const refusals = () =>
    published
      .filter((event) => event.detailType === 'Cache Access Request Refused')
      .map((event) => (event.detail as { requestId: string; refusal: string }).refusal);

  beforeEach(() => {
    clock = new FakeClock();
    acls = new FakeGroups();
    acls.add(ACL, []);
    users = new FakeUsers();
    vault = new FakeVault();
    vault.principals.add(ONCALL);
    store = new FakeAccessStore();
    expiries = new FakeExpiries();
    published = [];
    counted = [];
  });

  it('is refused, naming the reader, with no secret, no user, no expiry and its slot free', async () => {
    // Act
    const outcome = await service().handle(request('CHG-ghost', GHOST), run());

    // Assert: an answer, not a failure
    expect(outcome).toMatchObject({ kind: 'refused' });
    expect(refusals()).toEqual([expect.stringContaining(`reader '${GHOST}' is not an existing IAM role`)]);
    expect(published.map((event) => event.detailType)).toEqual(['Cache Access Request Refused']);
    // Assert: nothing left behind
    expect(vault.secrets.size).toBe(0);
    expect(users.users.size).toBe(0);
    expect(acls.membersOf(ACL)).toEqual([]);
    expect(expiries.scheduled.size).toBe(0);
    expect(store.slotsByRule.get(RULE)?.size ?? 0).toBe(0);
    expect(await store.activeGrants()).toEqual([]);
    expect(await store.grant('CHG-ghost')).toMatchObject({ status: 'refused' });
  });

  it('leaves the one slot to the next request, which an existing reader gets', async () => {
    // Arrange
    await service().handle(request('CHG-ghost', GHOST), run());

    // Act
    const outcome = await service().handle(request('CHG-real', ONCALL), run());

    // Assert
    expect(outcome.kind).toBe('granted');
    expect(acls.membersOf(ACL)).toHaveLength(1);
    expect(vault.secrets.size).toBe(1);
  });

  it('is refused again, the same way and without touching Secrets Manager, when delivered again', async () => {
    // Arrange
    await service().handle(request('CHG-ghost', GHOST), run());
    const callsBefore = vault.calls.length;

    // Act
    const again = await service().handle(request('CHG-ghost', GHOST), run());

    // Assert
    expect(again).toMatchObject({ kind: 'refused' });
    expect(refusals()).toHaveLength(2);
    expect(refusals()[1]).toBe(refusals()[0]);
    expect(vault.calls.length).toBe(callsBefore);
  });

  it('is refused at the periodic reconcile when its invocation failed first, without failing the run', async () => {
    // Arrange: the request's invocation failed before the policy, every retry too
    vault.failNext('restrict');
    const failed = await service()
      .handle(request('CHG-ghost', GHOST), run())
      .catch((error: Error) => error);

    // Act
    const outcomes = await service().runScheduled([ACL], run(), { trigger: 'reconcile' });

    // Assert
    expect(failed).toBeInstanceOf(Error);
    expect(outcomes.every((outcome) => outcome.status !== 'failed')).toBe(true);
    expect(refusals()).toEqual([expect.stringContaining(GHOST)]);
    expect(vault.secrets.size).toBe(0);
    expect(store.slotsByRule.get(RULE)?.size ?? 0).toBe(0);
    expect(await store.activeGrants()).toEqual([]);
    expect(published.map((event) => event.detailType)).not.toContain('Cache Access Ended');
  });

  it("counts the granted request's user as alive at the sweep of the periodic reconcile, and not the refused one", async () => {
    // Arrange
    await service().handle(request('CHG-ghost', GHOST), run());
    await service().handle(request('CHG-real', ONCALL), run());

    // Act: a run for one group sweeps nothing; the periodic one, over every group, does
    await service().runScheduled([ACL], run(), { trigger: 'reconcile' });
    await service().runScheduled([ACL], run(), { trigger: 'reconcile', sweepOrphans: true });

    // Assert
    expect(counted).toEqual([1]);
  });

  it('finishes closing a refused grant that a crash interrupted at the next run, announcing no end', async () => {
    // Arrange: the refusal was recorded, then the invocation died before the slot was given back
    const releaseSlot = store.releaseSlot.bind(store);
    store.releaseSlot = async () => {
      store.releaseSlot = releaseSlot;
      throw new Error('crash');
    };
    const crashed = await service()
      .handle(request('CHG-ghost', GHOST), run())
      .catch((error: Error) => error);

    // Act
    await service().runScheduled([ACL], run(), { trigger: 'reconcile' });

    // Assert
    expect(crashed).toBeInstanceOf(Error);
    expect(store.slotsByRule.get(RULE)?.size ?? 0).toBe(0);
    expect(await store.activeGrants()).toEqual([]);
    expect(published.map((event) => event.detailType)).not.toContain('Cache Access Ended');
  });
});

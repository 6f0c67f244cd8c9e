import { describe, expect, inject, it } from 'vitest';
import type { GrantSpec } from '#core/membership/grant';
import type { Engine, MembershipFunction } from '../../local';
import {
  busEvent,
  closedWindow,
  EXPIRY_GROUP,
  GROUP_MODIFY,
  groupArnOf,
  openWindow,
  samplePassword,
  startMembershipFunction,
  uniqueName,
} from '../../local';
import { useLocalCloud } from '../support/local-cloud';

const bundle = inject('bundles').membership ?? '';
const BUS = 'cache-access';

describe.each<Engine>(['elasticache', 'memorydb'])(
  'requested access through the bundled membership function on %s',
  (engine) => {
    const cloud = useLocalCloud();

    /** Users whose logins follow membership, each with a known password. */
    async function users(...prefixes: string[]) {
      return Promise.all(
        prefixes.map(async (prefix) => {
          const name = uniqueName(prefix);
          const password = samplePassword();
          await cloud.aws.users.create({ engine, id: name, passwords: [password], governedByGroups: true });
          return { name, password };
        }),
      );
    }

    async function group(members: readonly string[] = []) {
      const id = uniqueName('grp');
      await cloud.aws.groups.create({ engine, id, members });
      return { id, arn: groupArnOf(engine, id) };
    }

    /** Starts the function with one rule letting `allowed` request `target`, and optional windows. */
    async function start(
      target: { arn: string },
      allowed: string[],
      grants: GrantSpec[] = [],
      tableName?: string,
    ) {
      const fn = await startMembershipFunction(bundle, cloud.aws, grants, {
        requests: {
          eventBusName: BUS,
          maxDuration: 'PT8H',
          rules: [{ name: 'oncall', groupArn: target.arn, users: allowed, maxDuration: 'PT4H' }],
        },
        tableName,
      });
      cloud.fn = fn;
      return fn;
    }

    const members = (id: string) => cloud.aws.groups.get(engine, id)?.members ?? [];
    const canLogIn = (user: { name: string; password: string }) =>
      cloud.redis.authenticates(user.name, user.password);
    const announced = (detailType: string) =>
      cloud.aws.events.entries.filter(
        (event) => event.detailType === detailType && event.eventBusName === BUS,
      );
    const ofRequest = (detailType: string, requestId: string) =>
      announced(detailType).filter(
        (event) => (event.detail as { requestId?: string }).requestId === requestId,
      );
    const send = (fn: MembershipFunction, detailType: string, detail: unknown) =>
      fn.invoke(busEvent(detailType, detail));
    const requestEvent = (
      requestId: string,
      groupArn: string,
      user: string,
      extra: Record<string, unknown> = {},
    ) => ({
      requestId,
      groupArn,
      user,
      duration: 'PT1H',
      requestedBy: `${user}@example.com`,
      reason: 'INC-42: debugging the checkout cache',
      ...extra,
    });
    /** What Scheduler would deliver once the expiry is due: the schedules fire at minute precision. */
    const fireExpiries = () => cloud.aws.schedules.fireDue(new Date(Date.now() + 61_000));

    it('grants on request, then at expiry removes the user, who can no longer log in', async () => {
      // Arrange
      const [alice] = await users('alice');
      const target = await group();
      const fn = await start(target, [alice?.name ?? '']);
      const requestId = uniqueName('CHG');

      // Act: the request
      const granted = await send(
        fn,
        'Cache Access Requested',
        requestEvent(requestId, target.arn, alice?.name ?? '', { duration: 'PT1S' }),
      );

      // Assert: in, can log in, announced, an expiry set
      expect(granted).toMatchObject({ ok: true, result: { access: 'granted' } });
      expect(members(target.id)).toContain(alice?.name);
      await expect(canLogIn(alice as { name: string; password: string })).resolves.toBe(true);
      expect(ofRequest('Cache Access Granted', requestId)).toHaveLength(1);
      const [expiry] = cloud.aws.schedules
        .list(EXPIRY_GROUP)
        .filter((schedule) => schedule.input?.includes(requestId));
      expect(expiry).toMatchObject({
        flexibleWindow: 'OFF',
        actionAfterCompletion: 'DELETE',
        timezone: 'UTC',
      });

      // Act: the expiry schedule fires
      const firings = fireExpiries().filter((firing) => JSON.stringify(firing.input).includes(requestId));
      expect(firings).toHaveLength(1);
      const ended = await fn.invoke(firings[0]?.input);

      // Assert: out, cannot log in, the end announced, the schedule gone
      expect(ended.ok).toBe(true);
      expect(members(target.id)).not.toContain(alice?.name);
      await expect(canLogIn(alice as { name: string; password: string })).resolves.toBe(false);
      expect(ofRequest('Cache Access Ended', requestId).map((event) => event.detail)).toEqual([
        expect.objectContaining({ requestId, cause: 'expired', user: alice?.name }),
      ]);
      expect(
        cloud.aws.schedules.list(EXPIRY_GROUP).some((schedule) => schedule.input?.includes(requestId)),
      ).toBe(false);
    });

    it('changes nothing and announces nothing new when EventBridge delivers the request twice', async () => {
      // Arrange
      const [alice] = await users('alice');
      const target = await group();
      const fn = await start(target, [alice?.name ?? '']);
      const event = requestEvent(uniqueName('CHG'), target.arn, alice?.name ?? '');
      await send(fn, 'Cache Access Requested', event);
      const modifies = cloud.aws.callsOf(GROUP_MODIFY[engine]).length;

      // Act
      const again = await send(fn, 'Cache Access Requested', event);

      // Assert
      expect(again).toMatchObject({ ok: true, result: { access: 'duplicate' } });
      expect(cloud.aws.callsOf(GROUP_MODIFY[engine])).toHaveLength(modifies);
      expect(ofRequest('Cache Access Granted', event.requestId)).toHaveLength(1);
    });

    it.each([
      [
        'a group no rule names',
        (groupArn: string, user: string) =>
          requestEvent('R-1', groupArn.replace(/[^:/]+$/, 'unknown-grp'), user),
        'is not named by any rule',
      ],
      [
        'a user the rule does not list',
        (groupArn: string) => requestEvent('R-2', groupArn, 'mallory'),
        'may not request group',
      ],
      [
        'more than the maximum',
        (groupArn: string, user: string) => requestEvent('R-3', groupArn, user, { duration: 'PT5H' }),
        'longer than the maximum of PT4H',
      ],
      [
        'a malformed request',
        (groupArn: string, user: string) => ({ requestId: 'R-4', groupArn, user }),
        'malformed Cache Access Requested',
      ],
    ])('refuses %s: announces why, answers without failing and changes nothing', async (_, detail, why) => {
      // Arrange
      const [alice] = await users('alice');
      const target = await group();
      const fn = await start(target, [alice?.name ?? '']);

      // Act
      const result = await send(fn, 'Cache Access Requested', detail(target.arn, alice?.name ?? ''));

      // Assert
      expect(result).toMatchObject({ ok: true, result: { access: 'refused' } });
      expect(members(target.id)).not.toContain(alice?.name);
      const requestId = (detail(target.arn, '') as { requestId: string }).requestId;
      expect(ofRequest('Cache Access Request Refused', requestId).at(-1)?.detail).toMatchObject({
        refusal: expect.stringContaining(why),
      });
      expect(ofRequest('Cache Access Granted', requestId)).toHaveLength(0);
    });

    it('revokes early: the user is out at once and cannot log in, and the expiry is deleted', async () => {
      // Arrange
      const [alice] = await users('alice');
      const target = await group();
      const fn = await start(target, [alice?.name ?? '']);
      const requestId = uniqueName('CHG');
      await send(fn, 'Cache Access Requested', requestEvent(requestId, target.arn, alice?.name ?? ''));

      // Act
      const result = await send(fn, 'Cache Access Revoked', {
        requestId,
        revokedBy: 'lead@example.com',
        reason: 'done early',
      });

      // Assert
      expect(result).toMatchObject({ ok: true, result: { access: 'revoked' } });
      expect(members(target.id)).not.toContain(alice?.name);
      await expect(canLogIn(alice as { name: string; password: string })).resolves.toBe(false);
      expect(ofRequest('Cache Access Ended', requestId).map((event) => event.detail)).toEqual([
        expect.objectContaining({ cause: 'revoked' }),
      ]);
      expect(
        cloud.aws.schedules.list(EXPIRY_GROUP).some((schedule) => schedule.input?.includes(requestId)),
      ).toBe(false);
    });

    it('keeps a user whose request ends inside an open window, and one whose window closes during a request', async () => {
      // Arrange: alice's window is open; bob's window has closed
      const [alice, bob] = await users('alice', 'bob');
      const target = await group();
      const grants = [
        { name: 'alice-office', groupArn: target.arn, users: [alice?.name ?? ''], windows: [openWindow()] },
        { name: 'bob-office', groupArn: target.arn, users: [bob?.name ?? ''], windows: [closedWindow()] },
      ];
      const fn = await start(target, [alice?.name ?? '', bob?.name ?? ''], grants);
      const [forAlice, forBob] = [uniqueName('CHG'), uniqueName('CHG')];
      await send(fn, 'Cache Access Requested', requestEvent(forAlice, target.arn, alice?.name ?? ''));
      await send(fn, 'Cache Access Requested', requestEvent(forBob, target.arn, bob?.name ?? ''));

      // Act: alice's request is revoked; the periodic reconcile runs while bob's request is open
      await send(fn, 'Cache Access Revoked', {
        requestId: forAlice,
        revokedBy: 'lead@example.com',
        reason: 'done',
      });
      await fn.invoke({ trigger: 'reconcile' });

      // Assert: alice stays for her open window, bob for his open request
      expect(members(target.id)).toEqual(expect.arrayContaining([alice?.name, bob?.name]));

      // Act: bob's request ends too
      await send(fn, 'Cache Access Revoked', {
        requestId: forBob,
        revokedBy: 'lead@example.com',
        reason: 'done',
      });

      // Assert: nothing covers bob any more; alice's window still does
      expect(members(target.id)).toContain(alice?.name);
      expect(members(target.id)).not.toContain(bob?.name);
      await expect(canLogIn(bob as { name: string; password: string })).resolves.toBe(false);
    });

    it('suspends a user out of every configured group and its windows, refuses its requests, and reinstates', async () => {
      // Arrange: alice has an open window in one group and is an unmanaged member of another
      const [alice] = await users('alice');
      const windowed = await group();
      const other = await group([alice?.name ?? '']);
      const fn = await startMembershipFunction(
        bundle,
        cloud.aws,
        [{ name: 'office', groupArn: windowed.arn, users: [alice?.name ?? ''], windows: [openWindow()] }],
        {
          requests: {
            eventBusName: BUS,
            rules: [
              { name: 'other', groupArn: other.arn, users: ['someone-else'] },
              { name: 'windowed', groupArn: windowed.arn, users: [alice?.name ?? ''] },
            ],
          },
        },
      );
      cloud.fn = fn;
      await fn.invoke({ trigger: 'reconcile' });
      expect(members(windowed.id)).toContain(alice?.name);
      const openRequest = uniqueName('CHG');
      await send(fn, 'Cache Access Requested', requestEvent(openRequest, windowed.arn, alice?.name ?? ''));

      // Act: suspended
      const suspended = await send(fn, 'Cache User Suspended', {
        user: alice?.name,
        suspendedBy: 'soc@example.com',
        reason: 'INC-7',
      });
      await fn.invoke({ trigger: 'window-boundary' });
      const whileSuspended = uniqueName('CHG');
      const refused = await send(
        fn,
        'Cache Access Requested',
        requestEvent(whileSuspended, windowed.arn, alice?.name ?? ''),
      );

      // Assert: out of both, the window does not bring alice back
      expect(suspended).toMatchObject({ ok: true, result: { access: 'suspended' } });
      expect(members(windowed.id)).not.toContain(alice?.name);
      expect(members(other.id)).not.toContain(alice?.name);
      await expect(canLogIn(alice as { name: string; password: string })).resolves.toBe(false);
      expect(ofRequest('Cache Access Ended', openRequest).map((event) => event.detail)).toEqual([
        expect.objectContaining({ cause: 'suspended', user: alice?.name }),
      ]);
      expect(refused).toMatchObject({ ok: true, result: { access: 'refused' } });
      expect(ofRequest('Cache Access Request Refused', whileSuspended).at(-1)?.detail).toMatchObject({
        refusal: expect.stringContaining('is suspended'),
      });
      expect(ofRequest('Cache Access Granted', whileSuspended)).toHaveLength(0);

      // Act: reinstated
      const reinstated = await send(fn, 'Cache User Reinstated', {
        user: alice?.name,
        reinstatedBy: 'soc@example.com',
        reason: 'cleared',
      });

      // Assert: back in the window's group and in the group it was taken out of
      expect(reinstated).toMatchObject({ ok: true, result: { access: 'reinstated' } });
      expect(members(windowed.id)).toContain(alice?.name);
      expect(members(other.id)).toContain(alice?.name);
      await expect(canLogIn(alice as { name: string; password: string })).resolves.toBe(true);
    });

    it('revokes at the next reconcile a grant deleted from the config, and leaves an unmanaged member alone', async () => {
      // Arrange: alice is in through a window grant; carol was added by hand
      const [alice, carol] = await users('alice', 'carol');
      const target = await group([carol?.name ?? '']);
      const before = await start(
        target,
        ['nobody'],
        [{ name: 'office', groupArn: target.arn, users: [alice?.name ?? ''], windows: [openWindow()] }],
      );
      await before.invoke({ trigger: 'reconcile' });
      expect(members(target.id)).toContain(alice?.name);
      await before.stop();

      // Act: the grant is deleted from the config and the stack redeployed, keeping its table
      const after = await start(target, ['nobody'], [], before.tableName);
      const result = await after.invoke({ trigger: 'reconcile' });

      // Assert
      expect(result.ok).toBe(true);
      expect(members(target.id)).not.toContain(alice?.name);
      expect(members(target.id)).toContain(carol?.name);
    });

    it('converges on redelivery when the group change fails mid-grant, announcing the grant once', async () => {
      // Arrange: the service fails the change as often as the SDK tries it (3 attempts)
      const [alice] = await users('alice');
      const target = await group();
      const fn = await start(target, [alice?.name ?? '']);
      const event = requestEvent(uniqueName('CHG'), target.arn, alice?.name ?? '');
      cloud.aws.failNext(GROUP_MODIFY[engine], 'ServiceUnavailable', 3);
      const first = await send(fn, 'Cache Access Requested', event);

      // Act: Lambda delivers it again once the service is back
      const second = await send(fn, 'Cache Access Requested', event);

      // Assert
      expect(first.ok).toBe(false);
      expect(second).toMatchObject({ ok: true });
      expect(members(target.id)).toContain(alice?.name);
      expect(ofRequest('Cache Access Granted', event.requestId)).toHaveLength(1);
    });
  },
);

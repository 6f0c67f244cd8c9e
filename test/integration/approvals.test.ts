import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Engine, MembershipFunction } from '../../local';
import {
  busEvent,
  EXPIRY_GROUP,
  groupArnOf,
  samplePassword,
  startMembershipFunction,
  uniqueName,
} from '../../local';
import { useLocalCloud } from '../support/local-cloud';
import { type Caller, callerAs, identityCenterCaller } from '../support/signed-calls';

const bundle = inject('bundles').membership ?? '';
const BUS = 'cache-access';
const ACCOUNT = '123456789012';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const session = (roleName: string, name: string) =>
  `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${name}`;
const READER = role('oncall-reader');

/**
 * The authorisation matrix of the request API, through the local function URL (SigV4 checked, the
 * caller mapped from the signing key into the payload 2.0 event) and the bundled membership function,
 * against dynalite and a real redis-server whose logins follow the group.
 */
describe.each<Engine>(['elasticache', 'memorydb'])(
  'approvals through the signed request API on %s',
  (engine) => {
    const cloud = useLocalCloud();
    let alice: Caller;
    let mallory: Caller;
    let lead: Caller;
    let lead2: Caller;
    let soc: Caller;
    beforeAll(() => {
      cloud.aws.iam.add(READER);
      // An Identity Center user: the rule names the role under its path, the session never carries it.
      alice = identityCenterCaller(cloud.aws, 'Developers', 'alice');
      mallory = callerAs(cloud.aws, session('contractors', 'mallory'));
      lead = callerAs(cloud.aws, session('leads', 'lena'));
      lead2 = callerAs(cloud.aws, session('leads', 'lars'));
      soc = callerAs(cloud.aws, session('soc', 'sam'));
    });

    async function user(prefix: string) {
      const name = uniqueName(prefix);
      const password = samplePassword();
      await cloud.aws.users.create({ engine, id: name, passwords: [password], governedByGroups: true });
      return { name, password };
    }

    async function group() {
      const id = uniqueName('grp');
      await cloud.aws.groups.create({ engine, id, members: [] });
      return { id, arn: groupArnOf(engine, id) };
    }

    /** The function with one rule over `target` for `users` (and ephemeral users), with these approval settings. */
    async function start(
      target: { arn: string },
      users: string[],
      approval: Record<string, unknown>,
      tableName?: string,
    ): Promise<MembershipFunction> {
      const fn = await startMembershipFunction(bundle, cloud.aws, [], {
        requests: {
          eventBusName: BUS,
          operators: [role('soc')],
          rules: [
            {
              name: 'prod',
              groupArn: target.arn,
              ...(users.length > 0 && { users }),
              maxDuration: 'PT4H',
              ephemeral: { accessString: 'on ~* &* -@all +@read', maxActive: 2, readers: [READER] },
              requesters: [role('aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developers_*'), role('leads')],
              ...approval,
            },
          ],
        },
        ...(tableName && { tableName }),
      });
      // The suite stops the first function of each test; a test stops any other it starts.
      if (!cloud.fn) cloud.fn = fn;
      return fn;
    }

    const call = async (
      caller: Caller,
      fn: MembershipFunction,
      method: 'GET' | 'POST',
      path: string,
      body?: unknown,
      query?: Record<string, string>,
    ) => {
      const answer = await caller.call(fn.accessApiUrl ?? '', {
        method,
        path,
        ...(body !== undefined && { body }),
        ...(query && { query }),
        timeoutMs: 120_000,
      });
      return answer as { status: number; body: Record<string, unknown> };
    };
    const ask = (caller: Caller, fn: MembershipFunction, requestId: string, groupArn: string, extra = {}) =>
      call(caller, fn, 'POST', 'requests', {
        requestId,
        groupArn,
        duration: 'PT1H',
        reason: 'INC-42: the checkout cache',
        ...extra,
      });
    const decide = (
      caller: Caller,
      fn: MembershipFunction,
      requestId: string,
      what: string,
      reason = 'checked',
    ) => call(caller, fn, 'POST', `requests/${requestId}/${what}`, { reason });
    /** The group's members but the `default` user an ElastiCache group always holds. */
    const members = (id: string) =>
      (cloud.aws.groups.get(engine, id)?.members ?? []).filter((member) => member !== 'default');
    const events = (detailType: string, requestId?: string) =>
      cloud.aws.events.entries.filter(
        (event) =>
          event.detailType === detailType &&
          event.eventBusName === BUS &&
          (requestId === undefined || (event.detail as { requestId?: string }).requestId === requestId),
      );
    const canLogIn = (who: { name: string; password: string }) =>
      cloud.redis.authenticates(who.name, who.password);

    it('lets a requester ask and an approver grant: the user logs in, and the grant names who asked and approved', async () => {
      // Arrange
      const dev = await user('alice');
      const target = await group();
      const fn = await start(target, [dev.name], { approvers: [role('leads')] });
      const requestId = uniqueName('CHG');

      // Act
      const asked = await ask(alice, fn, requestId, target.arn, { user: dev.name });
      const waiting = members(target.id);
      const approved = await decide(lead, fn, requestId, 'approve');

      // Assert
      expect(asked).toMatchObject({ status: 200, body: { status: 'pending', approvalsNeeded: 1 } });
      expect(waiting).not.toContain(dev.name);
      expect(events('Cache Access Pending', requestId)).toHaveLength(1);
      expect(approved).toMatchObject({ status: 200, body: { status: 'granted', user: dev.name } });
      expect(members(target.id)).toContain(dev.name);
      await expect(canLogIn(dev)).resolves.toBe(true);
      expect(events('Cache Access Granted', requestId).map((event) => event.detail)).toEqual([
        expect.objectContaining({ requestedBy: alice.arn, approvedBy: [lead.arn] }),
      ]);
    });

    it('refuses a caller who is not a requester (403) and an approval by a non-approver or by the requester itself (403)', async () => {
      // Arrange
      const dev = await user('alice');
      const target = await group();
      const fn = await start(target, [dev.name], { approvers: [role('leads')] });
      const requestId = uniqueName('CHG');
      await ask(lead, fn, requestId, target.arn, { user: dev.name });

      // Act
      const stranger = await ask(mallory, fn, uniqueName('CHG'), target.arn, { user: dev.name });
      const notApprover = await decide(alice, fn, requestId, 'approve');
      const self = await decide(lead, fn, requestId, 'approve');

      // Assert
      expect(stranger).toMatchObject({
        status: 403,
        body: { message: expect.stringContaining('rule prod lets only its requesters ask') },
      });
      expect(notApprover).toMatchObject({
        status: 403,
        body: { message: expect.stringContaining('approvers only') },
      });
      expect(self).toMatchObject({
        status: 403,
        body: { message: expect.stringContaining('selfApproval: false') },
      });
      expect(members(target.id)).not.toContain(dev.name);
      expect(events('Cache Access Request Refused').length).toBeGreaterThanOrEqual(3);
    });

    it('counts a second approval by the same principal once (409), and grants on a second distinct approver', async () => {
      // Arrange
      const dev = await user('alice');
      const target = await group();
      const fn = await start(target, [dev.name], { approvers: [role('leads')], approvals: 2 });
      const requestId = uniqueName('CHG');
      await ask(alice, fn, requestId, target.arn, { user: dev.name });

      // Act
      const first = await decide(lead, fn, requestId, 'approve');
      const again = await decide(lead, fn, requestId, 'approve');
      const second = await decide(lead2, fn, requestId, 'approve');

      // Assert
      expect(first.body).toMatchObject({ status: 'pending', approvalsNeeded: 1 });
      expect(again.status).toBe(409);
      expect(second.body).toMatchObject({ status: 'granted' });
      expect(events('Cache Access Approved', requestId)).toHaveLength(2);
      expect(events('Cache Access Granted', requestId)[0]?.detail).toMatchObject({
        approvedBy: [lead.arn, lead2.arn],
      });
    });

    it('ends a request on a denial after one approval: a later approval gets 409 and the user never gets in', async () => {
      // Arrange
      const dev = await user('alice');
      const target = await group();
      const fn = await start(target, [dev.name], { approvers: [role('leads')], approvals: 2 });
      const requestId = uniqueName('CHG');
      await ask(alice, fn, requestId, target.arn, { user: dev.name });
      await decide(lead, fn, requestId, 'approve');

      // Act
      const denied = await decide(lead2, fn, requestId, 'deny', 'not during the freeze');
      const late = await decide(lead2, fn, requestId, 'approve');

      // Assert
      expect(denied.body).toMatchObject({ status: 'denied' });
      expect(late).toMatchObject({
        status: 409,
        body: { message: expect.stringContaining('already denied') },
      });
      expect(members(target.id)).not.toContain(dev.name);
      expect(events('Cache Access Denied', requestId)[0]?.detail).toMatchObject({ deniedBy: lead2.arn });
    });

    it('expires an unapproved request through its one-time schedule, announcing it once; an approval then gets 409', async () => {
      // Arrange
      const dev = await user('alice');
      const target = await group();
      const fn = await start(target, [dev.name], { approvers: [role('leads')], pendingFor: 'PT1S' });
      const requestId = uniqueName('CHG');
      await ask(alice, fn, requestId, target.arn, { user: dev.name });
      await new Promise((resolve) => setTimeout(resolve, 1_100));

      // Act
      const firings = cloud.aws.schedules
        .fireDue(new Date(Date.now() + 61_000))
        .filter((firing) => JSON.stringify(firing.input).includes(requestId));
      for (const firing of firings) await fn.invoke(firing.input);
      const late = await decide(lead, fn, requestId, 'approve');

      // Assert
      expect(firings).toHaveLength(1);
      expect(events('Cache Access Request Expired', requestId)).toHaveLength(1);
      expect(late).toMatchObject({ status: 409, body: { message: expect.stringContaining('expired') } });
      expect(cloud.aws.schedules.list(EXPIRY_GROUP).some((s) => s.input?.includes(requestId))).toBe(false);
      expect(members(target.id)).not.toContain(dev.name);
    });

    it('lets the requester revoke its own grant and an operator any, but not another caller; only operators suspend', async () => {
      // Arrange
      const [dev, other] = [await user('alice'), await user('dave')];
      const target = await group();
      const fn = await start(target, [dev.name, other.name], {});
      const [mine, theirs] = [uniqueName('CHG'), uniqueName('CHG')];
      await ask(alice, fn, mine, target.arn, { user: dev.name });
      await ask(lead, fn, theirs, target.arn, { user: other.name });

      // Act
      const stranger = await decide(lead, fn, mine, 'revoke');
      const own = await decide(alice, fn, mine, 'revoke');
      const operator = await decide(soc, fn, theirs, 'revoke');
      const suspendRefused = await call(lead, fn, 'POST', `users/${other.name}/suspend`, { reason: 'INC-9' });
      const suspended = await call(soc, fn, 'POST', `users/${other.name}/suspend`, { reason: 'INC-9' });
      const reinstated = await call(soc, fn, 'POST', `users/${other.name}/reinstate`, { reason: 'cleared' });

      // Assert
      expect(stranger.status).toBe(403);
      expect(own.body).toMatchObject({ status: 'revoked' });
      expect(operator.body).toMatchObject({ status: 'revoked' });
      expect(members(target.id)).toEqual([]);
      await expect(canLogIn(dev)).resolves.toBe(false);
      expect(suspendRefused).toMatchObject({
        status: 403,
        body: { message: expect.stringContaining('only operators') },
      });
      expect(suspended.body).toMatchObject({ status: 'suspended' });
      expect(reinstated.body).toMatchObject({ status: 'reinstated' });
      expect(events('Cache Access Ended', theirs)[0]?.detail).toMatchObject({ cause: 'revoked' });
    });

    it('takes a bus request only where the rule allows the bus, recording its sender as unverified', async () => {
      // Arrange
      const dev = await user('alice');
      const target = await group();
      const fn = await start(target, [dev.name], { approvers: [role('leads')], via: ['api', 'bus'] });
      const apiOnlyGroup = await group();
      const apiOnly = await start(apiOnlyGroup, [dev.name], { approvers: [role('leads')] });
      const requestId = uniqueName('BUS');
      const detail = {
        requestId,
        user: dev.name,
        duration: 'PT1H',
        requestedBy: 'incident-bot',
        reason: 'INC-7',
      };

      // Act
      const pending = await fn.invoke(
        busEvent('Cache Access Requested', { ...detail, groupArn: target.arn }),
      );
      const approved = await decide(lead, fn, requestId, 'approve');
      const refused = await apiOnly.invoke(
        busEvent('Cache Access Requested', {
          ...detail,
          requestId: uniqueName('BUS'),
          groupArn: apiOnlyGroup.arn,
        }),
      );
      await apiOnly.stop();

      // Assert
      expect(pending).toMatchObject({ ok: true, result: { access: 'pending' } });
      expect(approved.body).toMatchObject({ status: 'granted' });
      expect(events('Cache Access Granted', requestId)[0]?.detail).toMatchObject({
        requestedBy: 'unverified:incident-bot',
      });
      expect(refused).toMatchObject({ ok: true, result: { access: 'refused' } });
    });

    it('grants an ephemeral user after approval: its reader gets the credentials, announced with the approver', async () => {
      // Arrange
      const target = await group();
      const fn = await start(target, [], { approvers: [role('leads')] });
      const requestId = uniqueName('EPH');

      // Act
      const asked = await ask(alice, fn, requestId, target.arn, { ephemeral: { reader: READER } });
      const usersBefore = members(target.id).length;
      const approved = await decide(lead, fn, requestId, 'approve');

      // Assert
      expect(asked.body).toMatchObject({ status: 'pending' });
      expect(usersBefore).toBe(0);
      expect(approved.body).toMatchObject({ status: 'granted' });
      expect(events('Cache Access Granted', requestId)[0]?.detail).toMatchObject({
        ephemeral: true,
        reader: READER,
        secretArn: expect.any(String),
        approvedBy: [lead.arn],
      });
      expect(members(target.id)).toHaveLength(1);
    });

    it('makes no ephemeral user and no secret for a request denied or left to expire', async () => {
      // Arrange
      const target = await group();
      const fn = await start(target, [], { approvers: [role('leads')], pendingFor: 'PT1S' });
      const [denied, lapsed] = [uniqueName('EPH'), uniqueName('EPH')];
      const secretsBefore = new Set(cloud.aws.secrets.names());
      await ask(alice, fn, denied, target.arn, { ephemeral: { reader: READER } });
      await ask(alice, fn, lapsed, target.arn, { ephemeral: { reader: READER } });

      // Act
      const deny = await decide(lead, fn, denied, 'deny', 'use the replica');
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      for (const firing of cloud.aws.schedules.fireDue(new Date(Date.now() + 61_000))) {
        if (JSON.stringify(firing.input).includes(lapsed)) await fn.invoke(firing.input);
      }

      // Assert
      expect(deny.body).toMatchObject({ status: 'denied' });
      expect(events('Cache Access Request Expired', lapsed)).toHaveLength(1);
      expect(members(target.id)).toEqual([]);
      // Secrets this test made, if any: the run's sweep may delete other tests' orphaned ones meanwhile.
      expect(cloud.aws.secrets.names().filter((name) => !secretsBefore.has(name))).toEqual([]);
      expect(
        events('Cache Access Granted').filter((event) =>
          [denied, lapsed].includes((event.detail as { requestId: string }).requestId),
        ),
      ).toEqual([]);
    });

    it('answers each malformed call with 400 and changes nothing', async () => {
      // Arrange
      const dev = await user('alice');
      const target = await group();
      const fn = await start(target, [dev.name], { approvers: [role('leads')] });
      const base = {
        requestId: uniqueName('BAD'),
        groupArn: target.arn,
        user: dev.name,
        duration: 'PT1H',
        reason: 'x',
      };
      const schedulesBefore = cloud.aws.schedules.list(EXPIRY_GROUP).length;

      // Act
      const answers = await Promise.all([
        ask(alice, fn, base.requestId, target.arn, { user: dev.name, reason: 'x'.repeat(17_000) }),
        call(alice, fn, 'POST', 'requests', { ...base, priority: 'high' }),
        call(alice, fn, 'POST', 'requests', { ...base, requestedBy: lead.arn }),
        call(alice, fn, 'POST', 'requests', { ...base, user: 'eve' }),
        call(alice, fn, 'POST', 'requests', { ...base, duration: 'PT5H' }),
        call(lead, fn, 'POST', 'requests/not%20an%20id/approve', {}),
      ]);
      const listed = await call(soc, fn, 'GET', 'requests', undefined, { status: 'pending' });

      // Assert
      expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 400, 400, 400]);
      expect(answers.every((answer) => String(answer.body.message).length < 1200)).toBe(true);
      expect(listed.body.requests).toEqual([]);
      expect(cloud.aws.schedules.list(EXPIRY_GROUP)).toHaveLength(schedulesBefore);
      expect(events('Cache Access Pending', base.requestId)).toEqual([]);
      expect(members(target.id)).toEqual([]);
    });

    it('grants once when two approvers approve at once through two instances of the function', async () => {
      // Arrange
      const dev = await user('alice');
      const target = await group();
      const fn = await start(target, [dev.name], { approvers: [role('leads')] });
      const other = await start(target, [dev.name], { approvers: [role('leads')] }, fn.tableName);
      const requestId = uniqueName('CHG');
      await ask(alice, fn, requestId, target.arn, { user: dev.name });

      // Act
      const answers = await Promise.all([
        decide(lead, fn, requestId, 'approve'),
        decide(lead2, other, requestId, 'approve'),
      ]);
      await other.stop();

      // Assert
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
      expect(events('Cache Access Granted', requestId)).toHaveLength(1);
      expect(events('Cache Access Approved', requestId)).toHaveLength(1);
      expect(members(target.id)).toEqual([dev.name]);
    });
  },
);

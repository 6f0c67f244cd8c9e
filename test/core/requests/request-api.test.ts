import { beforeEach, describe, expect, it } from 'vitest';
import { memberOf, parseGroupArn } from '#core/cache/refs';
import type { BusEvent } from '#core/membership/bus-event';
import { MembershipReconciler } from '#core/membership/reconciler';
import { AccessService } from '#core/requests/access-service';
import { RequestApi } from '#core/requests/api/request-api';
import { StoredCoverage } from '#core/requests/coverage';
import { requestsSpecSchema, resolveRequests } from '#core/requests/rules';
import { grantsOf } from '../../../local/functions/membership';
import { FakeClock, FakeUsers } from '../../support/fakes';
import { FakeGroups, FakePublisher } from '../../support/membership-fakes';
import { FakeAccessStore, FakeExpiries } from '../../support/request-fakes';

const ACCOUNT = '123456789012';
const UG = parseGroupArn(`arn:aws:elasticache:eu-west-1:${ACCOUNT}:usergroup:prod-ug`);
const OPEN_UG = parseGroupArn(`arn:aws:elasticache:eu-west-1:${ACCOUNT}:usergroup:dev-ug`);
const TARGET = { functionArn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:membership` };
const HOUR = 3_600_000;
const session = (role: string, name: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${name}`;
const ALICE = session('developers', 'alice');
const MALLORY = session('contractors', 'mallory');
const LEAD = session('leads', 'lena');
const LEAD2 = session('leads', 'lars');
const SOC = session('soc', 'sam');

const requests = (approvals: number, selfApproval = false) =>
  resolveRequests(
    requestsSpecSchema.parse({
      operators: [`arn:aws:iam::${ACCOUNT}:role/soc`],
      rules: [
        {
          name: 'prod',
          groupArn: UG.arn,
          users: ['alice', 'dave'],
          maxDuration: 'PT4H',
          requesters: [`arn:aws:iam::${ACCOUNT}:role/developers`, `arn:aws:iam::${ACCOUNT}:role/leads`],
          approvers: [`arn:aws:iam::${ACCOUNT}:role/leads`],
          approvals,
          selfApproval,
          pendingFor: 'PT30M',
        },
        { name: 'dev', groupArn: OPEN_UG.arn, users: ['alice'] },
      ],
    }),
  );

/** A function URL event as Lambda builds it for an `AWS_IAM` URL, for `caller`. */
const urlEvent = (caller: string, method: string, path: string, body?: unknown, query = '') => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: query,
  headers: { 'content-type': 'application/json' },
  requestContext: {
    accountId: ACCOUNT,
    http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
    authorizer: { iam: { accessKey: 'AKIA', accountId: ACCOUNT, userArn: caller, userId: 'AROA:x' } },
  },
  ...(body !== undefined && {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
  }),
});
const ASK = { groupArn: UG.arn, user: 'alice', duration: 'PT2H', reason: 'INC-42', requestId: 'CHG-1' };

describe('the request API over the access service', () => {
  let clock: FakeClock;
  let groups: FakeGroups;
  let users: FakeUsers;
  let store: FakeAccessStore;
  let expiries: FakeExpiries;
  let published: BusEvent[];
  let audit: Record<string, unknown>[];
  let counted: string[];

  const api = (config = requests(1)) => {
    const directories = { elasticache: groups, memorydb: groups };
    const userDirectories = { elasticache: users, memorydb: users };
    const reconciler = new MembershipReconciler({
      groups: directories,
      users: userDirectories,
      publisher: new FakePublisher(),
      state: new StoredCoverage(store),
    });
    const access = new AccessService({
      store,
      expiries,
      reconciler,
      publish: async (events) => {
        published.push(...events);
      },
      groups: directories,
      users: userDirectories,
      requests: config,
      grants: grantsOf([]),
      configuredGroups: [UG, OPEN_UG],
      now: clock.now,
    });
    const served = new RequestApi({
      access,
      store,
      requests: config,
      now: clock.now,
      logDecision: (message, data) => audit.push({ message, ...data }),
      countOutcome: (kind) => counted.push(kind),
    });
    return {
      access,
      call: async (caller: string, method: string, path: string, body?: unknown, query?: string) => {
        const answer = await served.handle(urlEvent(caller, method, path, body, query), {
          deadline: clock.deadline(),
          target: TARGET,
        });
        return { status: answer.statusCode, body: JSON.parse(answer.body) as Record<string, unknown> };
      },
    };
  };
  const types = () => published.map((event) => event.detailType);

  beforeEach(() => {
    clock = new FakeClock();
    groups = new FakeGroups();
    users = new FakeUsers();
    store = new FakeAccessStore();
    expiries = new FakeExpiries();
    published = [];
    audit = [];
    counted = [];
    groups.add(UG, ['default']);
    groups.add(OPEN_UG, ['default']);
    for (const user of ['alice', 'dave']) {
      users.add(memberOf(UG, user));
      users.add(memberOf(OPEN_UG, user));
    }
  });

  it('counts what each call ended as, as the bus path counts its events', async () => {
    // Arrange
    const served = api();

    // Act
    await served.call(ALICE, 'POST', '/requests', ASK);
    await served.call(MALLORY, 'POST', '/requests', { ...ASK, requestId: 'CHG-2' });
    await served.call(LEAD, 'POST', '/requests/CHG-1/approve', {});
    await served.call(ALICE, 'POST', '/requests', { ...ASK, groupArn: OPEN_UG.arn, requestId: 'CHG-3' });

    // Assert: the approval that completes CHG-1 grants it; CHG-3's rule needs no approval
    expect(counted).toEqual(['pending', 'refused', 'granted', 'granted']);
  });

  it('records a request pending with its verified requester, schedules its expiry and announces it', async () => {
    // Act
    const answer = await api().call(ALICE, 'POST', '/requests', ASK);

    // Assert
    expect(answer).toMatchObject({
      status: 200,
      body: { requestId: 'CHG-1', status: 'pending', approvalsNeeded: 1 },
    });
    expect(store.requests.get('CHG-1')).toMatchObject({
      requestedBy: ALICE,
      verified: true,
      status: 'pending',
    });
    expect(expiries.pending.get('CHG-1')?.pendingUntil).toBe(new Date(clock.now() + HOUR / 2).toISOString());
    expect(types()).toEqual(['Cache Access Pending']);
    expect(groups.membersOf(UG)).toEqual(['default']);
  });

  it('grants once an approver approves, announcing the approval and the grant with who asked and approved', async () => {
    // Arrange
    const { call } = api();
    await call(ALICE, 'POST', '/requests', ASK);

    // Act
    const answer = await call(LEAD, 'POST', '/requests/CHG-1/approve', { reason: 'ok' });

    // Assert
    expect(answer.body).toMatchObject({ status: 'granted', user: 'alice' });
    expect(groups.membersOf(UG)).toEqual(['alice', 'default']);
    expect(types()).toEqual(['Cache Access Pending', 'Cache Access Approved', 'Cache Access Granted']);
    expect(published.at(-1)?.detail).toMatchObject({ requestedBy: ALICE, approvedBy: [LEAD] });
    expect(expiries.pending.has('CHG-1')).toBe(false);
    expect(store.grants.get('CHG-1')?.approvals).toEqual([
      { by: LEAD, at: expect.any(String), reason: 'ok' },
    ]);
  });

  it('refuses a caller that is not a requester with 403 naming the rule, recording nothing', async () => {
    // Act
    const answer = await api().call(MALLORY, 'POST', '/requests', ASK);

    // Assert
    expect(answer.status).toBe(403);
    expect(answer.body.message).toContain('rule prod lets only its requesters ask');
    expect(store.requests.size).toBe(0);
    expect(types()).toEqual(['Cache Access Request Refused']);
  });

  it('refuses an approval by a caller that is not an approver with 403', async () => {
    // Arrange
    const { call } = api();
    await call(ALICE, 'POST', '/requests', ASK);

    // Act
    const answer = await call(session('developers', 'dave'), 'POST', '/requests/CHG-1/approve', {});

    // Assert
    expect(answer.status).toBe(403);
    expect(answer.body.message).toContain('takes approvals and denials from its approvers only');
    expect(store.requests.get('CHG-1')?.approvals).toEqual([]);
  });

  it("never counts a requester's own approval unless the rule allows self-approval", async () => {
    // Arrange
    const strict = api();
    await strict.call(LEAD, 'POST', '/requests', ASK);
    const lenient = api(requests(1, true));
    await lenient.call(LEAD, 'POST', '/requests', { ...ASK, requestId: 'CHG-2' });

    // Act
    const refused = await strict.call(LEAD, 'POST', '/requests/CHG-1/approve', {});
    const counted = await lenient.call(LEAD, 'POST', '/requests/CHG-2/approve', {});

    // Assert
    expect(refused).toMatchObject({
      status: 403,
      body: { message: expect.stringContaining('selfApproval: false') },
    });
    expect(counted).toMatchObject({ status: 200, body: { status: 'granted' } });
  });

  it('counts two approvals by one principal once, and grants on the second distinct approver', async () => {
    // Arrange
    const { call } = api(requests(2));
    await call(ALICE, 'POST', '/requests', ASK);
    await call(LEAD, 'POST', '/requests/CHG-1/approve', {});

    // Act
    const again = await call(LEAD, 'POST', '/requests/CHG-1/approve', {});
    const second = await call(LEAD2, 'POST', '/requests/CHG-1/approve', {});

    // Assert
    expect(again).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('already approved by') },
    });
    expect(second.body).toMatchObject({ status: 'granted' });
    expect(store.grants.get('CHG-1')?.approvals?.map((approval) => approval.by)).toEqual([LEAD, LEAD2]);
  });

  it('grants once when two approvers approve at the same moment: the other gets 409', async () => {
    // Arrange
    const { call } = api();
    await call(ALICE, 'POST', '/requests', ASK);

    // Act
    const answers = await Promise.all([
      call(LEAD, 'POST', '/requests/CHG-1/approve', {}),
      call(LEAD2, 'POST', '/requests/CHG-1/approve', {}),
    ]);

    // Assert
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    expect(types().filter((type) => type === 'Cache Access Granted')).toHaveLength(1);
    expect(store.requests.get('CHG-1')?.approvals).toHaveLength(1);
  });

  it('finishes on a retried approval the grant an interrupted approving invocation did not record', async () => {
    // Arrange: the approval is recorded, then recording the grant fails
    const { call } = api();
    await call(ALICE, 'POST', '/requests', ASK);
    const recordGrant = store.recordGrant.bind(store);
    store.recordGrant = async () => {
      store.recordGrant = recordGrant;
      throw new Error('ProvisionedThroughputExceededException');
    };
    await expect(call(LEAD, 'POST', '/requests/CHG-1/approve', {})).rejects.toThrow('ProvisionedThroughput');

    // Act
    const retried = await call(LEAD, 'POST', '/requests/CHG-1/approve', {});

    // Assert
    expect(retried.body).toMatchObject({ status: 'granted' });
    expect(groups.membersOf(UG)).toEqual(['alice', 'default']);
    expect(types().filter((type) => type === 'Cache Access Granted')).toHaveLength(1);
  });

  it('writes an audit line for every answer, naming the caller, the status and the outcome', async () => {
    // Arrange
    const { call } = api();

    // Act
    await call(MALLORY, 'POST', '/requests', ASK);
    await call(ALICE, 'POST', '/requests', ASK);
    await call(ALICE, 'GET', '/requests', undefined, 'status=pending');

    // Assert
    expect(audit.filter((line) => line.message === 'request api answered')).toEqual([
      expect.objectContaining({
        caller: MALLORY,
        status: 403,
        refusal: expect.stringContaining('rule prod'),
      }),
      expect.objectContaining({ caller: ALICE, status: 200, answer: 'pending', requestId: 'CHG-1' }),
      expect.objectContaining({ caller: ALICE, status: 200, method: 'GET' }),
    ]);
  });

  it('ends a request denied after one approval; a later approval gets 409 and nothing is granted', async () => {
    // Arrange
    const { call } = api(requests(2));
    await call(ALICE, 'POST', '/requests', ASK);
    await call(LEAD, 'POST', '/requests/CHG-1/approve', {});

    // Act
    const denied = await call(LEAD2, 'POST', '/requests/CHG-1/deny', { reason: 'not during the freeze' });
    const late = await call(LEAD2, 'POST', '/requests/CHG-1/approve', {});

    // Assert
    expect(denied.body).toMatchObject({ status: 'denied' });
    expect(late.status).toBe(409);
    expect(store.grants.size).toBe(0);
    expect(types()).toContain('Cache Access Denied');
  });

  it('expires a pending request at pendingUntil through a scheduled run, announcing it once', async () => {
    // Arrange
    const { call, access } = api();
    await call(ALICE, 'POST', '/requests', ASK);
    clock.setTime(clock.now() + HOUR);

    // Act
    await access.runScheduled([UG], { deadline: clock.deadline(), target: TARGET }, { trigger: 'expiry' });
    await access.runScheduled([UG], { deadline: clock.deadline(), target: TARGET }, { trigger: 'reconcile' });
    const late = await call(LEAD, 'POST', '/requests/CHG-1/approve', {});

    // Assert
    expect(store.requests.get('CHG-1')?.status).toBe('expired');
    expect(types().filter((type) => type === 'Cache Access Request Expired')).toHaveLength(1);
    expect(late).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('already expired') },
    });
  });

  it('lets the requester revoke its own grant and an operator anyone else, but no one else', async () => {
    // Arrange
    const { call } = api(requests(0));
    await call(ALICE, 'POST', '/requests', ASK);
    await call(ALICE, 'POST', '/requests', { ...ASK, requestId: 'CHG-2', user: 'dave' });

    // Act
    const stranger = await call(LEAD, 'POST', '/requests/CHG-1/revoke', { reason: 'mine now' });
    const own = await call(ALICE, 'POST', '/requests/CHG-1/revoke', { reason: 'done' });
    const operator = await call(SOC, 'POST', '/requests/CHG-2/revoke', { reason: 'INC-9' });

    // Assert
    expect(stranger.status).toBe(403);
    expect(own.body).toMatchObject({ status: 'revoked' });
    expect(operator.body).toMatchObject({ status: 'revoked' });
    expect(store.grants.get('CHG-2')).toMatchObject({ status: 'revoked', endedBy: SOC });
    expect(groups.membersOf(UG)).toEqual(['default']);
  });

  it('lets the requester withdraw its pending request, ended as denied by it, and no one else but an operator', async () => {
    // Arrange
    const { call } = api();
    await call(ALICE, 'POST', '/requests', ASK);

    // Act
    const stranger = await call(session('developers', 'dave'), 'POST', '/requests/CHG-1/revoke', {
      reason: 'mine',
    });
    const withdrawn = await call(ALICE, 'POST', '/requests/CHG-1/revoke', { reason: 'fixed without it' });
    const again = await call(ALICE, 'POST', '/requests/CHG-1/revoke', { reason: 'fixed without it' });

    // Assert
    expect(stranger.status).toBe(403);
    expect(withdrawn.body).toMatchObject({ status: 'denied' });
    expect(again.status).toBe(409);
    expect(store.requests.get('CHG-1')).toMatchObject({ status: 'denied', decidedBy: ALICE });
    expect(expiries.pending.has('CHG-1')).toBe(false);
    expect(types()).toContain('Cache Access Denied');
  });

  it('lets only operators suspend and reinstate', async () => {
    // Arrange
    const { call } = api();

    // Act
    const refused = await call(ALICE, 'POST', '/users/dave/suspend', { reason: 'INC-9' });
    const suspended = await call(SOC, 'POST', '/users/dave/suspend', { reason: 'INC-9' });
    const reinstated = await call(SOC, 'POST', '/users/dave/reinstate', { reason: 'cleared' });

    // Assert
    expect(refused).toMatchObject({
      status: 403,
      body: { message: expect.stringContaining('only operators') },
    });
    expect(suspended.body).toMatchObject({ status: 'suspended' });
    expect(reinstated.body).toMatchObject({ status: 'reinstated' });
    expect(store.suspensions.get('dave')).toMatchObject({ suspendedBy: SOC, reinstatedBy: SOC });
  });

  it.each([
    ['a body over 16 KB', { ...ASK, reason: 'x'.repeat(17_000) }, 'at most 16384'],
    ['an unknown field', { ...ASK, priority: 'high' }, 'priority'],
    ['a forged requestedBy', { ...ASK, requestedBy: LEAD }, 'requestedBy: not accepted'],
    ['a user the rule does not list', { ...ASK, user: 'eve' }, 'rule prod lists alice, dave'],
    ['a duration over the maximum', { ...ASK, duration: 'PT5H' }, 'longer than the maximum of PT4H'],
    [
      'a group no rule names',
      { ...ASK, groupArn: UG.arn.replace('prod-ug', 'other-ug') },
      'not named by any rule',
    ],
    ['a body that is not JSON', `{"groupArn": ${'['.repeat(300)}`, 'the body is not JSON'],
  ])('answers %s with 400 and a capped message, recording nothing', async (_, body, message) => {
    // Act
    const answer = await api().call(ALICE, 'POST', '/requests', body);

    // Assert
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain(message);
    expect(String(answer.body.message).length).toBeLessThan(1200);
    expect(store.requests.size + store.grants.size).toBe(0);
    expect(types()).toEqual(['Cache Access Request Refused']);
  });

  it('answers a path id that is no request id with 400, an unknown request with 404 and an unknown route with 404', async () => {
    // Arrange
    const { call } = api();

    // Act
    const badId = await call(LEAD, 'POST', `/requests/${encodeURIComponent('a b')}/approve`, {});
    const unknown = await call(LEAD, 'POST', '/requests/CHG-404/approve', {});
    const noRoute = await call(LEAD, 'DELETE', '/requests', {});

    // Assert
    expect(badId.status).toBe(400);
    expect(unknown.status).toBe(404);
    expect(noRoute.status).toBe(404);
  });

  it('lists for each caller its own pending requests and those it may approve', async () => {
    // Arrange
    const { call } = api();
    await call(ALICE, 'POST', '/requests', ASK);

    // Act
    const forApprover = await call(LEAD2, 'GET', '/requests', undefined, 'status=pending');
    const forRequester = await call(ALICE, 'GET', '/requests', undefined, 'status=pending');
    const forOther = await call(
      session('developers', 'dave'),
      'GET',
      '/requests',
      undefined,
      'status=pending',
    );

    // Assert
    expect(forApprover.body.requests).toEqual([
      expect.objectContaining({ requestId: 'CHG-1', approvalsNeeded: 1 }),
    ]);
    expect(forRequester.body.requests).toHaveLength(1);
    expect(forOther.body.requests).toEqual([]);
  });

  it('records a bus request under a rule that takes both as unverified, and refuses one under an API-only rule', async () => {
    // Arrange
    const { access } = api();
    const run = { deadline: clock.deadline(), target: TARGET };
    const bus = {
      kind: 'request',
      requestedBy: 'incident-bot',
      reason: 'INC-1',
      duration: 'PT1H',
      user: 'alice',
    } as const;

    // Act
    const refused = await access.handle({ ...bus, requestId: 'BUS-1', groupArn: UG.arn }, run);
    const granted = await access.handle({ ...bus, requestId: 'BUS-2', groupArn: OPEN_UG.arn }, run);

    // Assert
    expect(refused).toMatchObject({
      kind: 'refused',
      refusal: { refusal: expect.stringContaining('request API only') },
    });
    expect(granted.kind).toBe('granted');
    expect(store.grants.get('BUS-2')?.requestedBy).toBe('unverified:incident-bot');
  });
});

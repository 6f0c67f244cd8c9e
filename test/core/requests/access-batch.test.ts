import type { SQSRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { memberOf, parseGroupArn } from '#core/cache/refs';
import type { BusEvent } from '#core/membership/bus-event';
import { MembershipReconciler } from '#core/membership/reconciler';
import { AccessBatch, isQueueBatch } from '#core/requests/access-batch';
import { AccessService } from '#core/requests/access-service';
import { StoredCoverage } from '#core/requests/coverage';
import { type LaneRecords, RequestLane } from '#core/requests/request-lane';
import type { RequestQueue } from '#core/requests/request-queue';
import { requestsSpecSchema, resolveRequests } from '#core/requests/rules';
import { grantsOf } from '../../../local/functions/membership';
import { FakeClock, FakeUsers } from '../../support/fakes';
import { FakeGroups, FakePublisher } from '../../support/membership-fakes';
import { FakeAccessStore, FakeExpiries } from '../../support/request-fakes';

const ARN = (n: number) => `arn:aws:elasticache:eu-west-1:123456789012:usergroup:team-${n}-ug`;
const GROUPS = [0, 1, 2].map((n) => parseGroupArn(ARN(n)));
const TARGET = { functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:membership' };
const USERS = Array.from({ length: 12 }, (_, n) => `u${n}`);
const REQUESTS = resolveRequests(
  requestsSpecSchema.parse({
    // A rule may list a user the cache no longer has.
    rules: GROUPS.map((group, n) => ({
      name: `team-${n}`,
      groupArn: group.arn,
      users: [...USERS, 'u-gone'],
    })),
  }),
);

/** A lane nobody else holds, recording what this batch did with it. */
class MemoryLane implements LaneRecords {
  holder: string | undefined;
  taken = 0;
  async take(holder: string) {
    if (this.holder !== undefined && this.holder !== holder) return false;
    this.holder = holder;
    this.taken += 1;
    return true;
  }
  async release(holder: string) {
    if (this.holder === holder) this.holder = undefined;
  }
}

class MemoryQueue implements RequestQueue {
  readonly deferred: unknown[] = [];
  readonly retries: { receiptHandle: string; seconds: number }[] = [];
  async defer(event: unknown) {
    this.deferred.push(event);
  }
  async retryAfter(receiptHandle: string, seconds: number) {
    this.retries.push({ receiptHandle, seconds });
  }
}

let sequence = 0;
function record(body: unknown, receiveCount = 1): SQSRecord {
  sequence += 1;
  return {
    messageId: `m-${sequence}`,
    receiptHandle: `rh-${sequence}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1700000000000',
      SenderId: 'AROAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1700000000000',
    },
    messageAttributes: {},
    md5OfBody: 'x',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:requests',
    awsRegion: 'eu-west-1',
  };
}

const requested = (requestId: string, group: number, user: string) =>
  record({
    'detail-type': 'Cache Access Requested',
    source: 'ticketing',
    detail: {
      requestId,
      groupArn: ARN(group),
      user,
      duration: 'PT1H',
      requestedBy: 'lead@example.com',
      reason: 'INC-1',
    },
  });

describe('AccessBatch', () => {
  let clock: FakeClock;
  let groups: FakeGroups;
  let store: FakeAccessStore;
  let published: BusEvent[];
  let lane: MemoryLane;
  let queue: MemoryQueue;
  let counted: string[];

  const batch = () => {
    const users = new FakeUsers();
    for (const group of GROUPS) for (const user of USERS) users.add(memberOf(group, user));
    const directories = { elasticache: groups, memorydb: new FakeGroups() };
    const userDirectories = { elasticache: users, memorydb: users };
    const access = new AccessService({
      store,
      expiries: new FakeExpiries(),
      reconciler: new MembershipReconciler({
        groups: directories,
        users: userDirectories,
        publisher: new FakePublisher(),
        state: new StoredCoverage(store),
      }),
      publish: async (events) => {
        published.push(...events);
      },
      groups: directories,
      users: userDirectories,
      requests: REQUESTS,
      grants: grantsOf([]),
      configuredGroups: GROUPS,
      now: clock.now,
    });
    return new AccessBatch({
      access,
      users: userDirectories,
      lane: new RequestLane(lane, clock),
      queue,
      countOutcome: (kind) => counted.push(kind),
    });
  };
  const run = () => ({ deadline: clock.deadline(), target: TARGET });

  beforeEach(() => {
    clock = new FakeClock();
    groups = new FakeGroups();
    for (const group of GROUPS) groups.add(group, ['default']);
    store = new FakeAccessStore();
    published = [];
    lane = new MemoryLane();
    queue = new MemoryQueue();
    counted = [];
  });

  it('changes each touched group once for a burst of requests, granting and announcing every one', async () => {
    const records = USERS.flatMap((user, u) => GROUPS.map((_, g) => requested(`r-${u}-${g}`, g, user)));

    const response = await batch().handle(records, run());

    expect(response.batchItemFailures).toEqual([]);
    expect(groups.modifyCalls.map((call) => call.group).sort()).toEqual(GROUPS.map((g) => g.arn).sort());
    for (const group of GROUPS) expect(groups.membersOf(group).sort()).toEqual(['default', ...USERS].sort());
    const granted = published.filter((event) => event.detailType === 'Cache Access Granted');
    expect(granted).toHaveLength(records.length);
    expect(counted).toEqual(records.map(() => 'granted'));
  });

  it('announces a request delivered twice in one batch once, and counts the second as a duplicate', async () => {
    const first = requested('r-dup', 0, 'u0');
    const again = { ...first, messageId: 'm-again', receiptHandle: 'rh-again' };

    const response = await batch().handle([first, again], run());

    expect(response.batchItemFailures).toEqual([]);
    expect(published.filter((event) => event.detailType === 'Cache Access Granted')).toHaveLength(1);
    expect(groups.modifyCalls).toHaveLength(1);
  });

  it('fails alone an event that is not an access event, and brings it back sooner than the queue would', async () => {
    const bad = record('{"not": "an access event"}', 2);
    const good = requested('r-good', 1, 'u1');

    const response = await batch().handle([bad, good], run());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
    expect(queue.retries).toEqual([{ receiptHandle: bad.receiptHandle, seconds: 20 }]);
    expect(groups.membersOf(parseGroupArn(ARN(1)))).toContain('u1');
  });

  it('answers a refusal without retrying it', async () => {
    const refused = requested('r-refused', 0, 'mallory');

    const response = await batch().handle([refused], run());

    expect(response.batchItemFailures).toEqual([]);
    expect(published.map((event) => event.detailType)).toEqual(['Cache Access Request Refused']);
    expect(counted).toEqual(['refused']);
    expect(groups.modifyCalls).toEqual([]);
  });

  it('fails only the events of a group that could not be changed; the others are granted', async () => {
    groups.modifyErrors.push(new Error('the group is being modified'));
    const records = GROUPS.map((_, g) => requested(`r-${g}`, g, 'u2'));

    const response = await batch().handle(records, run());

    expect(response.batchItemFailures).toHaveLength(1);
    const failedId = response.batchItemFailures[0]?.itemIdentifier;
    const failed = records.find((r) => r.messageId === failedId);
    if (!failed) throw new Error(`no record ${failedId}`);
    expect(groups.modifyCalls).toHaveLength(GROUPS.length);
    expect(published.filter((e) => e.detailType === 'Cache Access Granted')).toHaveLength(GROUPS.length - 1);
    expect(counted).toEqual(['granted', 'granted']);

    // The failed event comes back and converges: granted and announced once, nothing else changes again.
    const redelivered = await batch().handle([{ ...failed, receiptHandle: 'rh-2' }], run());
    expect(redelivered.batchItemFailures).toEqual([]);
    expect(published.filter((e) => e.detailType === 'Cache Access Granted')).toHaveLength(GROUPS.length);
    expect(groups.modifyCalls).toHaveLength(GROUPS.length + 1);
  });

  it('reads the requesters of a large batch in one listing instead of a describe each, and still checks one it did not find', async () => {
    // Arrange
    const listed: string[] = [];
    const described: string[] = [];
    const records = USERS.flatMap((user, u) => GROUPS.map((_, g) => requested(`r-${u}-${g}`, g, user)));
    const absent = requested('r-absent', 0, 'u-gone');
    const made = batch();
    const users = (made as unknown as { deps: { users: { elasticache: FakeUsers } } }).deps.users.elasticache;
    const list = users.listUsers.bind(users);
    const describe = users.describeUser.bind(users);
    users.listUsers = async (region, prefix) => {
      listed.push(region);
      return list(region, prefix);
    };
    users.describeUser = async (ref) => {
      described.push(ref.id);
      return describe(ref);
    };

    // Act
    const response = await made.handle([...records, absent], run());

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(listed).toEqual(['eu-west-1']);
    expect(described).toEqual(['u-gone']);
    expect(counted.filter((kind) => kind === 'granted')).toHaveLength(records.length);
    expect(counted.filter((kind) => kind === 'refused')).toHaveLength(1);
  });

  it('settles the group of a grant another batch recorded and has yet to settle, so that batch finds it done', async () => {
    // Arrange: a batch that recorded its request and now waits for the lane
    const made = batch();
    const waiting = requested('r-other-batch', 2, 'u5');
    const access = (made as unknown as { deps: { access: AccessService } }).deps.access;
    const command = { kind: 'request', ...JSON.parse(waiting.body).detail } as const;
    await access.handle(command, { ...run(), settleLater: () => undefined });

    // Act
    await made.handle([requested('r-this-batch', 0, 'u1')], run());

    // Assert
    expect(groups.membersOf(parseGroupArn(ARN(2)))).toContain('u5');
    expect(published.filter((event) => event.detailType === 'Cache Access Granted')).toHaveLength(2);
    const modifies = groups.modifyCalls.length;
    const response = await made.handle([waiting], run());
    expect(response.batchItemFailures).toEqual([]);
    expect(groups.modifyCalls).toHaveLength(modifies);
    expect(published.filter((event) => event.detailType === 'Cache Access Granted')).toHaveLength(2);
  });

  it('holds the lane while it works and frees it after', async () => {
    await batch().handle([requested('r-lane', 0, 'u0')], run());

    expect(lane.taken).toBeGreaterThan(0);
    expect(lane.holder).toBeUndefined();
  });

  it('tells a queue batch from the other events the function takes', () => {
    expect(isQueueBatch({ Records: [requested('r', 0, 'u0')] })).toBe(true);
    expect(isQueueBatch({ Records: [] })).toBe(false);
    expect(isQueueBatch({ Records: [{ eventSource: 'aws:dynamodb' }] })).toBe(false);
    expect(isQueueBatch({ 'detail-type': 'Cache Access Requested', detail: {} })).toBe(false);
  });
});

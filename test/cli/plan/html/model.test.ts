import { describe, expect, it } from 'vitest';
import type { GroupState } from '#core/cache/ports';
import { type Grant, grantSpecSchema, resolveGrant } from '#core/membership/grant';
import { type GrantTableRecords, type Lane, timeline } from '../../../../cli/plan/html/model';
import { wallTime } from '../../../../cli/plan/html/range';
import {
  groupsOf,
  JIT_UG,
  PROD_ACL,
  PROD_UG,
  pendingRequest,
  requestedGrant,
  suspension,
} from '../../../support/timeline-fixtures';

const ms = (iso: string) => Date.parse(iso);
const iso = (value: number) => new Date(value).toISOString();
const grant = (spec: object): Grant => resolveGrant(grantSpecSchema.parse(spec));
const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI'];
const berlinOffice = grant({
  name: 'office',
  groupArn: PROD_UG,
  users: ['alice'],
  windows: [{ days: WEEKDAYS, from: '09:00', to: '18:00', timeZone: 'Europe/Berlin' }],
});

const rowOf = (lane: Lane | undefined, user: string) => lane?.rows.find((row) => row.user === user);

describe('timeline days', () => {
  it('counts calendar days in the zone asked for, a fall-back day 25 hours long', () => {
    // Arrange: New York falls back on Sunday 1 November 2026.
    const nowMs = ms('2026-10-31T12:00:00-04:00');

    // Act
    const { days, fromMs, toMs } = timeline({
      grants: [],
      groups: [],
      nowMs,
      days: 3,
      zone: 'America/New_York',
    });

    // Assert
    expect([fromMs, toMs].map(iso)).toEqual(['2026-10-31T04:00:00.000Z', '2026-11-03T05:00:00.000Z']);
    expect(days.map((day) => (day.toMs - day.fromMs) / 3_600_000)).toEqual([24, 25, 24]);
  });
});

describe('timeline bars', () => {
  it("draws a window's openings where the reconciler finds them across both zones' DST changes", () => {
    // Arrange: Berlin falls back on 25 October, New York on 1 November; the page is in New York time.
    const nowMs = ms('2026-10-23T12:00:00-04:00');

    // Act
    const [lane] = timeline({
      grants: [berlinOffice],
      groups: [berlinOffice.group],
      nowMs,
      days: 11,
      zone: 'America/New_York',
    }).lanes;

    // Assert: 09:00 in Berlin is 03:00 in New York, 04:00 in the week between, then 03:00 again.
    const bars = rowOf(lane, 'alice')?.bars ?? [];
    const starts = bars.map((bar) => wallTime(bar.fromMs, 'America/New_York'));
    expect(starts).toEqual([
      'Fri 23 Oct 03:00 -04:00',
      'Mon 26 Oct 04:00 -04:00',
      'Tue 27 Oct 04:00 -04:00',
      'Wed 28 Oct 04:00 -04:00',
      'Thu 29 Oct 04:00 -04:00',
      'Fri 30 Oct 04:00 -04:00',
      'Mon 2 Nov 03:00 -05:00',
    ]);
    expect(bars.every((bar) => bar.kind === 'window' && bar.names.join() === 'office')).toBe(true);
    expect(bars.map((bar) => (bar.toMs - bar.fromMs) / 3_600_000)).toEqual([9, 9, 9, 9, 9, 9, 9]);
  });

  it('clips bars to the range, keeping their real ends, and drops those wholly outside', () => {
    // Arrange: an overnight window open across the range's first midnight, a one-time window past its end.
    const grants = [
      grant({
        name: 'night',
        groupArn: PROD_UG,
        users: ['batch'],
        windows: [{ days: ['SUN'], from: '22:00', to: '02:00', timeZone: 'UTC' }],
      }),
      grant({
        name: 'fortnight',
        groupArn: PROD_UG,
        users: ['bob'],
        windows: [{ start: '2026-12-01T09:00:00Z', end: '2026-12-15T18:00:00Z' }],
      }),
      grant({
        name: 'later',
        groupArn: PROD_UG,
        users: ['carol'],
        windows: [{ start: '2026-12-20T09:00:00Z', end: '2026-12-21T09:00:00Z' }],
      }),
    ];

    // Act: Monday 7 December, two days in UTC.
    const [lane] = timeline({
      grants,
      groups: groupsOf(grants),
      nowMs: ms('2026-12-07T10:00:00Z'),
      days: 2,
      zone: 'UTC',
    }).lanes;

    // Assert
    const [night] = rowOf(lane, 'batch')?.bars ?? [];
    expect(night && [night.fromMs, night.toMs, night.beganMs].map(iso)).toEqual([
      '2026-12-07T00:00:00.000Z',
      '2026-12-07T02:00:00.000Z',
      '2026-12-06T22:00:00.000Z',
    ]);
    const [fortnight] = rowOf(lane, 'bob')?.bars ?? [];
    expect(fortnight && [fortnight.toMs, fortnight.endsMs ?? 0].map(iso)).toEqual([
      '2026-12-09T00:00:00.000Z',
      '2026-12-15T18:00:00.000Z',
    ]);
    expect(rowOf(lane, 'carol')?.bars).toEqual([]);
  });

  it('merges overlapping openings of several grants into one bar naming every grant', () => {
    const grants = [
      berlinOffice,
      grant({
        name: 'late-shift',
        groupArn: PROD_UG,
        users: ['alice'],
        windows: [{ days: ['MON'], from: '17:00', to: '21:00', timeZone: 'Europe/Berlin' }],
      }),
    ];

    const [lane] = timeline({
      grants,
      groups: groupsOf(grants),
      nowMs: ms('2026-12-07T10:00:00+01:00'),
      days: 1,
      zone: 'Europe/Berlin',
    }).lanes;

    expect(rowOf(lane, 'alice')?.bars.map((bar) => [iso(bar.fromMs), iso(bar.toMs), bar.names])).toEqual([
      ['2026-12-07T08:00:00.000Z', '2026-12-07T20:00:00.000Z', ['late-shift', 'office']],
    ]);
  });
});

describe('timeline records from the grant table', () => {
  const nowMs = ms('2026-12-07T10:30:00+01:00');
  const groups = [berlinOffice.group, ...groupsOf([grant({ ...specOf(PROD_ACL), name: 'acl' })])];
  /** The lanes of prod-ug and prod-acl with these records, over `days` days in Berlin. */
  const lanesWith = (records: Partial<GrantTableRecords>, days: number) =>
    timeline({
      grants: [berlinOffice],
      groups,
      nowMs,
      days,
      zone: 'Europe/Berlin',
      records: { grants: [], requests: [], suspensions: [], ...records },
    }).lanes;

  it('draws requested and ephemeral grants to their expiry, an ended one to where it ended, and none that ended before', () => {
    // Arrange
    const grants = [
      requestedGrant({ requestId: 'CHG-1', user: 'dave', reason: 'INC-1' }),
      requestedGrant({
        requestId: 'DBG-2',
        groupArn: PROD_ACL,
        user: 'jit-2',
        ephemeral: { rule: 'debug', reader: 'arn:aws:iam::123456789012:role/oncall', secretName: 's' },
      }),
      requestedGrant({
        requestId: 'CHG-3',
        user: 'erin',
        status: 'revoked',
        endedAt: '2026-12-07T11:00:00+01:00',
      }),
      requestedGrant({ requestId: 'CHG-4', groupArn: JIT_UG, user: 'frank' }),
      requestedGrant({
        requestId: 'CHG-5',
        user: 'gina',
        status: 'expired',
        endedAt: '2026-12-06T12:00:00+01:00',
      }),
    ];

    // Act
    const [ug, acl] = lanesWith({ grants }, 1);

    // Assert
    const [dave] = rowOf(ug, 'dave')?.bars ?? [];
    expect(dave).toMatchObject({
      kind: 'requested',
      names: ['request CHG-1'],
      note: 'requested by dave@example.com: INC-1',
    });
    expect(dave && iso(dave.toMs)).toBe('2026-12-07T13:00:00.000Z');
    expect(rowOf(acl, 'jit-2')?.bars.map((bar) => [bar.kind, bar.note])).toEqual([
      [
        'ephemeral',
        'requested by dave@example.com: INC-42\nits user is being made: not a member until its secret exists',
      ],
    ]);
    expect(rowOf(ug, 'erin')?.bars.map((bar) => iso(bar.toMs))).toEqual(['2026-12-07T10:00:00.000Z']);
    expect(rowOf(ug, 'frank')).toBeUndefined();
    expect(rowOf(ug, 'gina')).toBeUndefined();
  });

  it('draws a suspension in every lane the user has a row in or was taken out of, and a reinstatement where it still owes the user', () => {
    // Arrange
    const suspensions = [
      suspension({ user: 'alice', suspendedAt: '2026-12-07T12:00:00+01:00' }),
      suspension({ user: 'mallory', removedFrom: [PROD_ACL] }),
      suspension({ user: 'oscar', status: 'reinstated', removedFrom: [PROD_UG], owed: [] }),
      suspension({
        user: 'peggy',
        status: 'reinstated',
        removedFrom: [PROD_UG, PROD_ACL],
        owed: [PROD_ACL],
        reinstatedAt: '2026-12-08T09:00:00+01:00',
        reinstatedBy: 'secops@example.com',
        reinstateReason: 'cleared',
      }),
    ];

    // Act
    const [ug, acl] = lanesWith({ suspensions }, 2);

    // Assert: open-ended, from when it began to the end of the range.
    const suspended = rowOf(ug, 'alice')?.bars.filter((bar) => bar.kind === 'suspended') ?? [];
    expect(suspended.map((bar) => [iso(bar.fromMs), iso(bar.toMs), bar.endsMs])).toEqual([
      ['2026-12-07T11:00:00.000Z', '2026-12-08T23:00:00.000Z', undefined],
    ]);
    expect(rowOf(acl, 'mallory')?.bars.map((bar) => bar.kind)).toEqual(['suspended']);
    expect(rowOf(ug, 'mallory')).toBeUndefined();
    expect(rowOf(ug, 'oscar')).toBeUndefined();
    // Given back where still owed, from the reinstatement on; nothing where it is back already.
    expect(rowOf(acl, 'peggy')?.bars.map((bar) => [bar.kind, iso(bar.fromMs), bar.note])).toEqual([
      ['reinstated', '2026-12-08T08:00:00.000Z', 'reinstated by secops@example.com: cleared'],
    ]);
    expect(rowOf(ug, 'peggy')).toBeUndefined();
  });

  it('draws a pending request from when it was asked to when it expires, an ephemeral one on a row of its own, and none that is no longer pending', () => {
    // Arrange: nowMs is 10:30 in Berlin.
    const requests = [
      pendingRequest({
        requestId: 'CHG-6',
        requestedAt: '2026-12-06T20:00:00+01:00',
        pendingUntil: '2026-12-07T12:00:00+01:00',
        needed: 2,
        approvals: [{ by: 'arn:aws:iam::123456789012:user/carol', at: '2026-12-07T09:00:00+01:00' }],
      }),
      pendingRequest({
        requestId: 'DBG-7',
        rule: 'debug',
        groupArn: PROD_ACL,
        user: undefined,
        reader: 'arn:aws:iam::123456789012:role/oncall',
        until: '2026-12-07T18:00:00+01:00',
        duration: undefined,
        requestedBy: 'unverified:incident-bot',
        verified: false,
        pendingUntil: '2026-12-09T10:00:00+01:00',
      }),
      pendingRequest({ requestId: 'CHG-8', user: 'erin', status: 'approved' }),
      pendingRequest({ requestId: 'CHG-9', user: 'frank', status: 'denied' }),
      // Still pending in the record, but its time is up: the expiry schedule has not closed it yet.
      pendingRequest({ requestId: 'CHG-10', user: 'gina', pendingUntil: '2026-12-07T10:29:00+01:00' }),
    ];

    // Act
    const [ug, acl] = lanesWith({ requests }, 2);

    // Assert: clipped at the range's start, its real start kept; its expiry is its end.
    expect(rowOf(ug, 'dave')?.bars).toEqual([
      {
        kind: 'pending',
        fromMs: ms('2026-12-07T00:00:00+01:00'),
        toMs: ms('2026-12-07T12:00:00+01:00'),
        beganMs: ms('2026-12-06T20:00:00+01:00'),
        endsMs: ms('2026-12-07T12:00:00+01:00'),
        names: ['request CHG-6'],
        note: [
          'asked by arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Oncall_0a1b2c3d/dave: INC-43',
          'asks for PT2H, under rule oncall-prod',
          'approvals 1 of 2: arn:aws:iam::123456789012:user/carol',
        ].join('\n'),
      },
    ]);
    // Clipped at the range's end, on a row named for the request, its requester marked unverified.
    const [ephemeral] = rowOf(acl, 'ephemeral for DBG-7')?.bars ?? [];
    expect(ephemeral && [ephemeral.kind, iso(ephemeral.toMs), iso(ephemeral.endsMs ?? 0)]).toEqual([
      'pending',
      '2026-12-08T23:00:00.000Z',
      '2026-12-09T09:00:00.000Z',
    ]);
    expect(ephemeral?.note).toBe(
      [
        "asked by incident-bot (unverified: the bus sender's own words): INC-43",
        'asks until 2026-12-07T18:00:00+01:00 for a user made for arn:aws:iam::123456789012:role/oncall, under rule debug',
        'approvals 0 of 1',
      ].join('\n'),
    );
    for (const user of ['erin', 'frank', 'gina']) expect(rowOf(ug, user)).toBeUndefined();
  });

  it('adds the live members nothing names as unmanaged rows and marks who is a member now', () => {
    const live = new Map<string, GroupState | string>([
      [PROD_UG, { status: 'active', members: ['default', 'alice'] }],
      [PROD_ACL, 'AccessDenied: not authorized'],
    ]);

    const [ug, acl] = timeline({ grants: [berlinOffice], groups, nowMs, days: 1, zone: 'UTC', live }).lanes;

    expect(ug?.live).toEqual({ status: 'active' });
    expect(ug?.rows.map(({ user, managed, member }) => ({ user, managed, member }))).toEqual([
      { user: 'alice', managed: true, member: true },
      { user: 'default', managed: false, member: true },
    ]);
    expect(acl?.live).toEqual({ problem: 'AccessDenied: not authorized' });
  });
});

function specOf(groupArn: string) {
  return {
    groupArn,
    users: ['bob'],
    windows: [{ start: '2026-12-01T09:00:00Z', end: '2026-12-02T09:00:00Z' }],
  };
}

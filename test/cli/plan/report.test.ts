import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { planReport } from '../../../cli/plan/report';
import { grantsOf } from '../../../local/functions/membership';

const GROUP = 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug';
const grants = grantsOf([
  {
    name: 'office',
    groupArn: GROUP,
    users: ['alice'],
    windows: [{ days: ['TUE'], from: '09:00', to: '18:00', timeZone: 'Europe/Berlin' }],
  },
  {
    name: 'contractor',
    groupArn: GROUP,
    users: ['bob'],
    windows: [{ start: '2026-12-01T09:00:00+01:00', end: '2026-12-02T09:00:00+01:00' }],
  },
]);
const GROUPS = [...new Map(grants.map(({ group }) => [group.arn, group])).values()];
const at = DateTime.fromISO('2026-12-01T10:00:00+01:00', { setZone: true });

describe('planReport', () => {
  it('prints members by plan with their grants and the transitions in the offset asked for', () => {
    const report = planReport({ grants, groups: GROUPS, at, days: 1 });

    expect(report).toContain('Plan at 2026-12-01T10:00:00+01:00 (2026-12-01T09:00:00.000Z)');
    expect(report).toContain(`${GROUP} (ElastiCache user group)`);
    expect(report).toContain('managed users:   alice, bob');
    expect(report).toContain('members by plan: alice (office), bob (contractor)');
    expect(report).toContain('2026-12-01T18:00:00+01:00  remove alice');
    expect(report).toContain('2026-12-02T09:00:00+01:00  remove bob');
  });

  it('prints the diff against live members, leaving unmanaged members alone', () => {
    const live = new Map([[GROUP, { status: 'active', members: ['alice', 'carol', 'default'] }]]);

    const report = planReport({ grants, groups: GROUPS, at, days: 0, live });

    expect(report).toMatch(/live members: +alice, carol, default \(status active\)/);
    expect(report).toMatch(/would apply: +add bob; remove none/);
    expect(report).toMatch(/not in the plan: carol, default \(never changed\)/);
    expect(report).toContain('next transitions (0 days):\n    none');
  });

  it('says why a group could not be read', () => {
    const live = new Map([[GROUP, 'AccessDenied: not authorized']]);

    expect(planReport({ grants, groups: GROUPS, at, days: 0, live })).toContain(
      'live: could not read the group: AccessDenied: not authorized',
    );
  });

  it('counts requested grants and suspensions from the grant table', () => {
    // Arrange
    const [group] = GROUPS;
    const coverage = {
      requested: [
        {
          requestId: 'CHG-1',
          groupArn: group?.arn ?? '',
          user: 'dave',
          requestedBy: 'dave@example.com',
          reason: 'INC-42',
          fingerprint: 'f',
          grantedAt: '2026-12-01T08:00:00Z',
          expiresAt: '2026-12-01T12:00:00Z',
          status: 'open' as const,
          grantedPublished: true,
          endPublished: false,
        },
      ],
      suspended: new Set(['alice']),
      owed: new Map(),
      recorded: new Map(),
    };

    // Act
    const report = planReport({ grants, groups: GROUPS, at, days: 0, coverage });

    // Assert: dave is in by his request; alice's window is open but she is suspended
    expect(report).toContain('members by plan: bob (contractor), dave (request CHG-1)');
    expect(report).toContain('managed users:   alice, bob, dave');
  });
});

import { describe, expect, it } from 'vitest';
import { parseGroupArn } from '#core/cache/refs';
import { desiredMembership, diffMembership, isEmptyDiff } from '#core/membership/desired';
import type { OneTimeWindow } from '#core/membership/grant';
import { grantsOf } from '../../../local/functions/membership';

const GROUP = parseGroupArn('arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug');
const OTHER_GROUP = parseGroupArn('arn:aws:elasticache:eu-west-1:123456789012:usergroup:staging-ug');
const AT = Date.parse('2026-06-01T10:00:00Z');
const OPEN: OneTimeWindow = { start: '2026-06-01T09:00:00Z', end: '2026-06-01T17:00:00Z' };
const CLOSED: OneTimeWindow = { start: '2026-06-02T09:00:00Z', end: '2026-06-02T17:00:00Z' };

const grant = (name: string, users: string[], windows: OneTimeWindow[], group = GROUP) =>
  grantsOf([{ name, groupArn: group.arn, users, windows }])[0] ?? expect.fail('no grant');

describe('desiredMembership', () => {
  it('manages every user a grant for the group names and wants only those with an open window', () => {
    // Arrange
    const grants = [grant('oncall', ['alice', 'bob'], [OPEN]), grant('night', ['carol'], [CLOSED])];

    // Act
    const plan = desiredMembership(grants, GROUP, AT);

    // Assert
    expect([...plan.managed].sort()).toEqual(['alice', 'bob', 'carol']);
    expect(Object.fromEntries(plan.grantedBy)).toEqual({ alice: ['oncall'], bob: ['oncall'] });
  });

  it('keeps a user named by overlapping grants while any of their windows is open, naming each open grant', () => {
    // Arrange
    const grants = [
      grant('closed-one', ['alice'], [CLOSED]),
      grant('oncall', ['alice'], [OPEN]),
      grant('backup', ['alice'], [CLOSED, OPEN]),
    ];

    // Act
    const plan = desiredMembership(grants, GROUP, AT);

    // Assert
    expect(plan.grantedBy.get('alice')).toEqual(['oncall', 'backup']);
  });

  it('ignores the grants of other groups entirely', () => {
    // Arrange
    const grants = [grant('staging', ['dave'], [OPEN], OTHER_GROUP), grant('oncall', ['alice'], [CLOSED])];

    // Act
    const plan = desiredMembership(grants, GROUP, AT);

    // Assert
    expect([...plan.managed]).toEqual(['alice']);
    expect(plan.grantedBy.size).toBe(0);
  });

  it('evaluates the windows at the instant it is given', () => {
    // Arrange
    const grants = [grant('oncall', ['alice'], [OPEN])];

    // Act
    const atOpening = desiredMembership(grants, GROUP, Date.parse(OPEN.start));
    const atClosing = desiredMembership(grants, GROUP, Date.parse(OPEN.end));

    // Assert
    expect(atOpening.grantedBy.has('alice')).toBe(true);
    expect(atClosing.grantedBy.has('alice')).toBe(false);
  });
});

describe('diffMembership', () => {
  const plan = desiredMembership(
    [grant('oncall', ['erin', 'alice', 'bob'], [OPEN]), grant('night', ['zoe', 'carol'], [CLOSED])],
    GROUP,
    AT,
  );

  it('adds wanted users who are not members and removes managed members who are not wanted, sorted', () => {
    // Arrange
    const live = ['zoe', 'default', 'bob', 'carol'];

    // Act
    const diff = diffMembership(live, plan);

    // Assert
    expect(diff).toEqual({ add: ['alice', 'erin'], remove: ['carol', 'zoe'] });
  });

  it('never adds or removes a user no grant names, including the default user', () => {
    // Arrange
    const live = ['default', 'ops-admin', 'app-writer'];

    // Act
    const diff = diffMembership(live, plan);

    // Assert
    expect(diff).toEqual({ add: ['alice', 'bob', 'erin'], remove: [] });
  });

  it('never removes a managed user who is not a member, since that would fail the whole request', () => {
    // Arrange
    const live = ['default', 'alice', 'bob', 'erin'];

    // Act
    const diff = diffMembership(live, plan);

    // Assert
    expect(diff).toEqual({ add: [], remove: [] });
    expect(isEmptyDiff(diff)).toBe(true);
  });

  it('says a diff with only a removal is not empty', () => {
    // Arrange
    const live = ['default', 'alice', 'bob', 'erin', 'carol'];

    // Act
    const diff = diffMembership(live, plan);

    // Assert
    expect(diff).toEqual({ add: [], remove: ['carol'] });
    expect(isEmptyDiff(diff)).toBe(false);
  });
});

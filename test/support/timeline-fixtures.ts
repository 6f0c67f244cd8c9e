import { parseGroupArn } from '#core/cache/refs';
import { type Grant, grantSpecSchema, resolveGrant } from '#core/membership/grant';
import type { RequestedGrant, Suspension } from '#core/requests/records';
import { type GrantTableRecords, type Timeline, timeline } from '../../cli/plan/html/model';

export const PROD_UG = 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug';
export const PROD_ACL = 'arn:aws:memorydb:eu-west-1:123456789012:acl/prod-acl';
export const JIT_UG = 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:jit-ug';

/** A requested grant as the grant table holds it: open, announced, for an existing user unless overridden. */
export function requestedGrant(
  fields: Partial<RequestedGrant> & Pick<RequestedGrant, 'requestId'>,
): RequestedGrant {
  return {
    groupArn: PROD_UG,
    user: 'dave',
    requestedBy: 'dave@example.com',
    reason: 'INC-42',
    duration: 'PT4H',
    fingerprint: 'f',
    grantedAt: '2026-12-07T10:00:00+01:00',
    expiresAt: '2026-12-07T14:00:00+01:00',
    status: 'open',
    grantedPublished: true,
    endPublished: false,
    ...fields,
  };
}

/** A suspension in force, as the grant table holds it. */
export function suspension(fields: Partial<Suspension> & Pick<Suspension, 'user'>): Suspension {
  return {
    suspendedBy: 'secops@example.com',
    reason: 'INC-99',
    suspendedAt: '2026-12-08T02:00:00+01:00',
    status: 'suspended',
    removedFrom: [],
    owed: [],
    ...fields,
  };
}

/**
 * What the grant table might hold beside the example config in cdk.json on Monday 7 December 2026:
 * a requested grant after hours, a user made for a debugging request, and a suspended loader.
 */
export const EXAMPLE_RECORDS: GrantTableRecords = {
  grants: [
    requestedGrant({
      requestId: 'CHG-1042',
      user: 'alice',
      requestedBy: 'alice@example.com',
      reason: 'INC-4711: cache warm-up after the release',
      grantedAt: '2026-12-07T18:00:00+01:00',
      expiresAt: '2026-12-07T22:00:00+01:00',
    }),
    requestedGrant({
      requestId: 'DBG-7',
      groupArn: JIT_UG,
      user: 'jit-dbg-7',
      requestedBy: 'oncall@example.com',
      reason: 'INC-4712: slow keys on the session cache',
      duration: 'PT1H',
      grantedAt: '2026-12-07T10:10:00+01:00',
      expiresAt: '2026-12-07T11:10:00+01:00',
      ephemeral: {
        rule: 'debug-valkey',
        reader: 'arn:aws:iam::123456789012:role/oncall',
        secretName: 's',
        secretArn: 'a',
      },
    }),
  ],
  suspensions: [
    suspension({
      user: 'batch-loader',
      reason: 'INC-4720: loader hammering the primary',
      suspendedAt: '2026-12-09T02:00:00+01:00',
    }),
  ],
};

/**
 * `count` groups in the shape of a platform's config: each with an office-hours grant for two
 * users in one of several zones, and every third with an overnight batch user.
 */
export function manyGroupGrants(count: number): Grant[] {
  const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'UTC'];
  return Array.from({ length: count }, (_, index) => {
    const team = `team-${String(index).padStart(3, '0')}`;
    const groupArn = `arn:aws:elasticache:eu-west-1:123456789012:usergroup:${team}`;
    const timeZone = zones[index % zones.length] ?? 'UTC';
    const office = { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], from: '08:00', to: '17:30', timeZone };
    const night = { days: ['MON', 'WED', 'FRI'], from: '23:00', to: '04:00', timeZone };
    const grants = [
      { name: `${team}-office`, groupArn, users: [`${team}-dev`, `${team}-ops`], windows: [office] },
    ];
    if (index % 3 === 0)
      grants.push({ name: `${team}-batch`, groupArn, users: [`${team}-batch`], windows: [night] });
    return grants.map((spec) => resolveGrant(grantSpecSchema.parse(spec)));
  }).flat();
}

/** The groups grants name, each once, in the order first named. */
export function groupsOf(grants: readonly Grant[]) {
  return [...new Map(grants.map(({ group }) => [group.arn, group])).values()];
}

/** Names that would be markup if a page wrote them unescaped. */
export const HOSTILE = {
  grant: '<script>alert("grant")</script>',
  user: '"><img src=x onerror=alert(1)>',
  group: '</title><svg onload=alert(2)>',
  reason: "'/><iframe src=https://attacker.example>",
};

/**
 * A timeline whose group, user, grant, request and reason are all hostile: names no config would
 * pass, as if the grant table or a hand-built config held them.
 */
export function hostileTimeline(nowMs: number): Timeline {
  const group = { ...parseGroupArn(PROD_UG), id: HOSTILE.group };
  const [office] = manyGroupGrants(1);
  const grant = { ...(office as Grant), name: HOSTILE.grant, group, users: [HOSTILE.user] };
  const records = {
    grants: [
      requestedGrant({
        requestId: HOSTILE.grant,
        groupArn: group.arn,
        user: HOSTILE.user,
        reason: HOSTILE.reason,
      }),
    ],
    suspensions: [suspension({ user: HOSTILE.user, reason: HOSTILE.reason, suspendedBy: HOSTILE.grant })],
  };
  return timeline({ grants: [grant], groups: [group], nowMs, days: 2, zone: 'Europe/Berlin', records });
}

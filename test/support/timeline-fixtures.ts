import { parseGroupArn } from '#core/cache/refs';
import { type Grant, grantSpecSchema, resolveGrant } from '#core/membership/grant';
import type { PendingRequest, RequestedGrant, Suspension } from '#core/requests/records';
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

/** A request awaiting one approval, as the grant table holds it: for an existing user unless overridden. */
export function pendingRequest(
  fields: Partial<PendingRequest> & Pick<PendingRequest, 'requestId'>,
): PendingRequest {
  return {
    rule: 'oncall-prod',
    groupArn: PROD_UG,
    user: 'dave',
    duration: 'PT2H',
    reason: 'INC-43',
    requestedBy: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Oncall_0a1b2c3d/dave',
    verified: true,
    fingerprint: 'f',
    requestedAt: '2026-12-07T10:00:00+01:00',
    pendingUntil: '2026-12-07T11:00:00+01:00',
    needed: 1,
    approvals: [],
    status: 'pending',
    version: 0,
    announced: ['pending'],
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
 * a requested grant after hours, a user made for a debugging request, two requests awaiting approval
 * (one for a user to be made, from an incident tool on the bus) and a suspended loader.
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
  requests: [
    pendingRequest({
      requestId: 'CHG-1043',
      reason: 'INC-4730: replay the failed orders tonight',
      requestedAt: '2026-12-07T09:50:00+01:00',
      pendingUntil: '2026-12-07T21:50:00+01:00',
    }),
    pendingRequest({
      requestId: 'INC-4731',
      rule: 'debug-valkey',
      groupArn: JIT_UG,
      user: undefined,
      reader: 'arn:aws:iam::123456789012:role/oncall',
      duration: 'PT1H',
      reason: 'INC-4731: session cache evictions',
      requestedBy: 'unverified:incident-bot',
      verified: false,
      requestedAt: '2026-12-07T10:15:00+01:00',
      pendingUntil: '2026-12-08T10:15:00+01:00',
      needed: 2,
      approvals: [
        {
          by: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_SRE_4e5f6a7b/carol',
          at: '2026-12-07T10:20:00+01:00',
        },
      ],
      version: 1,
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
    requests: [
      pendingRequest({
        requestId: HOSTILE.grant,
        groupArn: group.arn,
        user: HOSTILE.user,
        reason: HOSTILE.reason,
        requestedBy: `unverified:${HOSTILE.group}`,
        verified: false,
        pendingUntil: '2026-12-08T10:00:00+01:00',
      }),
    ],
    suspensions: [suspension({ user: HOSTILE.user, reason: HOSTILE.reason, suspendedBy: HOSTILE.grant })],
  };
  return timeline({ grants: [grant], groups: [group], nowMs, days: 2, zone: 'Europe/Berlin', records });
}

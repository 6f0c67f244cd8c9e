/**
 * A config the size of a real platform team's: rotation targets over both engines (existing secrets
 * with endpoints, some encrypted with a customer managed key, and secrets the stack creates), and
 * groups of both engines full of users, with recurring windows in several zones and request rules.
 */
export interface ScaleOptions {
  readonly targets: number;
  /** How many of the targets get a secret the stack creates. */
  readonly createdSecrets: number;
  readonly groups: number;
  readonly usersPerGroup: number;
  /** Give every group a one-time project window of its own as well: two boundary schedules each. */
  readonly projectWindows?: boolean;
  /** Place rotation targets and window schedules in nested stacks. */
  readonly nestedStacks?: boolean;
}

export const PLATFORM_SCALE: ScaleOptions = {
  targets: 300,
  createdSecrets: 80,
  groups: 150,
  usersPerGroup: 100,
};

/** Issue 20's config: 1,000 targets whose secrets the stack all creates, 300 groups × 100 users, in nested stacks. */
export const NESTED_SCALE: ScaleOptions = {
  targets: 1_000,
  createdSecrets: 1_000,
  groups: 300,
  usersPerGroup: 100,
  projectWindows: true,
  nestedStacks: true,
};

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'UTC'];

export function scaleConfig(options: ScaleOptions) {
  const { targets, createdSecrets, groups, usersPerGroup, projectWindows, nestedStacks } = options;
  const engineOf = (i: number) => (i % 2 === 0 ? 'elasticache' : 'memorydb');
  const userArn = (i: number) =>
    engineOf(i) === 'elasticache'
      ? `arn:aws:elasticache:${REGION}:${ACCOUNT}:user:app-user-${i}`
      : `arn:aws:memorydb:${REGION}:${ACCOUNT}:user/app-user-${i}`;
  const groupArn = (g: number) =>
    engineOf(g) === 'elasticache'
      ? `arn:aws:elasticache:${REGION}:${ACCOUNT}:usergroup:team-${g}-ug`
      : `arn:aws:memorydb:${REGION}:${ACCOUNT}:acl/team-${g}-acl`;
  const users = (g: number) => Array.from({ length: usersPerGroup }, (_, u) => `team-${g}-user-${u}`);
  return {
    rotation: {
      targets: Array.from({ length: targets }, (_, i) => ({
        userArn: userArn(i),
        ...(i >= createdSecrets && {
          secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cache/app-user-${i}-AbCdEf`,
          ...(i % 3 === 0 && {
            kmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f${i % 10}`,
          }),
        }),
        endpoint: { host: `master.cluster-${i % 40}.abcdef.euw1.cache.amazonaws.com` },
      })),
      ...(nestedStacks && { nestedStacks }),
    },
    membership: {
      grants: Array.from({ length: groups }, (_, g) => ({
        name: `team-${g}-hours`,
        groupArn: groupArn(g),
        users: users(g).slice(0, Math.max(1, usersPerGroup - 10)),
        windows: [
          {
            days: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
            from: '08:00',
            to: '19:00',
            timeZone: ZONES[g % ZONES.length],
          },
          ...(projectWindows ? [projectWindow(g)] : []),
        ],
      })),
      requests: {
        rules: Array.from({ length: groups }, (_, g) => ({
          name: `team-${g}-oncall`,
          groupArn: groupArn(g),
          users: users(g).slice(Math.max(1, usersPerGroup - 10)),
        })),
      },
      ...(nestedStacks && { nestedStacks }),
    },
  };
}

/** A two-week project for group `g`, starting on a day of its own in 2030, so no two share a boundary. */
function projectWindow(g: number) {
  const start = new Date(Date.UTC(2030, 0, 1 + g, 9));
  const end = new Date(start.getTime() + 14 * 86_400_000 + 9 * 3_600_000);
  return { start: start.toISOString(), end: end.toISOString() };
}

import { setTimeout as sleep } from 'node:timers/promises';
import { type Engine, GROUP_MODIFY, type LocalAws, type RedisServer } from '../local';

// What the burst bench's two sides share: the setting, the groups and requesters, and how each side is scored.

export const ENGINES: readonly Engine[] = ['elasticache', 'memorydb'];
/** The account's control-plane rate per engine, and the round trip of every call. */
export const RATE_PER_SECOND = 10;
export const LATENCY_MS = 50;
/** The burst arrives within this long, spread evenly. */
export const ARRIVAL_MS = 1_000;

export interface Team {
  readonly engine: Engine;
  readonly id: string;
  readonly arn: string;
  readonly users: readonly { readonly name: string; readonly password: string }[];
}

/** What one way of handling the burst achieved. */
export interface Outcome {
  readonly lastLoginS: number;
  readonly controlPlaneCalls: number;
  readonly groupChanges: number;
  readonly throttled: number;
  readonly granted: number;
  readonly grantedEvents: number;
  readonly duplicates: number;
}

export interface Ask {
  readonly team: Team;
  readonly user: Team['users'][number];
  readonly requestId: string;
}

export const asks = (teams: readonly Team[], count: number): Ask[] =>
  teams
    .flatMap((team) => team.users.map((user) => ({ team, user })))
    .slice(0, count)
    .map(({ team, user }, n) => ({ team, user, requestId: `burst-${n}-${Date.now().toString(36)}` }));

export function byOperation(aws: LocalAws): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of aws.calls) {
    if (ENGINES.includes(call.service as Engine)) counts[call.operation] = (counts[call.operation] ?? 0) + 1;
  }
  return counts;
}

export function controlPlane(aws: LocalAws) {
  const calls = aws.calls.filter((call) => ENGINES.includes(call.service as Engine));
  return {
    controlPlaneCalls: calls.length,
    groupChanges: calls.filter((call) => Object.values(GROUP_MODIFY).includes(call.operation)).length,
    throttled: aws.throttledCount,
  };
}

/**
 * Until every requester is a member of its group: with no propagation delay, the moment it can log in
 * (each login is tried once afterwards). Trying hundreds of TLS logins every few milliseconds instead
 * would load the machine that also runs the endpoint and slow what is measured.
 */
export async function untilAllMembers(aws: LocalAws, asks: readonly Ask[]): Promise<void> {
  const isMember = ({ team, user }: Ask) => aws.groups.get(team.engine, team.id)?.members.includes(user.name);
  while (!asks.every(isMember)) await sleep(20);
}

/** Each requester logs in with its own password: membership was the access asked for. */
export async function expectLogins(redis: RedisServer, asks: readonly Ask[]): Promise<void> {
  const refused: string[] = [];
  for (const { user } of asks)
    if (!(await redis.authenticates(user.name, user.password))) refused.push(user.name);
  if (refused.length > 0)
    throw new Error(`${refused.length} requesters could not log in: ${refused.slice(0, 5).join(', ')}`);
}

import { ENGINES } from '#core/cache/engines';
import type { GroupState } from '#core/cache/ports';
import type { CacheGroupRef } from '#core/cache/refs';
import type { Grant } from '#core/membership/grant';
import { openingsBetween } from '#core/membership/windows';
import type { PendingRequest, RequestedGrant, Suspension } from '#core/requests/records';
import { calendarDays, type TimeRange } from './range';

/**
 * What a bar stands for: a config grant's window, a requested grant (an existing user, or a user made
 * for the request), a request awaiting approval, a suspension, a reinstatement still giving a user back.
 */
export type BarKind = 'window' | 'requested' | 'ephemeral' | 'pending' | 'suspended' | 'reinstated';

/** One stretch of a user's row, clipped to the range; `beganMs`/`endsMs` are its real ends. */
export interface Bar {
  readonly kind: BarKind;
  readonly fromMs: number;
  readonly toMs: number;
  readonly beganMs: number;
  /** Undefined for a suspension or a reinstatement: one lasts until the user is reinstated, the other until it is back. */
  readonly endsMs?: number;
  /** What makes the bar: the grants whose windows are open, or the request's id. */
  readonly names: readonly string[];
  /** Who asked or suspended, and why, as the grant table records it. */
  readonly note?: string;
}

export interface Row {
  readonly user: string;
  readonly bars: readonly Bar[];
  /** False for a live member no grant or record names: the stack never changes it. */
  readonly managed: boolean;
  /** Whether the live group holds the user now; undefined without `--live`. */
  readonly member?: boolean;
}

export interface Lane {
  readonly group: CacheGroupRef;
  readonly noun: string;
  readonly rows: readonly Row[];
  /** The live group's status, or why it could not be read; undefined without `--live`. */
  readonly live?: { readonly status: string } | { readonly problem: string };
}

export interface Timeline extends TimeRange {
  readonly nowMs: number;
  readonly lanes: readonly Lane[];
}

/** The grant table's records the page draws (`--live`). */
export interface GrantTableRecords {
  readonly grants: readonly RequestedGrant[];
  /** Requests under rules that need approval: those still pending are drawn. */
  readonly requests: readonly PendingRequest[];
  readonly suspensions: readonly Suspension[];
}

export interface TimelineRequest {
  readonly grants: readonly Grant[];
  readonly groups: readonly CacheGroupRef[];
  readonly nowMs: number;
  readonly days: number;
  readonly zone: string;
  readonly records?: GrantTableRecords;
  readonly live?: ReadonlyMap<string, GroupState | string>;
}

/**
 * Lanes of rows of bars for `days` calendar days in `zone` from the day `nowMs` falls on. Window
 * openings come from the reconciler's own `openingsBetween`, so DST is decided in one place.
 */
export function timeline({ grants, groups, nowMs, days, zone, records, live }: TimelineRequest): Timeline {
  const range = calendarDays(nowMs, days, zone);
  const suspensions = records?.suspensions ?? [];
  const suspended = suspensions.filter((s) => s.status === 'suspended');
  const lanes = groups.map((group): Lane => {
    const bars = new Map<string, Bar[]>();
    const add = (user: string, ...more: Bar[]) => bars.set(user, [...(bars.get(user) ?? []), ...more]);
    const ofGroup = grants.filter((grant) => grant.group.arn === group.arn);
    for (const user of new Set(ofGroup.flatMap((grant) => grant.users))) {
      add(user, ...windowBars(ofGroup, user, range));
    }
    for (const grant of records?.grants ?? []) {
      if (grant.groupArn !== group.arn) continue;
      const bar = requestedBar(grant, range);
      if (bar) add(grant.user, bar);
    }
    for (const request of records?.requests ?? []) {
      if (request.groupArn !== group.arn || !stillPending(request, nowMs)) continue;
      add(pendingRowOf(request), ...clipped(range, pendingBar(request)));
    }
    for (const suspension of suspended) {
      if (!bars.has(suspension.user) && !suspension.removedFrom.includes(group.arn)) continue;
      add(suspension.user, ...clipped(range, suspensionBar(suspension)));
    }
    // A reinstated user is owed back where the suspension took it out: covered until it is a member again.
    for (const owed of suspensions.filter((s) => s.status === 'reinstated' && s.owed.includes(group.arn))) {
      add(owed.user, ...clipped(range, reinstatementBar(owed)));
    }
    return { group, noun: ENGINES[group.engine].groupNoun, ...withLiveState(bars, live?.get(group.arn)) };
  });
  return { ...range, nowMs, lanes };
}

/** A row per user with bars, plus the live members nothing names; and the group's live status. */
function withLiveState(
  bars: ReadonlyMap<string, readonly Bar[]>,
  state: GroupState | string | undefined,
): Pick<Lane, 'rows' | 'live'> {
  const read = typeof state === 'object' ? state : undefined;
  const unmanaged = (read?.members ?? []).filter((user) => !bars.has(user));
  const rows = [...bars.keys(), ...unmanaged].sort().map((user) => ({
    user,
    bars: bars.get(user) ?? [],
    managed: bars.has(user),
    ...(read && { member: read.members.includes(user) }),
  }));
  if (state === undefined) return { rows };
  return { rows, live: read ? { status: read.status } : { problem: String(state) } };
}

/** The user's coverage by the config's grants: overlapping or touching openings merged, with every grant that opens them. */
function windowBars(grants: readonly Grant[], user: string, range: TimeRange): Bar[] {
  const openings = grants
    .filter((grant) => grant.users.includes(user))
    .flatMap((grant) =>
      grant.windows.flatMap((window) =>
        openingsBetween(window, range.fromMs, range.toMs).map((opening) => ({
          ...opening,
          name: grant.name,
        })),
      ),
    )
    .sort((a, b) => a.opens - b.opens);
  const merged: { opens: number; closes: number; names: Set<string> }[] = [];
  for (const { opens, closes, name } of openings) {
    const last = merged.at(-1);
    if (last && opens <= last.closes) {
      last.closes = Math.max(last.closes, closes);
      last.names.add(name);
    } else merged.push({ opens, closes, names: new Set([name]) });
  }
  return merged.flatMap(({ opens, closes, names }) =>
    clipped(range, { kind: 'window', beganMs: opens, endsMs: closes, names: [...names].sort() }),
  );
}

/** An open requested grant from when it was granted to its expiry; an ended one stops where it ended. */
function requestedBar(grant: RequestedGrant, range: TimeRange): Bar | undefined {
  const endsMs = Date.parse(grant.status === 'open' ? grant.expiresAt : (grant.endedAt ?? grant.expiresAt));
  const [bar] = clipped(range, {
    kind: grant.ephemeral ? 'ephemeral' : 'requested',
    beganMs: Date.parse(grant.grantedAt),
    endsMs,
    names: [`request ${grant.requestId}`],
    note: [
      `requested by ${grant.requestedBy}: ${grant.reason}`,
      // The reconciler adds a user made for a request only once its secret exists.
      ...(grant.ephemeral && !grant.ephemeral.secretArn
        ? ['its user is being made: not a member until its secret exists']
        : []),
    ].join('\n'),
  });
  return bar;
}

/**
 * Pending until approved, denied or its time is up: a record still `pending` past `pendingUntil` is one
 * the expiry schedule has not closed yet, and the next approval would find it expired.
 */
const stillPending = (request: PendingRequest, nowMs: number) =>
  request.status === 'pending' && Date.parse(request.pendingUntil) > nowMs;

/**
 * The row a pending request waits on: its user's, or for an ephemeral user (named only once granted)
 * one of its own, which no cache user id can collide with (ids have no spaces).
 */
const pendingRowOf = (request: PendingRequest) => request.user ?? `ephemeral for ${request.requestId}`;

/** From when it was asked until it expires unapproved, with who asked and the approvals it has and needs. */
function pendingBar(request: PendingRequest): Omit<Bar, 'fromMs' | 'toMs'> {
  const named = request.requestedBy.match(/^unverified:(.*)$/s)?.[1];
  const asker =
    named === undefined ? request.requestedBy : `${named} (unverified: the bus sender's own words)`;
  const asks = request.until === undefined ? `for ${request.duration}` : `until ${request.until}`;
  const approvers = request.approvals.map((approval) => approval.by);
  return {
    kind: 'pending',
    beganMs: Date.parse(request.requestedAt),
    endsMs: Date.parse(request.pendingUntil),
    names: [`request ${request.requestId}`],
    note: [
      `asked by ${asker}: ${request.reason}`,
      `asks ${asks}${request.reader === undefined ? '' : ` for a user made for ${request.reader}`}, under rule ${request.rule}`,
      `approvals ${request.approvals.length} of ${request.needed}${approvers.length > 0 ? `: ${approvers.join(', ')}` : ''}`,
    ].join('\n'),
  };
}

function suspensionBar(suspension: Suspension): Omit<Bar, 'fromMs' | 'toMs'> {
  return {
    kind: 'suspended',
    beganMs: Date.parse(suspension.suspendedAt),
    names: ['suspension'],
    note: `suspended by ${suspension.suspendedBy}: ${suspension.reason}`,
  };
}

function reinstatementBar(suspension: Suspension): Omit<Bar, 'fromMs' | 'toMs'> {
  return {
    kind: 'reinstated',
    beganMs: Date.parse(suspension.reinstatedAt ?? suspension.suspendedAt),
    names: ['reinstatement'],
    note: `reinstated by ${suspension.reinstatedBy ?? 'unknown'}${suspension.reinstateReason ? `: ${suspension.reinstateReason}` : ''}`,
  };
}

/** The bar cut to the range; none when it lies wholly outside it. */
function clipped(range: TimeRange, bar: Omit<Bar, 'fromMs' | 'toMs'>): Bar[] {
  const fromMs = Math.max(bar.beganMs, range.fromMs);
  const toMs = Math.min(bar.endsMs ?? range.toMs, range.toMs);
  return fromMs < toMs ? [{ ...bar, fromMs, toMs }] : [];
}

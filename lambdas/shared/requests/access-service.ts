import { createHash } from 'node:crypto';
import type { GroupDirectories, UserDirectories } from '../cache/ports';
import { type CacheGroupRef, memberOf, parseGroupArn } from '../cache/refs';
import type { Deadline } from '../deadline';
import type { Note } from '../handler';
import { desiredMembership } from '../membership/desired';
import type { BusEvent } from '../membership/eventbridge-publisher';
import type { Grant } from '../membership/grant';
import type { GroupOutcome, MembershipReconciler } from '../membership/reconciler';
import { durationMs } from './duration';
import { type AccessCommand, type Refusal, refusalOf } from './events-in';
import { ended, granted, refused } from './events-out';
import type { ExpirySchedules, ExpiryTarget } from './expiry';
import type { EndCause, RequestedGrant } from './records';
import type { Requests } from './rules';
import type { AccessStore } from './store';

export interface AccessServiceDeps {
  readonly store: AccessStore;
  /** Present whenever `requests` is: the stack creates both or neither. */
  readonly expiries?: ExpirySchedules;
  readonly reconciler: MembershipReconciler;
  readonly publish: (events: readonly BusEvent[]) => Promise<void>;
  readonly groups: GroupDirectories;
  readonly users: UserDirectories;
  /**
   * The rules requests are judged by.
   * @default - no rules: the stack takes no requests, and the service only keeps groups right
   */
  readonly requests?: Requests;
  /** The config's scheduled grants. */
  readonly grants: readonly Grant[];
  /** Every group the stack configures, by grants or by rules. */
  readonly configuredGroups: readonly CacheGroupRef[];
  readonly now: () => number;
  readonly note?: Note;
}

/** What an access event did. A refusal is an answer, not a failure: nothing changed. */
export type AccessOutcome =
  | {
      readonly kind: 'granted' | 'revoked' | 'suspended' | 'reinstated';
      readonly groups: readonly GroupOutcome[];
    }
  | { readonly kind: 'duplicate'; readonly groups: readonly GroupOutcome[] }
  | { readonly kind: 'refused'; readonly refusal: Refusal };

export interface Invocation {
  readonly deadline: Deadline;
  /** Where expiry schedules send their event: this function. */
  readonly target: ExpiryTarget;
}

/**
 * Requested access on top of the scheduled windows: the store records what was asked and decided,
 * and the reconciler, the only code that changes a group, applies it. Every step is idempotent for
 * the request, so a redelivery or a retry after a crash converges instead of granting twice.
 */
export class AccessService {
  constructor(private readonly deps: AccessServiceDeps) {}

  async handle(command: AccessCommand, invocation: Invocation): Promise<AccessOutcome> {
    switch (command.kind) {
      case 'request':
        return this.request(command, invocation);
      case 'revoke':
        return this.revoke(command, invocation);
      case 'suspend':
        return this.suspend(command, invocation);
      case 'reinstate':
        return this.reinstate(command, invocation);
    }
  }

  /** Publishes the refusal; the caller answers the invocation normally, so nothing retries or alarms. */
  async refuse(refusal: Refusal): Promise<AccessOutcome> {
    this.deps.note?.('access event refused', { refusal: refusal.refusal, requestId: refusal.requestId });
    await this.deps.publish([refused(refusal, new Date(this.deps.now()))]);
    return { kind: 'refused', refusal };
  }

  /**
   * A schedule's run: ends grants whose time is up (their own expiry schedule or a lost one), makes
   * the groups match, then announces what ended. A group of a grant still active is reconciled too,
   * even one the config no longer names: its user must still leave.
   */
  async upkeep(
    groups: readonly CacheGroupRef[],
    trigger: string,
    invocation: Invocation,
    notBeforeMs?: number,
  ): Promise<GroupOutcome[]> {
    const atMs = Math.max(this.deps.now(), notBeforeMs ?? 0);
    const active = await this.deps.store.activeGrants();
    for (const grant of active) {
      if (grant.status === 'open' && Date.parse(grant.expiresAt) <= atMs) {
        await this.deps.store.endGrant(grant.requestId, { status: 'expired', endedAt: grant.expiresAt });
      }
    }
    const named = new Set(groups.map((group) => group.arn));
    const orphaned = [...new Set(active.map((grant) => grant.groupArn))].filter((arn) => !named.has(arn));
    const outcomes = await this.deps.reconciler.reconcile({
      groups: [...groups, ...orphaned.map(parseGroupArn)],
      grants: this.deps.grants,
      notBeforeMs,
      trigger,
      deadline: invocation.deadline,
    });
    await this.announce(outcomes);
    return outcomes;
  }

  private async request(
    command: Extract<AccessCommand, { kind: 'request' }>,
    invocation: Invocation,
  ): Promise<AccessOutcome> {
    const rule = (this.deps.requests?.rules ?? []).find(
      (candidate) => candidate.group.arn === command.groupArn,
    );
    if (!rule) {
      const requestable = (this.deps.requests?.rules ?? []).map((r) => r.group.arn).join(', ');
      return this.refuse(
        refusalOf(
          command,
          `group ${command.groupArn} is not named by any rule; requestable groups: ${requestable}`,
        ),
      );
    }
    if (!rule.users.includes(command.user)) {
      return this.refuse(
        refusalOf(
          command,
          `user ${command.user} may not request group ${rule.group.arn}: rule ${rule.name} lists ${rule.users.join(', ')}`,
        ),
      );
    }
    const now = this.deps.now();
    const expiresAtMs =
      command.duration === undefined
        ? Date.parse(command.until ?? '')
        : now + (durationMs(command.duration) as number);
    const fingerprint = fingerprintOf(command);
    let grant = await this.deps.store.grant(command.requestId);
    if (grant && grant.fingerprint !== fingerprint) {
      return this.refuse(
        refusalOf(
          command,
          `requestId ${command.requestId} is already used by a different request (made by ${grant.requestedBy} at ${grant.grantedAt}); choose a new requestId`,
        ),
      );
    }
    if (!grant) {
      const refusal = await this.newRequestRefusal(
        command,
        rule.group,
        rule.maxDuration,
        rule.maxDurationMs,
        now,
        expiresAtMs,
      );
      if (refusal) return this.refuse(refusalOf(command, refusal));
      const candidate: RequestedGrant = {
        ...pick(command),
        fingerprint,
        grantedAt: new Date(now).toISOString(),
        expiresAt: new Date(expiresAtMs).toISOString(),
        status: 'open',
        grantedPublished: false,
        endPublished: false,
      };
      const recorded = await this.deps.store.recordGrant(candidate);
      grant = recorded.created ? candidate : recorded.existing;
      if (grant.fingerprint !== fingerprint) {
        return this.refuse(
          refusalOf(
            command,
            `requestId ${command.requestId} is already used by a different request; choose a new requestId`,
          ),
        );
      }
    }
    const duplicate = grant.grantedPublished;
    if (grant.status === 'open') await this.deps.expiries?.schedule(grant, invocation.target);
    const groups = await this.reconcileOrFail([rule.group], `request ${command.requestId}`, invocation);
    await this.announce(groups);
    return { kind: duplicate ? 'duplicate' : 'granted', groups };
  }

  /** Why a request that is new may not be recorded, or undefined when it may. */
  private async newRequestRefusal(
    command: Extract<AccessCommand, { kind: 'request' }>,
    group: CacheGroupRef,
    maxDuration: string,
    maxDurationMs: number,
    now: number,
    expiresAtMs: number,
  ): Promise<string | undefined> {
    if (expiresAtMs <= now) return `until ${command.until} is not in the future`;
    if (expiresAtMs - now > maxDurationMs) {
      return `${command.duration === undefined ? `until ${command.until} is` : `duration ${command.duration} is`} longer than the maximum of ${maxDuration} for group ${group.arn}`;
    }
    const suspension = await this.deps.store.suspension(command.user);
    if (suspension?.status === 'suspended') {
      return `user ${command.user} is suspended (by ${suspension.suspendedBy} at ${suspension.suspendedAt}); no access is granted until reinstated`;
    }
    const exists = await this.deps.users[group.engine].describeUser(memberOf(group, command.user));
    if (!exists)
      return `user ${command.user} does not exist in ${group.engine} ${group.region} account ${group.account}`;
    return undefined;
  }

  private async revoke(
    command: Extract<AccessCommand, { kind: 'revoke' }>,
    invocation: Invocation,
  ): Promise<AccessOutcome> {
    const grant = await this.deps.store.grant(command.requestId);
    if (!grant) return this.refuse(refusalOf(command, `no request ${command.requestId} was granted`));
    const revokedHere = await this.end(grant, 'revoked', command.revokedBy, command.reason);
    if (!revokedHere) {
      // Ended before: by this same revocation delivered again, or by something else.
      const current = (await this.deps.store.grant(command.requestId)) ?? grant;
      const redelivery =
        current.status === 'revoked' &&
        current.endedBy === command.revokedBy &&
        current.endReason === command.reason;
      if (!redelivery) {
        const when = current.endedAt ?? current.expiresAt;
        return this.refuse(
          refusalOf(command, `request ${command.requestId} has already ended (${current.status} at ${when})`),
        );
      }
    }
    // The grant's own group, even one a later config no longer names: its user must still leave.
    const groups = await this.reconcileOrFail(
      [parseGroupArn(grant.groupArn)],
      `revoke ${command.requestId}`,
      invocation,
    );
    await this.announce(groups);
    return { kind: revokedHere ? 'revoked' : 'duplicate', groups };
  }

  private async suspend(
    command: Extract<AccessCommand, { kind: 'suspend' }>,
    invocation: Invocation,
  ): Promise<AccessOutcome> {
    const previous = await this.deps.store.suspension(command.user);
    let suspendedHere = false;
    if (previous?.status !== 'suspended') {
      const removedFrom = await this.unmanagedMemberships(command.user);
      suspendedHere = await this.deps.store.suspend({
        user: command.user,
        suspendedBy: command.suspendedBy,
        reason: command.reason,
        suspendedAt: new Date(this.deps.now()).toISOString(),
        status: 'suspended',
        // What an earlier reinstatement had not given back yet is still owed.
        removedFrom: [...new Set([...removedFrom, ...(previous?.owed ?? [])])].sort(),
        owed: [],
      });
    }
    for (const grant of await this.deps.store.activeGrants()) {
      if (grant.user === command.user)
        await this.end(grant, 'suspended', command.suspendedBy, command.reason);
    }
    const groups = await this.reconcileOrFail(
      this.deps.configuredGroups,
      `suspend ${command.user}`,
      invocation,
    );
    await this.announce(groups);
    return { kind: suspendedHere ? 'suspended' : 'duplicate', groups };
  }

  private async reinstate(
    command: Extract<AccessCommand, { kind: 'reinstate' }>,
    invocation: Invocation,
  ): Promise<AccessOutcome> {
    const reinstated = await this.deps.store.reinstate(command.user, {
      reinstatedBy: command.reinstatedBy,
      reason: command.reason,
      at: new Date(this.deps.now()).toISOString(),
    });
    if (!reinstated) {
      const record = await this.deps.store.suspension(command.user);
      const redelivery =
        record?.status === 'reinstated' &&
        record.reinstatedBy === command.reinstatedBy &&
        record.reinstateReason === command.reason;
      if (!redelivery) return this.refuse(refusalOf(command, `user ${command.user} is not suspended`));
    }
    const groups = await this.reconcileOrFail(
      this.deps.configuredGroups,
      `reinstate ${command.user}`,
      invocation,
    );
    return { kind: reinstated ? 'reinstated' : 'duplicate', groups };
  }

  /** Ends an open grant and cancels its expiry; false when it was not open (ended before, by anyone). */
  private async end(grant: RequestedGrant, cause: EndCause, by: string, reason: string): Promise<boolean> {
    if (grant.status !== 'open') return false;
    const endedAt = new Date(this.deps.now()).toISOString();
    const endedHere = await this.deps.store.endGrant(grant.requestId, {
      status: cause,
      endedAt,
      endedBy: by,
      endReason: reason,
    });
    await this.deps.expiries?.cancel(grant.requestId);
    return endedHere;
  }

  /**
   * Groups where the user is a member the stack does not otherwise manage: a suspension takes the
   * user out of them too, and a reinstatement gives them back.
   */
  private async unmanagedMemberships(user: string): Promise<string[]> {
    const [recorded, requested] = await Promise.all([
      this.deps.store.managedUsers(),
      this.deps.store.activeGrants(),
    ]);
    const coverage = { requested, suspended: new Set<string>(), owed: new Map(), recorded };
    const found: string[] = [];
    for (const engine of new Set(this.deps.configuredGroups.map((group) => group.engine))) {
      const groups = this.deps.configuredGroups.filter((group) => group.engine === engine);
      const states = await this.deps.groups[engine].describeGroups(groups);
      for (const group of groups) {
        const members = states.get(group.arn)?.members ?? [];
        const managed = desiredMembership(this.deps.grants, group, this.deps.now(), coverage).managed;
        if (members.includes(user) && !managed.has(user)) found.push(group.arn);
      }
    }
    return found;
  }

  /**
   * Makes the groups match; a group that could not be made to match fails the invocation, so Lambda
   * retries it and the failure queue catches what never succeeds.
   */
  private async reconcileOrFail(
    groups: readonly CacheGroupRef[],
    trigger: string,
    invocation: Invocation,
  ): Promise<GroupOutcome[]> {
    const outcomes = await this.deps.reconciler.reconcile({
      groups,
      grants: this.deps.grants,
      trigger,
      deadline: invocation.deadline,
    });
    const failed = outcomes.find((outcome) => outcome.status === 'failed');
    if (failed?.status === 'failed') throw failed.error;
    return outcomes;
  }

  /**
   * `Cache Access Granted` once the user is in, `Cache Access Ended` once a grant is over: for every
   * grant whose group was reconciled, announced at most once each (the store remembers), so a retry
   * publishes exactly what an earlier attempt could not.
   */
  private async announce(outcomes: readonly GroupOutcome[]): Promise<void> {
    const settled = new Set(outcomes.filter((o) => o.status !== 'failed').map((o) => o.group.arn));
    const grants = (await this.deps.store.activeGrants()).filter((grant) => settled.has(grant.groupArn));
    const toGrant = grants.filter((grant) => grant.status === 'open' && !grant.grantedPublished);
    const toEnd = grants.filter((grant) => grant.status !== 'open' && !grant.endPublished);
    const events = [...toGrant.map(granted), ...toEnd.map(ended)];
    if (events.length === 0) return;
    await this.deps.publish(events);
    for (const grant of toGrant) await this.deps.store.markPublished(grant.requestId, 'granted');
    for (const grant of toEnd) await this.deps.store.markPublished(grant.requestId, 'ended');
  }
}

/** The request's own fields, as the record keeps them. */
function pick(command: Extract<AccessCommand, { kind: 'request' }>) {
  const { requestId, groupArn, user, duration, until, requestedBy, reason } = command;
  return {
    requestId,
    groupArn,
    user,
    requestedBy,
    reason,
    ...(duration !== undefined && { duration }),
    ...(until !== undefined && { until }),
  };
}

/** The same request delivered twice has the same digest; another request under the same id does not. */
function fingerprintOf(command: Extract<AccessCommand, { kind: 'request' }>): string {
  const { groupArn, user, duration, until, requestedBy, reason } = command;
  return createHash('sha256')
    .update(JSON.stringify([groupArn, user, duration ?? null, until ?? null, requestedBy, reason]))
    .digest('hex');
}

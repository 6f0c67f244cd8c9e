import { createHash } from 'node:crypto';
import type { GroupDirectories, UserDirectories } from '#core/cache/ports';
import { type CacheGroupRef, memberOf, parseGroupArn } from '#core/cache/refs';
import type { BusEvent } from '#core/membership/bus-event';
import { desiredMembership } from '#core/membership/desired';
import type { Grant } from '#core/membership/grant';
import type { GroupOutcome, MembershipReconciler } from '#core/membership/reconciler';
import type { Deadline } from '#core/runtime/deadline';
import type { DecisionLog } from '#core/runtime/decision-log';
import { DeployedConfigError } from '#core/runtime/errors';
import { durationMs } from './duration';
import { readerAllowed } from './ephemeral-rule';
import type { EphemeralUsers } from './ephemeral-users';
import { type AccessCommand, type Refusal, refusalOf } from './events-in';
import { ended, granted, refused } from './events-out';
import type { ExpirySchedules, ExpiryTarget } from './expiry';
import type { EndCause, RequestedGrant } from './records';
import type { RequestRule, Requests } from './rules';
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
  /**
   * Makes and deletes the users of requests under rules with `ephemeral`.
   * @default - no ephemeral users: such requests are refused
   */
  readonly ephemeral?: EphemeralUsers;
  readonly now: () => number;
  readonly note?: DecisionLog;
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
   * A schedule's run: ends grants whose time is up (their own expiry schedule or a lost one), finishes
   * or undoes what ephemeral grants left half done, makes the groups match, then announces. A group of
   * a grant still active is reconciled too, even one the config no longer names: its user must still
   * leave. A user that cannot be made or deleted fails the run only after every group is reconciled.
   */
  async upkeep(
    groups: readonly CacheGroupRef[],
    trigger: string,
    invocation: Invocation,
    notBeforeMs?: number,
    /** Whether to look for what a crash left behind: on runs over every group. */
    sweep = false,
  ): Promise<GroupOutcome[]> {
    const atMs = Math.max(this.deps.now(), notBeforeMs ?? 0);
    const active = await this.deps.store.activeGrants();
    for (const grant of active) {
      if (grant.status === 'open' && Date.parse(grant.expiresAt) <= atMs) {
        await this.deps.store.endGrant(grant.requestId, { status: 'expired', endedAt: grant.expiresAt });
      }
    }
    const tidy = tidying(invocation);
    const leftovers = [
      ...(await this.retireEnded(tidy)),
      ...(await this.provisionPending(tidy)),
      ...(sweep ? await this.sweep(tidy) : []),
    ];
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
    rethrowFirst(leftovers);
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
    const who = this.requester(command, rule);
    if (typeof who === 'string') return this.refuse(refusalOf(command, who));
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
      const refusal =
        (await this.newRequestRefusal(command, who.user, rule, now, expiresAtMs)) ??
        (await this.placeRefusal(command, rule, now));
      if (refusal) return this.refuse(refusalOf(command, refusal));
      const candidate: RequestedGrant = {
        ...pick(command, who.user),
        fingerprint,
        grantedAt: new Date(now).toISOString(),
        expiresAt: new Date(expiresAtMs).toISOString(),
        status: 'open',
        grantedPublished: false,
        endPublished: false,
        ...(who.ephemeral && { ephemeral: who.ephemeral }),
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
    if (grant.status === 'open') {
      await this.deps.expiries?.schedule(grant, invocation.target);
      await this.provision(grant, rule, invocation);
    }
    const leftovers = await this.retireEnded(tidying(invocation));
    const groups = await this.reconcileOrFail([rule.group], `request ${command.requestId}`, invocation);
    await this.announce(groups);
    rethrowFirst(leftovers);
    return { kind: duplicate ? 'duplicate' : 'granted', groups };
  }

  /**
   * Who the request is for: an existing user the rule lists, or a user made for it that the rule's
   * readers may collect; a string says why neither.
   */
  private requester(
    command: Extract<AccessCommand, { kind: 'request' }>,
    rule: RequestRule,
  ): { readonly user: string; readonly ephemeral?: RequestedGrant['ephemeral'] } | string {
    if (command.user !== undefined) {
      if (rule.users.includes(command.user)) return { user: command.user };
      return rule.users.length === 0
        ? `rule ${rule.name} gives group ${rule.group.arn} to ephemeral users only; ask with "ephemeral": { "reader": "<IAM role or user ARN>" }`
        : `user ${command.user} may not request group ${rule.group.arn}: rule ${rule.name} lists ${rule.users.join(', ')}`;
    }
    const reader = command.ephemeral?.reader ?? '';
    if (!rule.ephemeral || !this.deps.ephemeral) {
      return `rule ${rule.name} gives group ${rule.group.arn} to existing users only (${rule.users.join(', ')}); ask with "user"`;
    }
    if (!readerAllowed(rule.ephemeral.readers, reader)) {
      return `reader ${reader} may not receive credentials under rule ${rule.name}; its readers are ${rule.ephemeral.readers.join(', ')}`;
    }
    const { user, secretName } = this.deps.ephemeral.namesFor(command.requestId);
    return { user, ephemeral: { rule: rule.name, reader, secretName } };
  }

  /** Why a request that is new may not be recorded, or undefined when it may. */
  private async newRequestRefusal(
    command: Extract<AccessCommand, { kind: 'request' }>,
    user: string,
    rule: RequestRule,
    now: number,
    expiresAtMs: number,
  ): Promise<string | undefined> {
    const { group } = rule;
    if (expiresAtMs <= now) return `until ${command.until} is not in the future`;
    if (expiresAtMs - now > rule.maxDurationMs) {
      return `${command.duration === undefined ? `until ${command.until} is` : `duration ${command.duration} is`} longer than the maximum of ${rule.maxDuration} for group ${group.arn}`;
    }
    const suspension = await this.deps.store.suspension(user);
    if (suspension?.status === 'suspended') {
      return `user ${user} is suspended (by ${suspension.suspendedBy} at ${suspension.suspendedAt}); no access is granted until reinstated`;
    }
    // An ephemeral user does not exist yet: the request makes it.
    if (command.user === undefined) return undefined;
    const exists = await this.deps.users[group.engine].describeUser(memberOf(group, user));
    if (!exists)
      return `user ${user} does not exist in ${group.engine} ${group.region} account ${group.account}`;
    return undefined;
  }

  /** For an ephemeral request: takes one of the rule's places, or says that all are taken. */
  private async placeRefusal(
    command: Extract<AccessCommand, { kind: 'request' }>,
    rule: RequestRule,
    now: number,
  ): Promise<string | undefined> {
    if (command.user !== undefined || !rule.ephemeral) return undefined;
    const { maxActive } = rule.ephemeral;
    if (await this.deps.store.claimSlot(rule.name, command.requestId, maxActive, now)) return undefined;
    return `rule ${rule.name} already has ${maxActive} live ephemeral users (maxActive ${maxActive}); wait for one to end, or revoke one`;
  }

  /** An open ephemeral grant's user and secret, made once: a retry finds them and goes on. */
  private async provision(
    grant: RequestedGrant,
    rule: RequestRule | undefined,
    invocation: Invocation,
  ): Promise<void> {
    if (!grant.ephemeral || grant.ephemeral.secretArn !== undefined) return;
    if (!rule?.ephemeral || !this.deps.ephemeral) {
      throw new DeployedConfigError(
        `request ${grant.requestId} asked for an ephemeral user under rule ${grant.ephemeral.rule}, which no longer gives ephemeral users; none is made, and the grant ends at ${grant.expiresAt} or when revoked`,
      );
    }
    const secretArn = await this.deps.ephemeral.provision(
      grant,
      rule.ephemeral,
      rule.group,
      invocation.deadline,
    );
    await this.deps.store.noteEphemeral(grant.requestId, { secretArn });
  }

  /**
   * Open ephemeral grants whose user is not made yet although their request was recorded: the request's
   * invocation failed (and its retries ran out) between recording and handing over.
   */
  private async provisionPending(invocation: Invocation): Promise<unknown[]> {
    const failures: unknown[] = [];
    const rules = this.deps.requests?.rules ?? [];
    for (const grant of await this.deps.store.activeGrants()) {
      if (grant.status !== 'open' || !grant.ephemeral || grant.ephemeral.secretArn !== undefined) continue;
      const rule = rules.find((candidate) => candidate.name === grant.ephemeral?.rule);
      try {
        await this.provision(grant, rule, invocation);
      } catch (error) {
        failures.push(error);
      }
    }
    return failures;
  }

  /**
   * Deletes the users and secrets of ephemeral grants that have ended, and gives their places back.
   * Every one is tried; the failures are returned, for the caller to raise once the groups are
   * reconciled, so a user that cannot be deleted holds up no one else's revocation.
   */
  private async retireEnded(invocation: Invocation): Promise<unknown[]> {
    const ephemeral = this.deps.ephemeral;
    if (!ephemeral) return [];
    const failures: unknown[] = [];
    for (const grant of await this.deps.store.activeGrants()) {
      if (!grant.ephemeral || grant.status === 'open' || grant.ephemeral.retired) continue;
      try {
        await ephemeral.retire(grant, parseGroupArn(grant.groupArn), invocation.deadline);
        await this.deps.store.noteEphemeral(grant.requestId, { retired: true });
        await this.deps.store.releaseSlot(grant.ephemeral.rule, grant.requestId);
      } catch (error) {
        failures.push(error);
      }
    }
    return failures;
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
    const leftovers = await this.retireEnded(tidying(invocation));
    // The grant's own group, even one a later config no longer names: its user must still leave.
    const groups = await this.reconcileOrFail(
      [parseGroupArn(grant.groupArn)],
      `revoke ${command.requestId}`,
      invocation,
    );
    await this.announce(groups);
    rethrowFirst(leftovers);
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
    const leftovers = await this.retireEnded(tidying(invocation));
    const groups = await this.reconcileOrFail(
      this.deps.configuredGroups,
      `suspend ${command.user}`,
      invocation,
    );
    await this.announce(groups);
    rethrowFirst(leftovers);
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
   * Deletes ephemeral users and secrets whose request is not open, and gives back places held by
   * requests whose user is gone or that were never recorded (a crash between taking the place and
   * recording the grant; only once the place is old enough that no request can still be on its way to
   * recording). Returns the failure, if any, for the caller to raise after the reconcile.
   */
  private async sweep(invocation: Invocation): Promise<unknown[]> {
    const ephemeral = this.deps.ephemeral;
    const rules = (this.deps.requests?.rules ?? []).filter((rule) => rule.ephemeral);
    if (!ephemeral || rules.length === 0) return [];
    const failures: unknown[] = [];
    const regions = [
      ...new Map(rules.map(({ group }) => [`${group.engine} ${group.region}`, group])).values(),
    ];
    const isOpen = async (requestId: string) => (await this.deps.store.grant(requestId))?.status === 'open';
    try {
      await ephemeral.sweep(
        regions.map((group) => ({ engine: group.engine, group })),
        isOpen,
        invocation.deadline,
      );
    } catch (error) {
      failures.push(error);
    }
    const now = this.deps.now();
    for (const [rule, holders] of await this.deps.store.slots()) {
      for (const [requestId, takenAt] of holders) {
        const grant = await this.deps.store.grant(requestId);
        // An ended ephemeral grant keeps its place until its user is known to be deleted: it still counts.
        // A grant for an existing user holds one only when it took the requestId of the one that claimed it.
        const stale = grant
          ? grant.status !== 'open' && (grant.ephemeral === undefined || grant.ephemeral.retired === true)
          : now - takenAt > PLACE_GRACE_MS;
        if (stale) await this.deps.store.releaseSlot(rule, requestId);
      }
    }
    return failures;
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
    // An ephemeral grant is announced once its credentials are there, and ended once its user is gone.
    const toGrant = grants.filter(
      (grant) =>
        grant.status === 'open' && !grant.grantedPublished && (!grant.ephemeral || grant.ephemeral.secretArn),
    );
    const toEnd = grants.filter(
      (grant) =>
        grant.status !== 'open' && !grant.endPublished && (!grant.ephemeral || grant.ephemeral.retired),
    );
    const events = [...toGrant.map(granted), ...toEnd.map(ended)];
    if (events.length === 0) return;
    await this.deps.publish(events);
    for (const grant of toGrant) await this.deps.store.markPublished(grant.requestId, 'granted');
    for (const grant of toEnd) await this.deps.store.markPublished(grant.requestId, 'ended');
  }
}

/**
 * What deleting and finishing ephemeral users may take of an invocation's time: a user stuck in a
 * state still leaves the reconcile, which revokes, the rest.
 */
const TIDYING_SHARE = 0.5;

function tidying(invocation: Invocation): Invocation {
  return { ...invocation, deadline: invocation.deadline.share(TIDYING_SHARE) };
}

/** Raises the first failure kept while the groups were reconciled. */
function rethrowFirst(failures: readonly unknown[]): void {
  if (failures.length > 0) throw failures[0];
}

/** How long a place may be held by a request with no record before it is given back. */
const PLACE_GRACE_MS = 5 * 60_000;

/** The request's own fields, as the record keeps them, for `user`: the one asked for or made for it. */
function pick(command: Extract<AccessCommand, { kind: 'request' }>, user: string) {
  const { requestId, groupArn, duration, until, requestedBy, reason } = command;
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
  const { groupArn, user, ephemeral, duration, until, requestedBy, reason } = command;
  // Requests for existing users keep the digest they had before ephemeral users, so records stay valid.
  const who = ephemeral === undefined ? [user] : [null, ephemeral.reader];
  return createHash('sha256')
    .update(JSON.stringify([groupArn, ...who, duration ?? null, until ?? null, requestedBy, reason]))
    .digest('hex');
}

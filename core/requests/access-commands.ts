import { parseGroupArn } from '#core/cache/refs';
import { desiredMembership } from '#core/membership/desired';
import type { GroupOutcome } from '#core/membership/reconciler';
import type { AccessServiceDeps } from './access-deps';
import type { AccessRun } from './access-run';
import type { Announcer } from './announcer';
import { type Approvals, commandOf } from './approvals';
import type { EphemeralLifecycle } from './ephemeral-lifecycle';
import { type AccessCommand, type Refusal, recordedActor, refusalOf } from './events-in';
import type { EndCause, PendingRequest, RequestedGrant } from './records';
import { expiryMs, fingerprintOf, RequestDecision, recordedFields } from './request-decision';
import type { Settler } from './settle';

/** What an access event did. A refusal is an answer, not a failure: nothing changed. */
export type AccessOutcome =
  | {
      readonly kind: 'granted' | 'revoked' | 'suspended' | 'reinstated';
      readonly groups: readonly GroupOutcome[];
    }
  | { readonly kind: 'duplicate'; readonly groups: readonly GroupOutcome[] }
  | { readonly kind: 'pending'; readonly request: PendingRequest }
  | { readonly kind: 'refused'; readonly refusal: Refusal };

type CommandOf<Kind extends AccessCommand['kind']> = Extract<AccessCommand, { kind: Kind }>;

/**
 * The four access events: each records what was asked and decided, then settles the groups it
 * touches. Every step is idempotent for the event, so a redelivery or a retry after a crash converges
 * instead of granting twice.
 */
export class AccessCommands {
  private readonly decision: RequestDecision;

  constructor(
    private readonly deps: AccessServiceDeps,
    private readonly parts: {
      readonly announcer: Announcer;
      readonly lifecycle: EphemeralLifecycle;
      readonly settler: Settler;
      readonly approvals: Approvals;
    },
  ) {
    this.decision = new RequestDecision(deps);
  }

  async handle(command: AccessCommand, run: AccessRun): Promise<AccessOutcome> {
    switch (command.kind) {
      case 'request':
        return this.request(command, run);
      case 'revoke':
        return this.revoke(command, run);
      case 'suspend':
        return this.suspend(command, run);
      case 'reinstate':
        return this.reinstate(command, run);
    }
  }

  /** Publishes the refusal; the caller answers the invocation normally, so nothing retries or alarms. */
  async refuse(refusal: Refusal): Promise<AccessOutcome> {
    await this.parts.announcer.announceRefusal(refusal);
    return { kind: 'refused', refusal };
  }

  private async request(command: CommandOf<'request'>, run: AccessRun): Promise<AccessOutcome> {
    const rule = this.decision.rule(command);
    if (typeof rule === 'string') return this.refuse(refusalOf(command, rule));
    const who = this.decision.requester(command, rule);
    if (typeof who === 'string') return this.refuse(refusalOf(command, who));
    if (!command.verified && !rule.via.includes('bus')) {
      return this.refuse(
        refusalOf(
          command,
          `rule ${rule.name} takes requests through the request API only (via: ${rule.via.join(', ')}), where AWS proves who asks`,
        ),
      );
    }
    const now = this.deps.now();
    const expiresAtMs = expiryMs(command, now);
    if (rule.approvals > 0 && command.approvals === undefined) {
      const refusal = await this.decision.newRequestRefusal(
        command,
        who.user,
        rule,
        now,
        expiresAtMs,
        run.knownUsers,
      );
      if (refusal) return this.refuse(refusalOf(command, refusal));
      const opened = await this.parts.approvals.open(command, rule, run);
      if (typeof opened === 'string') return this.refuse(refusalOf(command, opened));
      if (opened.status === 'approved') return this.grantApproved(opened, run);
      if (opened.status !== 'pending') {
        return this.refuse(
          refusalOf(command, `request ${command.requestId} was ${opened.status} at ${opened.decidedAt}`),
        );
      }
      return { kind: 'pending', request: opened };
    }
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
        (await this.decision.newRequestRefusal(command, who.user, rule, now, expiresAtMs, run.knownUsers)) ??
        (await this.decision.slotRefusal(command, rule, now));
      if (refusal) return this.refuse(refusalOf(command, refusal));
      const candidate: RequestedGrant = {
        ...recordedFields(command, who.user),
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
    // A redelivery of a request whose reader AWS refused gets the same answer.
    if (grant.status === 'refused') return this.refuse(refusalOf(command, grant.endReason ?? 'refused'));
    const duplicate = grant.grantedPublished;
    if (grant.status === 'open') {
      await this.deps.expiries?.schedule(grant, run.target);
      const refusal = await this.parts.lifecycle.provision(grant, rule, run);
      if (refusal !== undefined) return this.refuse(refusalOf(command, refusal));
    }
    const groups = await this.parts.settler.settle([rule.group], run, {
      trigger: `request ${command.requestId}`,
      groupFailures: 'throw',
    });
    return { kind: duplicate ? 'duplicate' : 'granted', groups };
  }

  /**
   * Grants a request its approvers approved, as the request itself would have been granted, from the
   * time of the last approval; the approved record then leaves the active set, granted or refused.
   */
  async grantApproved(request: PendingRequest, run: AccessRun): Promise<AccessOutcome> {
    const outcome = await this.request(commandOf(request), run);
    await this.deps.store.markAnnounced(request.requestId, [], true);
    return outcome;
  }

  private async revoke(command: CommandOf<'revoke'>, run: AccessRun): Promise<AccessOutcome> {
    const grant = await this.deps.store.grant(command.requestId);
    if (!grant) return this.refuse(refusalOf(command, `no request ${command.requestId} was granted`));
    const revokedBy = recordedActor(command.revokedBy, command.verified);
    const revokedHere = await this.end(grant, 'revoked', revokedBy, command.reason);
    if (!revokedHere) {
      // Ended before: by this same revocation delivered again, or by something else.
      const current = (await this.deps.store.grant(command.requestId)) ?? grant;
      const redelivery =
        current.status === 'revoked' && current.endedBy === revokedBy && current.endReason === command.reason;
      if (!redelivery) {
        const when = current.endedAt ?? current.expiresAt;
        return this.refuse(
          refusalOf(command, `request ${command.requestId} has already ended (${current.status} at ${when})`),
        );
      }
    }
    // The grant's own group, even one a later config no longer names: its user must still leave.
    const groups = await this.parts.settler.settle([parseGroupArn(grant.groupArn)], run, {
      trigger: `revoke ${command.requestId}`,
      groupFailures: 'throw',
    });
    return { kind: revokedHere ? 'revoked' : 'duplicate', groups };
  }

  private async suspend(command: CommandOf<'suspend'>, run: AccessRun): Promise<AccessOutcome> {
    const previous = await this.deps.store.suspension(command.user);
    const suspendedBy = recordedActor(command.suspendedBy, command.verified);
    let suspendedHere = false;
    if (previous?.status !== 'suspended') {
      const removedFrom = await this.unmanagedMemberships(command.user);
      suspendedHere = await this.deps.store.suspend({
        user: command.user,
        suspendedBy,
        reason: command.reason,
        suspendedAt: new Date(this.deps.now()).toISOString(),
        status: 'suspended',
        // What an earlier reinstatement had not given back yet is still owed.
        removedFrom: [...new Set([...removedFrom, ...(previous?.owed ?? [])])].sort(),
        owed: [],
      });
    }
    for (const grant of await this.deps.store.activeGrants()) {
      if (grant.user === command.user) await this.end(grant, 'suspended', suspendedBy, command.reason);
    }
    const groups = await this.parts.settler.settle(this.deps.configuredGroups, run, {
      trigger: `suspend ${command.user}`,
      groupFailures: 'throw',
    });
    return { kind: suspendedHere ? 'suspended' : 'duplicate', groups };
  }

  private async reinstate(command: CommandOf<'reinstate'>, run: AccessRun): Promise<AccessOutcome> {
    const reinstatedBy = recordedActor(command.reinstatedBy, command.verified);
    const reinstated = await this.deps.store.reinstate(command.user, {
      reinstatedBy,
      reason: command.reason,
      at: new Date(this.deps.now()).toISOString(),
    });
    if (!reinstated) {
      const record = await this.deps.store.suspension(command.user);
      const redelivery =
        record?.status === 'reinstated' &&
        record.reinstatedBy === reinstatedBy &&
        record.reinstateReason === command.reason;
      if (!redelivery) return this.refuse(refusalOf(command, `user ${command.user} is not suspended`));
    }
    // A reinstatement ends no grant: no user to retire, no end to announce, only memberships to give back.
    const groups = await this.parts.settler.reconcile(this.deps.configuredGroups, run, {
      trigger: `reinstate ${command.user}`,
      groupFailures: 'throw',
    });
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
}

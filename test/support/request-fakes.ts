import type { ExpirySchedules, ExpiryTarget } from '#core/requests/expiry';
import type { Approval, PendingRequest, RequestedGrant, Suspension } from '#core/requests/records';
import type { AccessStore, GrantEnd, RequestClosing } from '#core/requests/store';

/** The grant store's rules in memory: conditional writes decide once, ended grants leave the active set once announced. */
export class FakeAccessStore implements AccessStore {
  readonly grants = new Map<string, RequestedGrant & { active: boolean }>();
  readonly suspensions = new Map<string, Suspension & { active: boolean }>();
  readonly managed = new Map<string, Set<string>>();
  readonly slotsByRule = new Map<string, Map<string, number>>();
  readonly requests = new Map<string, PendingRequest & { active: boolean }>();

  async recordRequest(request: PendingRequest) {
    const existing = this.requests.get(request.requestId);
    if (existing) return { created: false, existing: strip(existing) } as const;
    this.requests.set(request.requestId, { ...request, active: true });
    return { created: true } as const;
  }

  async pendingRequest(requestId: string) {
    const found = this.requests.get(requestId);
    return found && strip(found);
  }

  async activeRequests() {
    return [...this.requests.values()].filter((request) => request.active).map(strip);
  }

  async addApproval(requestId: string, approval: Approval, version: number, completes: boolean) {
    const found = this.requests.get(requestId);
    if (found?.status !== 'pending' || found.version !== version) return false;
    this.requests.set(requestId, {
      ...found,
      approvals: [...found.approvals, approval],
      version: version + 1,
      ...(completes && { status: 'approved', decidedAt: approval.at }),
    });
    return true;
  }

  async closeRequest(requestId: string, close: RequestClosing) {
    const found = this.requests.get(requestId);
    if (found?.status !== 'pending') return false;
    this.requests.set(requestId, {
      ...found,
      status: close.status,
      decidedAt: close.at,
      ...(close.by !== undefined && { decidedBy: close.by }),
      ...(close.reason !== undefined && { decisionReason: close.reason }),
      version: found.version + 1,
    });
    return true;
  }

  async markAnnounced(requestId: string, keys: readonly string[], finished: boolean) {
    const found = this.requests.get(requestId);
    if (!found) return;
    this.requests.set(requestId, {
      ...found,
      announced: [...found.announced, ...keys],
      active: found.active && !finished,
    });
  }

  async recordGrant(grant: RequestedGrant) {
    const existing = this.grants.get(grant.requestId);
    if (existing) return { created: false, existing: strip(existing) } as const;
    this.grants.set(grant.requestId, { ...grant, active: true });
    return { created: true } as const;
  }

  async grant(requestId: string) {
    const found = this.grants.get(requestId);
    return found && strip(found);
  }

  async activeGrants() {
    return [...this.grants.values()].filter((grant) => grant.active).map(strip);
  }

  async endGrant(requestId: string, end: GrantEnd) {
    const found = this.grants.get(requestId);
    if (found?.status !== 'open') return false;
    this.grants.set(requestId, { ...found, ...end });
    return true;
  }

  /** Per request and announcement, until when a run holds the right to make it. */
  readonly announcementClaims = new Map<string, number>();

  async claimAnnouncement(
    requestId: string,
    which: 'granted' | 'ended',
    { nowMs, untilMs }: { readonly nowMs: number; readonly untilMs: number },
  ) {
    const found = this.grants.get(requestId);
    const published = which === 'granted' ? found?.grantedPublished : found?.endPublished;
    const key = `${requestId}/${which}`;
    const heldUntil = this.announcementClaims.get(key);
    if (!found || published || (heldUntil !== undefined && heldUntil >= nowMs)) return false;
    this.announcementClaims.set(key, untilMs);
    return true;
  }

  async markPublished(requestId: string, which: 'granted' | 'ended') {
    const found = this.grants.get(requestId);
    if (!found) return;
    this.grants.set(
      requestId,
      which === 'granted'
        ? { ...found, grantedPublished: true }
        : { ...found, endPublished: true, active: false },
    );
  }

  async noteEphemeral(requestId: string, progress: { secretArn: string } | { retired: true }) {
    const found = this.grants.get(requestId);
    if (!found?.ephemeral) throw new Error(`grant ${requestId} has no ephemeral user`);
    this.grants.set(requestId, { ...found, ephemeral: { ...found.ephemeral, ...progress } });
  }

  async claimSlot(rule: string, requestId: string, max: number, atMs: number) {
    const holders = this.slotsByRule.get(rule) ?? new Map<string, number>();
    this.slotsByRule.set(rule, holders);
    if (holders.has(requestId)) return true;
    if (holders.size >= max) return false;
    holders.set(requestId, atMs);
    return true;
  }

  async releaseSlot(rule: string, requestId: string) {
    this.slotsByRule.get(rule)?.delete(requestId);
  }

  async slots() {
    return this.slotsByRule;
  }

  async activeSuspensions() {
    return [...this.suspensions.values()].filter((s) => s.active).map(strip);
  }

  async suspension(user: string) {
    const found = this.suspensions.get(user);
    return found && strip(found);
  }

  async suspend(suspension: Suspension) {
    if (this.suspensions.get(suspension.user)?.status === 'suspended') return false;
    this.suspensions.set(suspension.user, { ...suspension, active: true });
    return true;
  }

  async reinstate(user: string, by: { reinstatedBy: string; reason: string; at: string }) {
    const found = this.suspensions.get(user);
    if (found?.status !== 'suspended') return undefined;
    const next = {
      ...found,
      status: 'reinstated' as const,
      owed: [...found.removedFrom],
      reinstatedAt: by.at,
      reinstatedBy: by.reinstatedBy,
      reinstateReason: by.reason,
      active: found.removedFrom.length > 0,
    };
    this.suspensions.set(user, next);
    return strip(next);
  }

  async settleRestore(user: string, groupArn: string) {
    const found = this.suspensions.get(user);
    if (!found) return;
    const owed = found.owed.filter((arn) => arn !== groupArn);
    this.suspensions.set(user, { ...found, owed, active: found.status === 'suspended' || owed.length > 0 });
  }

  async managedUsers() {
    return new Map([...this.managed].map(([arn, users]) => [arn, new Set(users)]));
  }

  async addManaged(groupArn: string, users: readonly string[]) {
    this.managed.set(groupArn, new Set([...(this.managed.get(groupArn) ?? []), ...users]));
  }

  async removeManaged(groupArn: string, users: readonly string[]) {
    const set = this.managed.get(groupArn);
    for (const user of users) set?.delete(user);
  }
}

function strip<T extends { active: boolean }>({ active: _active, ...record }: T): Omit<T, 'active'> {
  return record;
}

/** Records the expiry schedules the service sets and cancels. */
export class FakeExpiries implements ExpirySchedules {
  readonly scheduled = new Map<string, { expiresAt: string; target: ExpiryTarget }>();
  readonly cancelled: string[] = [];

  async schedule(grant: RequestedGrant, target: ExpiryTarget) {
    this.scheduled.set(grant.requestId, { expiresAt: grant.expiresAt, target });
  }

  async cancel(requestId: string) {
    this.cancelled.push(requestId);
    this.scheduled.delete(requestId);
  }

  /** Pending requests' schedules, by requestId: a kind of their own, as Scheduler names them apart. */
  readonly pending = new Map<string, { pendingUntil: string; target: ExpiryTarget }>();

  async schedulePending(request: PendingRequest, target: ExpiryTarget) {
    this.pending.set(request.requestId, { pendingUntil: request.pendingUntil, target });
  }

  async cancelPending(requestId: string) {
    this.pending.delete(requestId);
  }
}

import type { Approval, EndCause, PendingRequest, RequestedGrant, Suspension } from './records';

/** How a grant ended, as recorded. */
export interface GrantEnd {
  readonly status: EndCause;
  readonly endedAt: string;
  readonly endedBy?: string;
  readonly endReason?: string;
}

/** Requested grants, from the request that made one to the announcement of its end. */
export interface GrantRecords {
  /** Records a new grant; when its requestId is taken, records nothing and returns the grant there. */
  recordGrant(
    grant: RequestedGrant,
  ): Promise<{ readonly created: true } | { readonly created: false; readonly existing: RequestedGrant }>;
  grant(requestId: string): Promise<RequestedGrant | undefined>;
  /** Grants that are open, or ended without their end announced yet. */
  activeGrants(): Promise<RequestedGrant[]>;
  /** Ends the grant if it is still open; false when it was not (already ended, by this run or another). */
  endGrant(requestId: string, end: GrantEnd): Promise<boolean>;
  /**
   * Takes the right to announce the grant's start or end until `untilMs`, unless it is announced already
   * or another run holds that right and its hold has not lapsed: of concurrent runs settling one group,
   * one announces. A run that stopped between claim and publish leaves a hold that lapses, so a later run
   * announces instead.
   */
  claimAnnouncement(
    requestId: string,
    which: 'granted' | 'ended',
    claim: { readonly nowMs: number; readonly untilMs: number },
  ): Promise<boolean>;
  /** Notes an announcement made; once the end is announced the record leaves the active set. */
  markPublished(requestId: string, which: 'granted' | 'ended'): Promise<void>;
  /** Notes how far an ephemeral user's life has got: its secret's ARN, then that user and secret are gone. */
  noteEphemeral(
    requestId: string,
    progress: { readonly secretArn: string } | { readonly retired: true },
  ): Promise<void>;
}

/** The `maxActive` slots of rules with ephemeral users: one per live user, held by its request. */
export interface EphemeralSlots {
  /**
   * Takes one of the rule's `max` slots for live ephemeral users, unless all are taken; true when the
   * request holds one (taken now or before). Conditional, so concurrent requests cannot exceed `max`.
   */
  claimSlot(rule: string, requestId: string, max: number, atMs: number): Promise<boolean>;
  releaseSlot(rule: string, requestId: string): Promise<void>;
  /** Per rule, the requests holding a slot and when each took it. */
  slots(): Promise<ReadonlyMap<string, ReadonlyMap<string, number>>>;
}

/** Users taken out of every configured group, and what their reinstatement still owes them. */
export interface SuspensionRecords {
  /** Suspensions in force, and reinstatements that still owe a group its member back. */
  activeSuspensions(): Promise<Suspension[]>;
  /** The user's suspension record, in force or not, if the user was ever suspended (and not yet forgotten). */
  suspension(user: string): Promise<Suspension | undefined>;
  /** Records the suspension unless the user is suspended already: then false. */
  suspend(suspension: Suspension): Promise<boolean>;
  /** Ends the user's suspension, owing back the groups it removed the user from; undefined if not suspended. */
  reinstate(
    user: string,
    by: { readonly reinstatedBy: string; readonly reason: string; readonly at: string },
  ): Promise<Suspension | undefined>;
  /** The user is back in the group the suspension took it out of. */
  settleRestore(user: string, groupArn: string): Promise<void>;
}

/** Per group, the users the stack has put there, so it knows whom it may take out. */
export interface ManagedUserRecords {
  /** Per group ARN, every user the stack has managed there: removed when nothing covers it any more. */
  managedUsers(): Promise<ReadonlyMap<string, ReadonlySet<string>>>;
  addManaged(groupArn: string, users: readonly string[]): Promise<void>;
  removeManaged(groupArn: string, users: readonly string[]): Promise<void>;
}

/** Requests waiting for approval, and how each was decided. */
export interface PendingRequests {
  /** Records a new pending request; when its requestId is taken, records nothing and returns what is there. */
  recordRequest(
    request: PendingRequest,
  ): Promise<{ readonly created: true } | { readonly created: false; readonly existing: PendingRequest }>;
  pendingRequest(requestId: string): Promise<PendingRequest | undefined>;
  /** Requests still pending, or decided with an event not yet published. */
  activeRequests(): Promise<PendingRequest[]>;
  /**
   * Adds an approval, approving the request when `completes`; only over `version` and while pending, so
   * of concurrent approvals each counts once and one completes. False when the request moved on.
   */
  addApproval(requestId: string, approval: Approval, version: number, completes: boolean): Promise<boolean>;
  /** Denies or expires the request if it is still pending; false when it was not. */
  closeRequest(requestId: string, close: RequestClosing): Promise<boolean>;
  /** Notes events published; a decided request whose events are all out leaves the active set. */
  markAnnounced(requestId: string, keys: readonly string[], finished: boolean): Promise<void>;
}

/**
 * Where requested grants, suspensions and the users the stack has managed are kept. Every write that
 * decides something is conditional, so concurrent and repeated deliveries cannot decide it twice.
 */
export interface AccessStore
  extends GrantRecords,
    PendingRequests,
    EphemeralSlots,
    SuspensionRecords,
    ManagedUserRecords {}

/** How a pending request ends without a grant: denied by an approver, or expired unapproved. */
export interface RequestClosing {
  readonly status: 'denied' | 'expired';
  readonly at: string;
  readonly by?: string;
  readonly reason?: string;
}

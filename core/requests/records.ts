/**
 * How a requested grant stands: open until it expires, is revoked, or its user is suspended; `refused`
 * when AWS turned down its ephemeral reader before anything was handed over.
 */
export type GrantStatus = 'open' | 'expired' | 'revoked' | 'suspended' | 'refused';
export type EndCause = Exclude<GrantStatus, 'open'>;

/** One approval a request received: who (the verified caller), when, and why. */
export interface Approval {
  readonly by: string;
  readonly at: string;
  readonly reason?: string;
}

/** One request for access, as recorded when it was granted. */
export interface RequestedGrant {
  readonly requestId: string;
  readonly groupArn: string;
  readonly user: string;
  /** The caller AWS verified (an ARN), or `unverified:<text>` for a request from the bus. */
  readonly requestedBy: string;
  /** For a rule that needs approval: who approved, and when. */
  readonly approvals?: readonly Approval[];
  readonly reason: string;
  /** What the request asked for: exactly one of the two. */
  readonly duration?: string;
  readonly until?: string;
  /** A digest of the request's fields: a redelivery has the same, a different request under a used id does not. */
  readonly fingerprint: string;
  /** When the request was applied, and when the access ends: ISO 8601. */
  readonly grantedAt: string;
  readonly expiresAt: string;
  readonly status: GrantStatus;
  readonly endedAt?: string;
  readonly endedBy?: string;
  readonly endReason?: string;
  /** Whether `Cache Access Granted` / `Cache Access Ended` went out: a retry publishes what is missing. */
  readonly grantedPublished: boolean;
  readonly endPublished: boolean;
  /** For a request that made a user of its own (`user` is then that user's id or name). */
  readonly ephemeral?: EphemeralGrant;
}

/** Where an ephemeral user's credentials are, who may read them, and whether the user is gone. */
export interface EphemeralGrant {
  /** The rule the request came under: its access string and its cap on live users. */
  readonly rule: string;
  /** The IAM principal the secret lets read the credentials. */
  readonly reader: string;
  /** Derived from the request, so every attempt finds the same secret. */
  readonly secretName: string;
  /** Known once the secret exists. */
  readonly secretArn?: string;
  /** The user and its secret are deleted: only then is the end announced. */
  readonly retired?: boolean;
}

/** A user taken out of every group this stack configures until reinstated. */
export interface Suspension {
  readonly user: string;
  readonly suspendedBy: string;
  readonly reason: string;
  readonly suspendedAt: string;
  readonly status: 'suspended' | 'reinstated';
  /** Groups where the user was a member the stack did not otherwise manage: given back on reinstatement. */
  readonly removedFrom: readonly string[];
  /** After reinstatement, the groups of `removedFrom` the user is not back in yet. */
  readonly owed: readonly string[];
  readonly reinstatedAt?: string;
  readonly reinstatedBy?: string;
  readonly reinstateReason?: string;
}

/**
 * How a request waiting for approval stands: `pending` until enough distinct approvers approve
 * (`approved`), one denies (`denied`) or its time runs out (`expired`).
 */
export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired';

/** A request under a rule that needs approval, from the moment it is made to its decision. */
export interface PendingRequest {
  readonly requestId: string;
  readonly rule: string;
  readonly groupArn: string;
  /** The user asked for, or for an ephemeral user the reader of its credentials. */
  readonly user?: string;
  readonly reader?: string;
  readonly duration?: string;
  readonly until?: string;
  readonly reason: string;
  /** As the grant records it: a verified ARN, or `unverified:<text>`. */
  readonly requestedBy: string;
  /** Whether AWS verified the requester (the request API) or a bus sender named itself. */
  readonly verified: boolean;
  readonly fingerprint: string;
  readonly requestedAt: string;
  readonly pendingUntil: string;
  /** How many distinct approvals the rule asks for. */
  readonly needed: number;
  readonly approvals: readonly Approval[];
  readonly status: ApprovalStatus;
  readonly decidedAt?: string;
  readonly decidedBy?: string;
  readonly decisionReason?: string;
  /** Raised by every change: an approval is written only over the version it was decided on. */
  readonly version: number;
  /** The events already published for it, by key: a retry publishes only the rest. */
  readonly announced: readonly string[];
}

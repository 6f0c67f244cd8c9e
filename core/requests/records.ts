/**
 * How a requested grant stands: open until it expires, is revoked, or its user is suspended; `refused`
 * when AWS turned down its ephemeral reader before anything was handed over.
 */
export type GrantStatus = 'open' | 'expired' | 'revoked' | 'suspended' | 'refused';
export type EndCause = Exclude<GrantStatus, 'open'>;

/** One request for access, as recorded when it was granted. */
export interface RequestedGrant {
  readonly requestId: string;
  readonly groupArn: string;
  readonly user: string;
  readonly requestedBy: string;
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

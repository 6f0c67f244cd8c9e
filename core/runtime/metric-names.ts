/**
 * The metrics the functions emit, the one list the handlers emit by and the dashboard draws from.
 * Plain data, safe at synth time like `env-names.ts`. Every metric is a count or a gauge in
 * `METRICS_NAMESPACE` with the Powertools `service` dimension (the function's service name); the
 * rotation step outcomes also carry `Step` once the event names one.
 */
export const METRICS_NAMESPACE = 'CacheAccessAutomation';

/** The dimension Powertools gives every metric of a function: its service name. */
export const SERVICE_DIMENSION = 'service';

/** Emitted by each function, once per control-plane call the service throttled beyond the SDK's retries. */
export const THROTTLED_CALLS = 'ControlPlaneThrottled';

export const ROTATION_METRICS = {
  service: 'cache-rotation',
  succeeded: 'RotationStepSucceeded',
  failed: 'RotationStepFailed',
  /** The step (`createSecret`, ...) of both outcome metrics; absent when the event names no valid step. */
  stepDimension: 'Step',
} as const;

export const MEMBERSHIP_METRICS = {
  service: 'cache-membership',
  succeeded: 'MembershipReconciled',
  failed: 'MembershipReconcileFailed',
  /** Per scheduled run: the groups changed and the members added and removed across them. */
  groupsChanged: 'GroupsChanged',
  membersAdded: 'MembersAdded',
  membersRemoved: 'MembersRemoved',
  /** A gauge, per sweep of the periodic reconcile: ephemeral users of open requests that exist. */
  ephemeralUsersAlive: 'EphemeralUsersAlive',
} as const;

export const OWNED_GROUP_METRICS = {
  service: 'cache-owned-groups',
  succeeded: 'OwnedGroupDeployed',
  failed: 'OwnedGroupDeployFailed',
} as const;

/**
 * What an access event can end as; the membership function counts each as `Access<Outcome>`. The
 * handler passes the domain's outcome here, so a new outcome does not compile until it is listed.
 */
export const ACCESS_OUTCOMES = [
  'granted',
  'pending',
  'revoked',
  'suspended',
  'reinstated',
  'duplicate',
  'refused',
  'queued',
] as const;
export type AccessOutcomeKind = (typeof ACCESS_OUTCOMES)[number];

/** `granted` → `AccessGranted`. */
export function accessOutcomeMetric(kind: AccessOutcomeKind): string {
  return `Access${kind[0]?.toUpperCase()}${kind.slice(1)}`;
}

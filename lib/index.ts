/**
 * The constructs a platform team imports into its own CDK app. `lib/app.ts` is the config-driven
 * app built from the same constructs.
 */
export { CacheGroup, CacheUser } from '#core/cache/refs';
export type {
  AccessWindow,
  Day,
  Grant,
  OneTimeWindow,
  RecurringWindow,
} from '#core/membership/grant';
export { CacheAccessStack, type CacheAccessStackProps } from './cache-access-stack';
export { parseConfig } from './config/load';
export { InvalidConfigError } from './config/validate';
export { CacheAccessDashboard, type CacheAccessDashboardProps } from './constructs/cache-access-dashboard';
export {
  type AccessRequestsProps,
  type AccessRuleProps,
  CacheMembership,
  type CacheMembershipProps,
} from './constructs/cache-membership';
export { CredentialRotation, type RotatedSecret, type RotationShard } from './constructs/credential-rotation';
export { FailureAlerts, type FailureAlertsProps } from './constructs/failure-alerts';
export type { ChatNotifyProps } from './constructs/membership/chat-topic';
export {
  OwnedCacheGroups,
  type OwnedCacheGroupsProps,
  type OwnedGroup,
  type OwnedGroupProps,
} from './constructs/owned-cache-groups';
export type {
  CacheEndpoint,
  CredentialRotationProps,
  RotatedUserProps,
} from './constructs/rotation/props';

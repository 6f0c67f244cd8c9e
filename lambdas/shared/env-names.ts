/** Environment variables the stack sets and the functions read; the one place both sides agree on names. */
export const ENV = {
  rotationTargets: 'ROTATION_TARGETS',
  passwordLength: 'PASSWORD_LENGTH',
  /** Where the membership plan is; by default the file the stack bundles beside the handler. */
  membershipPlanFile: 'MEMBERSHIP_PLAN_FILE',
  eventBusName: 'EVENT_BUS_NAME',
} as const;

/**
 * The membership plan travels inside the function's bundle, not in an environment variable:
 * Lambda caps all variables together at 4 KB, which a few grants would exceed.
 */
export const MEMBERSHIP_PLAN_FILENAME = 'membership-plan.json';

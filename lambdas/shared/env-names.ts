/** Environment variables the stack sets and the functions read; the one place both sides agree on names. */
export const ENV = {
  rotationTargets: 'ROTATION_TARGETS',
  passwordLength: 'PASSWORD_LENGTH',
  membershipGrants: 'MEMBERSHIP_GRANTS',
  eventBusName: 'EVENT_BUS_NAME',
} as const;

/** Environment variables the stack sets and the functions read; the one place both sides agree on names. */
export const ENV = {
  rotationTargets: 'ROTATION_TARGETS',
  passwordLength: 'PASSWORD_LENGTH',
  /** Where the grants file is; by default the file the stack bundles beside the handler. */
  grantsFile: 'MEMBERSHIP_GRANTS_FILE',
  eventBusName: 'EVENT_BUS_NAME',
} as const;

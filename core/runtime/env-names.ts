/** Environment variables the stack sets and the functions read; the one place both sides agree on names. */
export const ENV = {
  /** Where the rotation targets file is; by default the file the stack bundles beside the handler. */
  rotationTargetsFile: 'ROTATION_TARGETS_FILE',
  /** The stack whose created secrets the rotation function may rotate. */
  rotationStack: 'ROTATION_STACK_ID',
  passwordLength: 'PASSWORD_LENGTH',
  /** Where the membership config file is; by default the file the stack bundles beside the handler. */
  membershipConfigFile: 'MEMBERSHIP_CONFIG_FILE',
  eventBusName: 'EVENT_BUS_NAME',
  accessTable: 'ACCESS_TABLE_NAME',
  expiryScheduleGroup: 'EXPIRY_SCHEDULE_GROUP',
  schedulerRoleArn: 'SCHEDULER_ROLE_ARN',
  deadLetterArn: 'DEAD_LETTER_ARN',
  /** Where ephemeral users and their secrets are named from, and the role that may read those secrets. */
  ephemeralUserPrefix: 'EPHEMERAL_USER_PREFIX',
  ephemeralSecretPrefix: 'EPHEMERAL_SECRET_PREFIX',
  functionRoleArn: 'FUNCTION_ROLE_ARN',
  /** The queue access events wait in during a burst, to be handled in batches. */
  requestQueueUrl: 'REQUEST_QUEUE_URL',
  /** The SNS topic chat hears about requests from, when `requests.notify` is set. */
  chatTopicArn: 'CHAT_TOPIC_ARN',
} as const;

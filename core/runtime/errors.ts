/**
 * Every failure the functions raise on purpose. Messages say what was wrong, the value that was
 * received when it is not secret, and what is allowed. No message ever contains a password.
 */
export class CacheAccessError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * What the stack handed the function (an environment variable, a bundled file) is missing or unusable:
 * a deployment defect, found at run time. Config mistakes are found at synth (`InvalidConfigError`).
 */
export class DeployedConfigError extends CacheAccessError {}

/** A string that should be an ARN of a given kind is not one. */
export class InvalidArnError extends CacheAccessError {}

/** The invocation event does not have the shape the function accepts. */
export class InvalidEventError extends CacheAccessError {}

/** The secret is not one this function was deployed to rotate. */
export class SecretNotAllowedError extends CacheAccessError {}

/** A secret value is not the `{username, password, user_arn}` JSON the function expects. */
export class MalformedSecretError extends CacheAccessError {}

/** The secret names a different user than the one it is configured for. */
export class UserMismatchError extends CacheAccessError {}

/** The cache user does not exist. */
export class UserNotFoundError extends CacheAccessError {}

/** The cache user does not authenticate with passwords, so there is nothing to rotate. */
export class UnsupportedAuthenticationError extends CacheAccessError {}

/** The cache user is being modified by someone else; retried with backoff. */
export class UserBusyError extends CacheAccessError {}

/** The secret's versions and staging labels do not allow this step. */
export class RotationStateError extends CacheAccessError {}

/** Waiting for a condition would outlive the Lambda invocation. */
export class DeadlineExceededError extends CacheAccessError {}

/** The cache refused the credentials (WRONGPASS or similar). */
export class CredentialRejectedError extends CacheAccessError {}

/** The cache endpoint could not be reached or did not answer. */
export class EndpointUnreachableError extends CacheAccessError {}

/** A rotation step failed; the message names the step, secret and user, `cause` holds the specific error above. */
export class RotationStepError extends CacheAccessError {}

/** The group or ACL does not exist. */
export class GroupNotFoundError extends CacheAccessError {}

/** The group is being modified; retried with backoff after reading its state again. */
export class GroupBusyError extends CacheAccessError {}

/** The service throttled the call beyond what the SDK retries; retried with backoff. */
export class ApiThrottledError extends CacheAccessError {}

/** The service refused the change for a reason retrying cannot fix (duplicate user name, default user). */
export class MembershipRefusedError extends CacheAccessError {}

/** A user to add has the same UserName as a member (or another user added): the group may hold only one. */
export class UserNameClashError extends MembershipRefusedError {}

/** A membership run failed; the message names the group, `cause` holds the specific error. */
export class MembershipRunError extends CacheAccessError {}

/** Several groups of one run failed; the message names each with its error. */
export class GroupsFailedError extends CacheAccessError {}

/** After the change, the group's members still do not match the grants. */
export class MembershipDriftError extends CacheAccessError {}

/** EventBridge refused an event the function publishes. */
export class EventPublishError extends CacheAccessError {}

/** A group or user the stack would create exists already and was not made by this stack. */
export class NotOwnedError extends CacheAccessError {}

/** A group the stack owns still serves a cache, or cannot take the change asked for. */
export class OwnedGroupStateError extends CacheAccessError {}

/** Creating, updating or deleting an owned group failed; `cause` holds the specific error. */
export class OwnedGroupRunError extends CacheAccessError {}

import type { CacheGroupRef, CacheUserRef } from '../arn';
import {
  ApiThrottledError,
  GroupBusyError,
  GroupNotFoundError,
  MembershipRefusedError,
  UserBusyError,
  UserNotFoundError,
} from '../errors';
import { isAwsError } from './per-region';

/** Both engines name their user faults alike; this turns them into the domain's errors. */
export function userFault(error: unknown, user: CacheUserRef): unknown {
  if (isAwsError(error, 'InvalidUserStateFault')) {
    return new UserBusyError(`user ${user.arn} is being modified; it accepts changes again once active`, {
      cause: error,
    });
  }
  if (isAwsError(error, 'UserNotFoundFault')) {
    return new UserNotFoundError(`user ${user.arn} does not exist`, { cause: error });
  }
  return error;
}

const THROTTLING = ['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded'];

/** Both engines' group and ACL faults, as the domain's errors; the message says what was refused. */
export function groupFault(error: unknown, group: CacheGroupRef): unknown {
  // A member user that is itself being modified (a rotation) can hold up a group change too.
  if (isAwsError(error, 'InvalidUserGroupStateFault', 'InvalidACLStateFault', 'InvalidUserStateFault')) {
    return new GroupBusyError(`group ${group.arn} is being modified; it accepts changes again once active`, {
      cause: error,
    });
  }
  if (isAwsError(error, ...THROTTLING)) {
    return new ApiThrottledError(`${group.engine} throttled the request for group ${group.arn}`, {
      cause: error,
    });
  }
  if (isAwsError(error, 'UserGroupNotFoundFault', 'ACLNotFoundFault')) {
    return new GroupNotFoundError(`group ${group.arn} does not exist`, { cause: error });
  }
  if (isAwsError(error, 'UserNotFoundFault')) {
    return new UserNotFoundError(`a user to add to group ${group.arn} does not exist`, { cause: error });
  }
  if (
    isAwsError(
      error,
      'DuplicateUserNameFault',
      'DefaultUserRequired',
      'DefaultUserAssociatedToUserGroupFault',
    )
  ) {
    const reason = error instanceof Error ? error.message : String(error);
    return new MembershipRefusedError(`${group.engine} refused the change to group ${group.arn}: ${reason}`, {
      cause: error,
    });
  }
  return error;
}

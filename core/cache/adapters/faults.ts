import type { CacheGroupRef, CacheUserRef } from '#core/cache/refs';
import { isAwsError } from '#core/runtime/aws-errors';
import {
  ApiThrottledError,
  GroupBusyError,
  GroupNotFoundError,
  MembershipRefusedError,
  UserBusyError,
  UserNameClashError,
  UserNotFoundError,
} from '#core/runtime/errors';

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

/** The service refused the call for its rate, under any of the names the two engines use. */
export const isThrottling = (error: unknown): boolean => isAwsError(error, ...THROTTLING);

/** Both engines' group and ACL faults, as the domain's errors; the message says what was refused. */
export function groupFault(error: unknown, group: CacheGroupRef): unknown {
  // A member user that is itself being modified (a rotation) can hold up a group change too.
  if (isAwsError(error, 'InvalidUserGroupStateFault', 'InvalidACLStateFault', 'InvalidUserStateFault')) {
    return new GroupBusyError(`group ${group.arn} is being modified; it accepts changes again once active`, {
      cause: error,
    });
  }
  if (isThrottling(error)) {
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
  const reason = error instanceof Error ? error.message : String(error);
  if (isAwsError(error, 'DuplicateUserNameFault')) {
    return new UserNameClashError(`${group.engine} refused the change to group ${group.arn}: ${reason}`, {
      cause: error,
    });
  }
  if (isAwsError(error, 'DefaultUserRequired', 'DefaultUserAssociatedToUserGroupFault')) {
    return new MembershipRefusedError(`${group.engine} refused the change to group ${group.arn}: ${reason}`, {
      cause: error,
    });
  }
  return error;
}

/** A list of every group in a region: only throttling has a meaning of its own there. */
export function listFault(error: unknown, region: string): unknown {
  if (isThrottling(error)) {
    return new ApiThrottledError(`the service throttled the list of groups in ${region}`, { cause: error });
  }
  return error;
}

/** Runs a read; a user or group the service says does not exist comes back as `undefined`. */
export async function readOrAbsent<T>(
  read: () => Promise<T | undefined>,
  fault: (error: unknown) => unknown,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    const translated = fault(error);
    if (translated instanceof UserNotFoundError || translated instanceof GroupNotFoundError) return undefined;
    throw translated;
  }
}

/** Runs a change; the service's faults come back as the domain's errors. */
export async function withFaults<T>(
  change: () => Promise<T>,
  fault: (error: unknown) => unknown,
): Promise<T> {
  try {
    return await change();
  } catch (error) {
    throw fault(error);
  }
}

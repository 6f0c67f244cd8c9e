import type { CacheUserRef } from '../arn';
import { UserBusyError, UserNotFoundError } from '../errors';
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

import { ACCOUNT } from './account';
import type { ServiceModule } from './dispatch';
import { authTypeFrom, USER_FAULTS, type UserChange, type UserState, type UserStore } from './users';
import { type Input, requiredString, ServiceError } from './wire';

// ElastiCache spells the password-less input type differently from the type it reports.
const INPUT_AUTH_TYPES = { password: 'password', 'no-password-required': 'no-password', iam: 'iam' } as const;

/** ElastiCache RBAC users: DescribeUsers and ModifyUser over awsQuery. */
export function elastiCacheUsers(users: UserStore): ServiceModule {
  return {
    service: 'elasticache',
    faults: USER_FAULTS,
    safeParams: ['UserId', 'AccessString'],
    operations: {
      DescribeUsers: (input, { region }) => ({
        Users: users.describe('elasticache', input.string('UserId')).map((user) => toUser(user, region)),
      }),
      ModifyUser: (input, { region }) =>
        toUser(users.modify('elasticache', requiredString(input, 'UserId'), changeFrom(input)), region),
    },
  };
}

function changeFrom(input: Input): UserChange {
  const mode = input.struct('AuthenticationMode');
  const passwords = input.strings('Passwords');
  const modePasswords = mode?.strings('Passwords');
  if (
    passwords !== undefined &&
    modePasswords !== undefined &&
    passwords.join('\n') !== modePasswords.join('\n')
  ) {
    throw new ServiceError(
      'InvalidParameterCombinationException',
      'Passwords and AuthenticationMode.Passwords must not disagree.',
    );
  }
  return {
    authType: authTypeFrom(mode?.string('Type'), INPUT_AUTH_TYPES),
    passwords: modePasswords ?? passwords,
    accessString: input.string('AccessString'),
  };
}

function toUser(user: UserState, region: string) {
  return {
    UserId: user.id,
    UserName: user.userName,
    Status: user.status,
    Engine: 'redis',
    MinimumEngineVersion: '6.0',
    AccessString: user.accessString,
    // Group membership belongs to a user-group module, which the harness does not have yet.
    UserGroupIds: [],
    Authentication: { Type: user.authType, PasswordCount: user.passwordCount },
    ARN: `arn:aws:elasticache:${region}:${ACCOUNT}:user:${user.id}`,
  };
}

import { ACCOUNT } from './account';
import type { ServiceModule } from './dispatch';
import { authTypeFrom, USER_FAULTS, type UserChange, type UserState, type UserStore } from './users';
import { type Input, requiredString } from './wire';

const INPUT_AUTH_TYPES = { password: 'password', iam: 'iam' } as const;

/** MemoryDB ACL users: DescribeUsers and UpdateUser over awsJson1_1. */
export function memoryDbUsers(users: UserStore): ServiceModule {
  return {
    service: 'memorydb',
    faults: USER_FAULTS,
    safeParams: ['UserName', 'AccessString'],
    operations: {
      DescribeUsers: (input, { region }) => ({
        Users: users.describe('memorydb', input.string('UserName')).map((user) => toUser(user, region)),
      }),
      UpdateUser: (input, { region }) => ({
        User: toUser(users.modify('memorydb', requiredString(input, 'UserName'), changeFrom(input)), region),
      }),
    },
  };
}

function changeFrom(input: Input): UserChange {
  const mode = input.struct('AuthenticationMode');
  return {
    authType: authTypeFrom(mode?.string('Type'), INPUT_AUTH_TYPES),
    passwords: mode?.strings('Passwords'),
    accessString: input.string('AccessString'),
  };
}

function toUser(user: UserState, region: string) {
  return {
    Name: user.id,
    Status: user.status,
    AccessString: user.accessString,
    // ACL membership belongs to an ACL module, which the harness does not have yet.
    ACLNames: [],
    MinimumEngineVersion: '6.2',
    Authentication: { Type: user.authType, PasswordCount: user.passwordCount },
    ARN: `arn:aws:memorydb:${region}:${ACCOUNT}:user/${user.id}`,
  };
}

import { ACCOUNT } from '../account';
import type { ServiceModule } from '../dispatch';
import type { GroupStore } from '../groups/store';
import { GROUP_FAULTS, type MembershipIndex } from '../groups/types';
import { MEMORYDB_PAGING, page } from '../pages';
import { jsonTags } from '../tags/memorydb-wire';
import { ServiceError } from '../wire/errors';
import { type Input, requiredString } from '../wire/input';
import { authTypeFrom, resourceName } from './rules';
import type { UserStore } from './store';
import { USER_FAULTS, type UserChange, type UserState } from './types';

const INPUT_AUTH_TYPES = { password: 'password', iam: 'iam' } as const;

/** MemoryDB ACL users: CreateUser, DescribeUsers, UpdateUser and DeleteUser over awsJson1_1. */
export function memoryDbUsers(users: UserStore, groups: GroupStore): ServiceModule {
  return {
    service: 'memorydb',
    faults: [...USER_FAULTS, ...GROUP_FAULTS],
    safeParams: ['UserName', 'AccessString', 'NextToken'],
    operations: {
      CreateUser: async (input, { region }) => ({
        User: toUser(await users.createByApi(userRequestFrom(input)), groups, region),
      }),
      DescribeUsers: (input, { region }) => {
        const { items, next } = page(
          users.describe('memorydb', input.string('UserName')),
          input,
          MEMORYDB_PAGING,
        );
        return { Users: items.map((user) => toUser(user, groups, region)), NextToken: next };
      },
      UpdateUser: (input, { region }) => ({
        User: toUser(
          users.modify('memorydb', requiredString(input, 'UserName'), changeFrom(input)),
          groups,
          region,
        ),
      }),
      DeleteUser: (input, { region }) => ({
        User: toUser(groups.deleteUser('memorydb', requiredString(input, 'UserName')), groups, region),
      }),
    },
  };
}

function userRequestFrom(input: Input) {
  const mode = input.struct('AuthenticationMode');
  if (mode === undefined) {
    throw new ServiceError('MissingParameter', 'The request must contain the parameter AuthenticationMode.');
  }
  const authType = authTypeFrom(requiredString(mode, 'Type'), INPUT_AUTH_TYPES) ?? 'password';
  return {
    engine: 'memorydb' as const,
    id: resourceName('UserName', requiredString(input, 'UserName')),
    serverEngine: 'redis' as const,
    authType,
    passwords: mode.strings('Passwords') ?? [],
    accessString: requiredString(input, 'AccessString'),
    tags: jsonTags(input),
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

function toUser(user: UserState, memberships: MembershipIndex, region: string) {
  return {
    Name: user.id,
    Status: user.status,
    AccessString: user.accessString,
    ACLNames: memberships.groupsOf('memorydb', user.id),
    MinimumEngineVersion: '6.2',
    Authentication: { Type: user.authType, PasswordCount: user.passwordCount },
    ARN: `arn:aws:memorydb:${region}:${ACCOUNT}:user/${user.id}`,
  };
}

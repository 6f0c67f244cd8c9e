import { ACCOUNT } from '../account';
import type { ServiceModule } from '../dispatch';
import type { GroupStore } from '../groups/store';
import { GROUP_FAULTS, type MembershipIndex } from '../groups/types';
import { ELASTICACHE_PAGING, page } from '../pages';
import { queryTags } from '../tags/elasticache-wire';
import { ServiceError } from '../wire/errors';
import { type Input, requiredString } from '../wire/input';
import { authTypeFrom, resourceName, serverEngineFrom } from './rules';
import type { UserStore } from './store';
import { type AuthType, USER_FAULTS, type UserChange, type UserRequest, type UserState } from './types';

// ElastiCache spells the password-less input type differently from the type it reports.
const INPUT_AUTH_TYPES = { password: 'password', 'no-password-required': 'no-password', iam: 'iam' } as const;

/** ElastiCache RBAC users: CreateUser, DescribeUsers, ModifyUser and DeleteUser over awsQuery. */
export function elastiCacheUsers(users: UserStore, groups: GroupStore): ServiceModule {
  return {
    service: 'elasticache',
    faults: [...USER_FAULTS, ...GROUP_FAULTS],
    safeParams: [
      'UserId',
      'UserName',
      'Engine',
      'AccessString',
      'NoPasswordRequired',
      'MaxRecords',
      'Marker',
    ],
    operations: {
      CreateUser: async (input, { region }) =>
        toUser(await users.createByApi(userRequestFrom(input)), groups, region),
      DescribeUsers: (input, { region }) => {
        const engine = input.string('Engine');
        const serverEngine = engine === undefined ? undefined : serverEngineFrom(engine);
        const { items, next } = page(
          users
            .describe('elasticache', input.string('UserId'))
            .filter((user) => serverEngine === undefined || user.serverEngine === serverEngine),
          input,
          ELASTICACHE_PAGING,
        );
        return { Users: items.map((user) => toUser(user, groups, region)), Marker: next };
      },
      ModifyUser: (input, { region }) =>
        toUser(
          users.modify('elasticache', requiredString(input, 'UserId'), changeFrom(input)),
          groups,
          region,
        ),
      DeleteUser: (input, { region }) =>
        toUser(groups.deleteUser('elasticache', requiredString(input, 'UserId')), groups, region),
    },
  };
}

function userRequestFrom(input: Input): UserRequest {
  const id = resourceName('UserId', requiredString(input, 'UserId'));
  const userName = requiredString(input, 'UserName');
  const serverEngine = serverEngineFrom(requiredString(input, 'Engine'));
  const accessString = requiredString(input, 'AccessString');
  const { authType: modeType, passwords = [] } = changeFrom(input);
  const authType = createAuthType(modeType, passwords, input.boolean('NoPasswordRequired') === true);
  // IAM authentication sends the user id as the user name, so ElastiCache insists they agree.
  if (authType === 'iam' && userName.toLowerCase() !== id) {
    throw new ServiceError(
      'InvalidParameterValueException',
      `A user with authentication type iam must have the same UserId and UserName; got ${id} and ${userName}.`,
    );
  }
  return {
    engine: 'elasticache',
    id,
    userName,
    serverEngine,
    authType,
    passwords,
    accessString,
    tags: queryTags(input, 'Tags'),
  };
}

function createAuthType(modeType: AuthType | undefined, passwords: readonly string[], noPassword: boolean) {
  if (noPassword) {
    if (passwords.length > 0 || (modeType !== undefined && modeType !== 'no-password')) {
      throw new ServiceError(
        'InvalidParameterCombinationException',
        'NoPasswordRequired cannot be combined with passwords or another authentication type.',
      );
    }
    return 'no-password';
  }
  if (modeType === undefined && passwords.length === 0) {
    throw new ServiceError(
      'InvalidParameterValueException',
      'No password was given; give Passwords or AuthenticationMode, or set NoPasswordRequired for a user without one.',
    );
  }
  return modeType ?? 'password';
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

function toUser(user: UserState, memberships: MembershipIndex, region: string) {
  return {
    UserId: user.id,
    UserName: user.userName,
    Status: user.status,
    Engine: user.serverEngine,
    MinimumEngineVersion: minimumEngineVersion(user.serverEngine),
    AccessString: user.accessString,
    UserGroupIds: memberships.groupsOf('elasticache', user.id),
    Authentication: { Type: user.authType, PasswordCount: user.passwordCount },
    ARN: `arn:aws:elasticache:${region}:${ACCOUNT}:user:${user.id}`,
  };
}

// RBAC came with Redis OSS 6.0; Valkey on ElastiCache starts at 7.2.
export function minimumEngineVersion(serverEngine: string): string {
  return serverEngine === 'valkey' ? '7.2' : '6.0';
}

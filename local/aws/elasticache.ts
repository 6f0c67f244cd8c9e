import { ACCOUNT } from './account';
import type { ServiceModule } from './dispatch';
import {
  GROUP_FAULTS,
  type GroupState,
  type GroupStore,
  groupChangeFrom,
  type MembershipIndex,
} from './groups';
import { ELASTICACHE_PAGING, page } from './pages';
import { authTypeFrom, USER_FAULTS, type UserChange, type UserState, type UserStore } from './users';
import { type Input, requiredString, ServiceError } from './wire';

// ElastiCache spells the password-less input type differently from the type it reports.
const INPUT_AUTH_TYPES = { password: 'password', 'no-password-required': 'no-password', iam: 'iam' } as const;

/** ElastiCache RBAC users: DescribeUsers and ModifyUser over awsQuery. */
export function elastiCacheUsers(users: UserStore, memberships: MembershipIndex): ServiceModule {
  return {
    service: 'elasticache',
    faults: USER_FAULTS,
    safeParams: ['UserId', 'AccessString'],
    operations: {
      DescribeUsers: (input, { region }) => ({
        Users: users
          .describe('elasticache', input.string('UserId'))
          .map((user) => toUser(user, memberships, region)),
      }),
      ModifyUser: (input, { region }) =>
        toUser(
          users.modify('elasticache', requiredString(input, 'UserId'), changeFrom(input)),
          memberships,
          region,
        ),
    },
  };
}

/** ElastiCache user groups: DescribeUserGroups and ModifyUserGroup over awsQuery. */
export function elastiCacheUserGroups(groups: GroupStore): ServiceModule {
  return {
    service: 'elasticache',
    faults: [...USER_FAULTS, ...GROUP_FAULTS],
    safeParams: ['UserGroupId', 'UserIdsToAdd', 'UserIdsToRemove', 'Marker'],
    operations: {
      DescribeUserGroups: (input, { region }) => {
        const { items, next } = page(
          groups.describe('elasticache', input.string('UserGroupId')),
          input,
          ELASTICACHE_PAGING,
        );
        return { UserGroups: items.map((group) => toUserGroup(group, region)), Marker: next };
      },
      ModifyUserGroup: (input, { region }) =>
        toUserGroup(
          groups.modify(
            'elasticache',
            requiredString(input, 'UserGroupId'),
            groupChangeFrom(input, 'UserIdsToAdd', 'UserIdsToRemove'),
          ),
          region,
        ),
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

function toUser(user: UserState, memberships: MembershipIndex, region: string) {
  return {
    UserId: user.id,
    UserName: user.userName,
    Status: user.status,
    Engine: 'redis',
    MinimumEngineVersion: '6.0',
    AccessString: user.accessString,
    UserGroupIds: memberships.groupsOf('elasticache', user.id),
    Authentication: { Type: user.authType, PasswordCount: user.passwordCount },
    ARN: `arn:aws:elasticache:${region}:${ACCOUNT}:user:${user.id}`,
  };
}

function toUserGroup(group: GroupState, region: string) {
  return {
    UserGroupId: group.id,
    Status: group.status,
    Engine: 'redis',
    UserIds: group.members,
    MinimumEngineVersion: '6.0',
    PendingChanges: group.pendingChanges && {
      UserIdsToRemove: group.pendingChanges.remove,
      UserIdsToAdd: group.pendingChanges.add,
    },
    ReplicationGroups: [],
    ServerlessCaches: [],
    ARN: `arn:aws:elasticache:${region}:${ACCOUNT}:usergroup:${group.id}`,
  };
}

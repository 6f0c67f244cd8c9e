import { ACCOUNT } from './account';
import type { ServiceModule } from './dispatch';
import {
  GROUP_FAULTS,
  type GroupState,
  type GroupStore,
  groupChangeFrom,
  type MembershipIndex,
  OPEN_ACCESS_ACL,
} from './groups';
import { MEMORYDB_PAGING, page } from './pages';
import {
  authTypeFrom,
  DEFAULT_USER_NAME,
  USER_FAULTS,
  type UserChange,
  type UserState,
  type UserStore,
} from './users';
import { type Input, requiredString } from './wire';

const INPUT_AUTH_TYPES = { password: 'password', iam: 'iam' } as const;

/** MemoryDB ACL users: DescribeUsers and UpdateUser over awsJson1_1. */
export function memoryDbUsers(users: UserStore, memberships: MembershipIndex): ServiceModule {
  return {
    service: 'memorydb',
    faults: USER_FAULTS,
    safeParams: ['UserName', 'AccessString'],
    operations: {
      DescribeUsers: (input, { region }) => ({
        Users: users
          .describe('memorydb', input.string('UserName'))
          .map((user) => toUser(user, memberships, region)),
      }),
      UpdateUser: (input, { region }) => ({
        User: toUser(
          users.modify('memorydb', requiredString(input, 'UserName'), changeFrom(input)),
          memberships,
          region,
        ),
      }),
    },
  };
}

/** MemoryDB access control lists: DescribeACLs and UpdateACL over awsJson1_1. */
export function memoryDbAcls(groups: GroupStore): ServiceModule {
  return {
    service: 'memorydb',
    faults: [...USER_FAULTS, ...GROUP_FAULTS],
    safeParams: ['ACLName', 'UserNamesToAdd', 'UserNamesToRemove', 'NextToken'],
    operations: {
      DescribeACLs: (input, { region }) => {
        const { items, next } = page(
          groups.describe('memorydb', input.string('ACLName')),
          input,
          MEMORYDB_PAGING,
        );
        return { ACLs: items.map((acl) => toAcl(acl, region)), NextToken: next };
      },
      UpdateACL: (input, { region }) => ({
        ACL: toAcl(
          groups.modify(
            'memorydb',
            requiredString(input, 'ACLName'),
            groupChangeFrom(input, 'UserNamesToAdd', 'UserNamesToRemove'),
          ),
          region,
        ),
      }),
    },
  };
}

/** MemoryDB's built-in `default` user and the `open-access` ACL that holds it, as every account has them. */
export async function createMemoryDbBuiltIns(users: UserStore, groups: GroupStore): Promise<void> {
  await users.create({
    engine: 'memorydb',
    id: DEFAULT_USER_NAME,
    authType: 'no-password',
    passwords: [],
    accessString: 'on ~* &* +@all',
  });
  await groups.create({ engine: 'memorydb', id: OPEN_ACCESS_ACL, members: [DEFAULT_USER_NAME] });
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

function toAcl(acl: GroupState, region: string) {
  return {
    Name: acl.id,
    Status: acl.status,
    UserNames: acl.members,
    MinimumEngineVersion: '6.2',
    PendingChanges: acl.pendingChanges && {
      UserNamesToRemove: acl.pendingChanges.remove,
      UserNamesToAdd: acl.pendingChanges.add,
    },
    Clusters: [],
    ARN: `arn:aws:memorydb:${region}:${ACCOUNT}:acl/${acl.id}`,
  };
}

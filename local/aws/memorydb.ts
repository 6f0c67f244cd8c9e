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
  resourceName,
  type Tags,
  tagList,
  tagsFrom,
  USER_FAULTS,
  type UserChange,
  type UserState,
  type UserStore,
} from './users';
import { type Input, requiredString, ServiceError } from './wire';

const INPUT_AUTH_TYPES = { password: 'password', iam: 'iam' } as const;
const ARN = /^arn:aws[a-z-]*:memorydb:[^:]*:\d{12}:(?<kind>[a-z]+)\/(?<name>.+)$/;

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

/** MemoryDB access control lists: CreateACL, DescribeACLs, UpdateACL and DeleteACL over awsJson1_1. */
export function memoryDbAcls(groups: GroupStore): ServiceModule {
  return {
    service: 'memorydb',
    faults: [...USER_FAULTS, ...GROUP_FAULTS],
    safeParams: ['ACLName', 'UserNames', 'UserNamesToAdd', 'UserNamesToRemove', 'NextToken'],
    operations: {
      CreateACL: (input, { region }) => ({
        ACL: toAcl(
          groups.createByApi({
            engine: 'memorydb',
            id: resourceName('ACLName', requiredString(input, 'ACLName')),
            serverEngine: 'redis',
            members: input.strings('UserNames') ?? [],
            tags: jsonTags(input),
          }),
          region,
        ),
      }),
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
      DeleteACL: (input, { region }) => ({
        ACL: toAcl(groups.deleteByApi('memorydb', requiredString(input, 'ACLName')), region),
      }),
    },
  };
}

/** Tags of MemoryDB users and ACLs: ListTags, TagResource and UntagResource over awsJson1_1. */
export function memoryDbTags(users: UserStore, groups: GroupStore): ServiceModule {
  // The tags of the user or ACL the ARN names; any other ARN is not one the model keeps.
  const resource = (input: Input) => {
    const arn = requiredString(input, 'ResourceArn');
    const { kind, name = '' } = ARN.exec(arn)?.groups ?? {};
    const store = kind === 'user' ? users : kind === 'acl' ? groups : undefined;
    if (store === undefined) {
      throw new ServiceError(
        'InvalidARNFault',
        `${arn} is not the ARN of a MemoryDB user or ACL, the only resources local AWS tags.`,
      );
    }
    return store.tagged('memorydb', name);
  };
  return {
    service: 'memorydb',
    faults: [...USER_FAULTS, ...GROUP_FAULTS],
    safeParams: ['ResourceArn', 'TagKeys'],
    operations: {
      ListTags: (input) => ({ TagList: tagList(resource(input).list()) }),
      TagResource: (input) => ({ TagList: tagList(resource(input).tag(jsonTags(input))) }),
      UntagResource: (input) => ({ TagList: tagList(resource(input).untag(input.strings('TagKeys') ?? [])) }),
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

function jsonTags(input: Input): Tags {
  return tagsFrom(
    (input.structs('Tags') ?? []).map((tag) => ({ key: tag.string('Key'), value: tag.string('Value') })),
  );
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
    Clusters: acl.caches,
    ARN: `arn:aws:memorydb:${region}:${ACCOUNT}:acl/${acl.id}`,
  };
}

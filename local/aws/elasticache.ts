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
import {
  type AuthType,
  authTypeFrom,
  resourceName,
  serverEngineFrom,
  type Tags,
  tagList,
  tagsFrom,
  USER_FAULTS,
  type UserChange,
  type UserRequest,
  type UserState,
  type UserStore,
} from './users';
import { type Input, requiredString, ServiceError } from './wire';

// ElastiCache spells the password-less input type differently from the type it reports.
const INPUT_AUTH_TYPES = { password: 'password', 'no-password-required': 'no-password', iam: 'iam' } as const;
const ARN = /^arn:aws[a-z-]*:elasticache:[^:]*:\d{12}:(?<kind>[a-z]+):(?<id>.+)$/;

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

/** ElastiCache user groups: CreateUserGroup, DescribeUserGroups, ModifyUserGroup, DeleteUserGroup over awsQuery. */
export function elastiCacheUserGroups(groups: GroupStore): ServiceModule {
  return {
    service: 'elasticache',
    faults: [...USER_FAULTS, ...GROUP_FAULTS],
    safeParams: [
      'UserGroupId',
      'Engine',
      'UserIds',
      'UserIdsToAdd',
      'UserIdsToRemove',
      'MaxRecords',
      'Marker',
    ],
    operations: {
      CreateUserGroup: (input, { region }) =>
        toUserGroup(
          groups.createByApi({
            engine: 'elasticache',
            id: resourceName('UserGroupId', requiredString(input, 'UserGroupId')),
            serverEngine: serverEngineFrom(requiredString(input, 'Engine')),
            members: input.strings('UserIds') ?? [],
            tags: queryTags(input, 'Tags'),
          }),
          region,
        ),
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
      DeleteUserGroup: (input, { region }) =>
        toUserGroup(groups.deleteByApi('elasticache', requiredString(input, 'UserGroupId')), region),
    },
  };
}

/** Tags of ElastiCache users and user groups: ListTagsForResource, AddTagsToResource, RemoveTagsFromResource. */
export function elastiCacheTags(users: UserStore, groups: GroupStore): ServiceModule {
  // The tags of the user or user group the ARN names; any other ARN is not one the model keeps.
  const resource = (input: Input) => {
    const arn = requiredString(input, 'ResourceName');
    const { kind, id = '' } = ARN.exec(arn)?.groups ?? {};
    const store = kind === 'user' ? users : kind === 'usergroup' ? groups : undefined;
    if (store === undefined) {
      throw new ServiceError(
        'InvalidARNFault',
        `${arn} is not the ARN of an ElastiCache user or user group, the only resources local AWS tags.`,
      );
    }
    return store.tagged('elasticache', id);
  };
  return {
    service: 'elasticache',
    faults: [...USER_FAULTS, ...GROUP_FAULTS],
    safeParams: ['ResourceName', 'TagKeys'],
    operations: {
      ListTagsForResource: (input) => ({ TagList: tagListXml(resource(input).list()) }),
      AddTagsToResource: (input) => ({
        TagList: tagListXml(resource(input).tag(queryTags(input, 'Tags'))),
      }),
      RemoveTagsFromResource: (input) => ({
        TagList: tagListXml(resource(input).untag(input.strings('TagKeys') ?? [])),
      }),
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

// ElastiCache's TagList names its members `Tag`: the SDK sends `Tags.Tag.1.Key=...`.
function queryTags(input: Input, name: string): Tags {
  const items: { key?: string; value?: string }[] = [];
  for (let index = 1; ; index++) {
    const tag = input.struct(`${name}.Tag.${index}`);
    if (tag === undefined) {
      return tagsFrom(items);
    }
    items.push({ key: tag.string('Key'), value: tag.string('Value') });
  }
}

/**
 * A TagList as ElastiCache writes it, `<Tag>` elements, where the wire's XML writer names list members
 * `<member>`: XML allows white space before a tag's `>`, so the keys `Tag`, `Tag `, `Tag  `… all write `<Tag>`.
 */
function tagListXml(tags: Tags): Record<string, { Key: string; Value: string }> {
  return Object.fromEntries(tagList(tags).map((tag, index) => [`Tag${' '.repeat(index)}`, tag]));
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

function toUserGroup(group: GroupState, region: string) {
  return {
    UserGroupId: group.id,
    Status: group.status,
    Engine: group.serverEngine,
    UserIds: group.members,
    MinimumEngineVersion: minimumEngineVersion(group.serverEngine),
    PendingChanges: group.pendingChanges && {
      UserIdsToRemove: group.pendingChanges.remove,
      UserIdsToAdd: group.pendingChanges.add,
    },
    ReplicationGroups: group.caches,
    ServerlessCaches: group.serverlessCaches,
    ARN: `arn:aws:elasticache:${region}:${ACCOUNT}:usergroup:${group.id}`,
  };
}

// RBAC came with Redis OSS 6.0; Valkey on ElastiCache starts at 7.2.
function minimumEngineVersion(serverEngine: string): string {
  return serverEngine === 'valkey' ? '7.2' : '6.0';
}

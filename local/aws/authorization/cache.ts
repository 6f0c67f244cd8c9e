import { ACCOUNT } from '../account';
import type { GroupStore } from '../groups/store';
import { queryTags } from '../tags/elasticache-wire';
import { jsonTags } from '../tags/memorydb-wire';
import type { Tags } from '../tags/store';
import type { UserStore } from '../users/store';
import type { Engine } from '../users/types';
import type { Input } from '../wire/input';
import {
  type Authorization,
  type RequestScope,
  requestTagContext,
  resourceTagContext,
  type ServiceAuthorizations,
} from './types';

/** How one engine's API names its users and groups, and the IAM actions of its operations. */
interface EngineApi {
  readonly engine: Engine;
  readonly service: string;
  readonly userArn: (region: string, id: string) => string;
  readonly groupArn: (region: string, id: string) => string;
  readonly userId: string;
  readonly groupId: string;
  readonly members: { readonly create: string; readonly add: string; readonly remove: string };
  readonly tags: (input: Input) => Tags;
  /** The extra action a create with tags is authorized for. */
  readonly tagOnCreate: string;
  /** Operation name → IAM action, where they differ only in spelling (MemoryDB's `ACL` is `Acl`). */
  readonly action: (operation: string) => string;
  /** Whether IAM authorizes CreateUser on `*`: the service reference gives MemoryDB's no resource type. */
  readonly createUserOnAnyResource: boolean;
  readonly tagResource: {
    readonly list: string;
    readonly tag: string;
    readonly untag: string;
    readonly arnParam: string;
  };
  /** The API names of the operations whose names differ between the engines. */
  readonly operations: {
    readonly setPasswords: string;
    readonly createGroup: string;
    readonly modifyGroup: string;
    readonly deleteGroup: string;
    readonly describeGroups: string;
  };
}

const ELASTICACHE: EngineApi = {
  engine: 'elasticache',
  service: 'elasticache',
  userArn: (region, id) => `arn:aws:elasticache:${region}:${ACCOUNT}:user:${id.toLowerCase()}`,
  groupArn: (region, id) => `arn:aws:elasticache:${region}:${ACCOUNT}:usergroup:${id.toLowerCase()}`,
  userId: 'UserId',
  groupId: 'UserGroupId',
  members: { create: 'UserIds', add: 'UserIdsToAdd', remove: 'UserIdsToRemove' },
  tags: (input) => queryTags(input, 'Tags'),
  createUserOnAnyResource: false,
  tagOnCreate: 'elasticache:AddTagsToResource',
  action: (operation) => `elasticache:${operation}`,
  tagResource: {
    list: 'ListTagsForResource',
    tag: 'AddTagsToResource',
    untag: 'RemoveTagsFromResource',
    arnParam: 'ResourceName',
  },
  operations: {
    setPasswords: 'ModifyUser',
    createGroup: 'CreateUserGroup',
    modifyGroup: 'ModifyUserGroup',
    deleteGroup: 'DeleteUserGroup',
    describeGroups: 'DescribeUserGroups',
  },
};

const MEMORYDB: EngineApi = {
  engine: 'memorydb',
  service: 'memorydb',
  userArn: (region, id) => `arn:aws:memorydb:${region}:${ACCOUNT}:user/${id.toLowerCase()}`,
  groupArn: (region, id) => `arn:aws:memorydb:${region}:${ACCOUNT}:acl/${id.toLowerCase()}`,
  userId: 'UserName',
  groupId: 'ACLName',
  members: { create: 'UserNames', add: 'UserNamesToAdd', remove: 'UserNamesToRemove' },
  tags: jsonTags,
  createUserOnAnyResource: true,
  tagOnCreate: 'memorydb:TagResource',
  action: (operation) => `memorydb:${operation.replace('ACL', 'Acl')}`,
  tagResource: { list: 'ListTags', tag: 'TagResource', untag: 'UntagResource', arnParam: 'ResourceArn' },
  operations: {
    setPasswords: 'UpdateUser',
    createGroup: 'CreateACL',
    modifyGroup: 'UpdateACL',
    deleteGroup: 'DeleteACL',
    describeGroups: 'DescribeACLs',
  },
};

/**
 * Users and groups are authorized on their ARNs, an existing one with its tags; a change of members
 * also on every user it names; a create with tags also for the engine's tagging action; a list call
 * (no id) on every user or group of the region.
 */
function engineAuthorizations(api: EngineApi, users: UserStore, groups: GroupStore): ServiceAuthorizations {
  const user = (region: string, id: string | undefined) =>
    id === undefined
      ? { resource: api.userArn(region, '*'), context: {} }
      : { resource: api.userArn(region, id), context: resourceTagContext(users.tagsOf(api.engine, id)) };
  const group = (region: string, id: string | undefined) =>
    id === undefined
      ? { resource: api.groupArn(region, '*'), context: {} }
      : { resource: api.groupArn(region, id), context: resourceTagContext(groups.tagsOf(api.engine, id)) };
  const named = (input: Input, param: string) => input.string(param);
  const onUser =
    (operation: string) =>
    (input: Input, { region }: RequestScope) => [
      { action: api.action(operation), ...user(region, named(input, api.userId)) },
    ];
  const onGroup =
    (operation: string, membersParams: readonly string[]) =>
    (input: Input, { region }: RequestScope): Authorization[] => {
      const action = api.action(operation);
      const memberIds = membersParams.flatMap((param) => input.strings(param) ?? []);
      return [
        { action, ...group(region, named(input, api.groupId)) },
        ...memberIds.map((id) => ({ action, ...user(region, id) })),
      ];
    };
  const created =
    (operation: string, resource: (input: Input, region: string) => string, membersParam?: string) =>
    (input: Input, { region }: RequestScope): Authorization[] => {
      const tags = api.tags(input);
      const context = requestTagContext(tags);
      const arn = resource(input, region);
      const members = membersParam ? (input.strings(membersParam) ?? []) : [];
      const onAny = operation === 'CreateUser' && api.createUserOnAnyResource;
      return [
        { action: api.action(operation), resource: onAny ? '*' : arn, context },
        ...members.map((id) => ({ action: api.action(operation), ...user(region, id) })),
        ...(Object.keys(tags).length > 0 ? [{ action: api.tagOnCreate, resource: arn, context }] : []),
      ];
    };
  const onArn =
    (operation: string, withRequestTags: boolean) =>
    (input: Input): Authorization[] => {
      const arn = input.string(api.tagResource.arnParam) ?? '';
      const existing = taggedAt(arn, api, users, groups);
      const context = withRequestTags ? { ...existing, ...requestTagContext(api.tags(input)) } : existing;
      return [{ action: api.action(operation), resource: arn, context }];
    };
  const { setPasswords, createGroup, modifyGroup, deleteGroup, describeGroups } = api.operations;
  const { list, tag, untag } = api.tagResource;
  return {
    CreateUser: created('CreateUser', (input, region) => api.userArn(region, named(input, api.userId) ?? '')),
    [createGroup]: created(
      createGroup,
      (input, region) => api.groupArn(region, named(input, api.groupId) ?? ''),
      api.members.create,
    ),
    [setPasswords]: onUser(setPasswords),
    DeleteUser: onUser('DeleteUser'),
    DescribeUsers: onUser('DescribeUsers'),
    [modifyGroup]: onGroup(modifyGroup, [api.members.add, api.members.remove]),
    [deleteGroup]: onGroup(deleteGroup, []),
    [describeGroups]: onGroup(describeGroups, []),
    [list]: onArn(list, false),
    [tag]: onArn(tag, true),
    [untag]: onArn(untag, false),
  };
}

/** The current tags of the user or group an ARN names, as resource tag keys. */
function taggedAt(arn: string, api: EngineApi, users: UserStore, groups: GroupStore) {
  const match = /:(user|usergroup|acl)[:/](.+)$/.exec(arn);
  if (!match?.[2]) return {};
  const tags = match[1] === 'user' ? users.tagsOf(api.engine, match[2]) : groups.tagsOf(api.engine, match[2]);
  return resourceTagContext(tags);
}

export const elastiCacheAuthorizations = (users: UserStore, groups: GroupStore) =>
  engineAuthorizations(ELASTICACHE, users, groups);
export const memoryDbAuthorizations = (users: UserStore, groups: GroupStore) =>
  engineAuthorizations(MEMORYDB, users, groups);

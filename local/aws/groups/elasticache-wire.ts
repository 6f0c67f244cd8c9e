import { ACCOUNT } from '../account';
import type { ServiceModule } from '../dispatch';
import { ELASTICACHE_PAGING, page } from '../pages';
import { queryTags } from '../tags/elasticache-wire';
import { minimumEngineVersion } from '../users/elasticache-wire';
import { resourceName, serverEngineFrom } from '../users/rules';
import { USER_FAULTS } from '../users/types';
import { requiredString } from '../wire/input';
import type { GroupStore } from './store';
import { GROUP_FAULTS, type GroupState } from './types';

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
          groups.modify('elasticache', requiredString(input, 'UserGroupId'), {
            add: input.strings('UserIdsToAdd') ?? [],
            remove: input.strings('UserIdsToRemove') ?? [],
          }),
          region,
        ),
      DeleteUserGroup: (input, { region }) =>
        toUserGroup(groups.deleteByApi('elasticache', requiredString(input, 'UserGroupId')), region),
    },
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

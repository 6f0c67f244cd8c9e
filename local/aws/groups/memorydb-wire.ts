import { ACCOUNT } from '../account';
import type { ServiceModule } from '../dispatch';
import { MEMORYDB_PAGING, page } from '../pages';
import { jsonTags } from '../tags/memorydb-wire';
import { resourceName } from '../users/rules';
import { USER_FAULTS } from '../users/types';
import { requiredString } from '../wire/input';
import type { GroupStore } from './store';
import { GROUP_FAULTS, type GroupState } from './types';

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
          groups.modify('memorydb', requiredString(input, 'ACLName'), {
            add: input.strings('UserNamesToAdd') ?? [],
            remove: input.strings('UserNamesToRemove') ?? [],
          }),
          region,
        ),
      }),
      DeleteACL: (input, { region }) => ({
        ACL: toAcl(groups.deleteByApi('memorydb', requiredString(input, 'ACLName')), region),
      }),
    },
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

import type { ServiceModule } from '../dispatch';
import type { GroupStore } from '../groups/store';
import { GROUP_FAULTS } from '../groups/types';
import type { UserStore } from '../users/store';
import { USER_FAULTS } from '../users/types';
import { type Input, requiredString } from '../wire/input';
import { type Tags, taggedByArn, tagList, tagsFrom } from './store';

const ARN = /^arn:aws[a-z-]*:memorydb:[^:]*:\d{12}:(?<kind>[a-z]+)\/(?<id>.+)$/;

/** Tags of MemoryDB users and ACLs: ListTags, TagResource and UntagResource over awsJson1_1. */
export function memoryDbTags(users: UserStore, groups: GroupStore): ServiceModule {
  const resource = (input: Input) =>
    taggedByArn(
      requiredString(input, 'ResourceArn'),
      ARN,
      'memorydb',
      { user: users, acl: groups },
      'a MemoryDB user or ACL',
    );
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

/** A request's tags as MemoryDB sends them: a JSON list of Key and Value. */
export function jsonTags(input: Input): Tags {
  return tagsFrom(
    (input.structs('Tags') ?? []).map((tag) => ({ key: tag.string('Key'), value: tag.string('Value') })),
  );
}

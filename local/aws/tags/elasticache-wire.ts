import type { ServiceModule } from '../dispatch';
import type { GroupStore } from '../groups/store';
import { GROUP_FAULTS } from '../groups/types';
import type { UserStore } from '../users/store';
import { USER_FAULTS } from '../users/types';
import { type Input, requiredString } from '../wire/input';
import { type Tags, taggedByArn, tagList, tagsFrom } from './store';

const ARN = /^arn:aws[a-z-]*:elasticache:[^:]*:\d{12}:(?<kind>[a-z]+):(?<id>.+)$/;

/** Tags of ElastiCache users and user groups: ListTagsForResource, AddTagsToResource, RemoveTagsFromResource. */
export function elastiCacheTags(users: UserStore, groups: GroupStore): ServiceModule {
  const resource = (input: Input) =>
    taggedByArn(
      requiredString(input, 'ResourceName'),
      ARN,
      'elasticache',
      { user: users, usergroup: groups },
      'an ElastiCache user or user group',
    );
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

/** A request's tags as ElastiCache sends them: its TagList names its members `Tag`, `Tags.Tag.1.Key=...`. */
export function queryTags(input: Input, name: string): Tags {
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

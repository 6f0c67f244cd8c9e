import type { Tags } from './users';

/** The tag operations both services offer, on one user or group that exists. */
export interface TaggedResource {
  list(): Tags;
  /** Replaces the values of the keys given and adds the others, as AddTagsToResource and TagResource do. */
  tag(tags: Tags): Tags;
  untag(keys: readonly string[]): Tags;
}

export function taggable(record: { tags: Tags }): TaggedResource {
  return {
    list: () => record.tags,
    tag: (tags) => {
      record.tags = { ...record.tags, ...tags };
      return record.tags;
    },
    untag: (keys) => {
      record.tags = Object.fromEntries(Object.entries(record.tags).filter(([key]) => !keys.includes(key)));
      return record.tags;
    },
  };
}

import type { Tags } from '#core/cache/ports';

/** Both services take tags as a list of Key/Value pairs. */
export const tagList = (tags: Tags) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export function tagsFrom(list: readonly { Key?: string; Value?: string }[]): Tags {
  return Object.fromEntries(
    list.flatMap(({ Key, Value }) => (Key === undefined ? [] : [[Key, Value ?? '']])),
  );
}

import { ServiceError } from '../wire/errors';

/** A resource's tags, as both services keep them: one value per key. */
export type Tags = Readonly<Record<string, string>>;

/** The tag operations both services offer, on one user or group that exists. */
export interface TaggedResource {
  list(): Tags;
  /** Replaces the values of the keys given and adds the others, as AddTagsToResource and TagResource do. */
  tag(tags: Tags): Tags;
  untag(keys: readonly string[]): Tags;
}

/** A store whose resources carry tags, found by engine and id. */
interface TaggedStore<Engine extends string> {
  /** The resource's tags, for the services' tag operations: the resource must exist. */
  tagged(engine: Engine, id: string): TaggedResource;
}

/**
 * The tags of the resource `arn` names: `pattern` captures its `kind` and `id`, and `stores` holds the kinds the
 * service tags. Any other ARN is not one the model keeps; `resources` names those it does, for the error.
 */
export function taggedByArn<Engine extends string>(
  arn: string,
  pattern: RegExp,
  engine: Engine,
  stores: Readonly<Record<string, TaggedStore<Engine>>>,
  resources: string,
): TaggedResource {
  const { kind = '', id = '' } = pattern.exec(arn)?.groups ?? {};
  const store = Object.hasOwn(stores, kind) ? stores[kind] : undefined;
  if (store === undefined) {
    throw new ServiceError(
      'InvalidARNFault',
      `${arn} is not the ARN of ${resources}, the only resources local AWS tags.`,
    );
  }
  return store.tagged(engine, id);
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

/** A request's tags, each with a key; the service's wire reads them the way its protocol lists them. */
export function tagsFrom(items: readonly { key?: string; value?: string }[]): Tags {
  return Object.fromEntries(
    items.map((item, index) => {
      if (item.key === undefined || item.key === '') {
        throw new ServiceError('InvalidParameterValueException', `Tag ${index + 1} has no Key.`);
      }
      return [item.key, item.value ?? ''];
    }),
  );
}

/** Tags as both services list them. */
export function tagList(tags: Tags): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

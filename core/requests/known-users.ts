import type { UserDirectories } from '#core/cache/ports';
import type { CacheUserRef } from '#core/cache/refs';

/** Users known to exist, by ARN, read for a whole batch at once. */
export type KnownUsers = ReadonlySet<string>;

/**
 * From this many distinct users of one engine and region, one listing (a page per 100 users of the
 * account) costs fewer control-plane calls than a describe per user.
 */
const LIST_FROM = 10;

/**
 * The users of `wanted` that exist, read with one listing per engine and region that names enough of
 * them; the others are left out, and a request for one is checked on its own as without a batch. A
 * listing is a snapshot: a user missing from it is still described before a request is refused.
 */
export async function knownUsers(
  users: UserDirectories,
  wanted: readonly CacheUserRef[],
): Promise<KnownUsers> {
  const byPlace = new Map<string, CacheUserRef[]>();
  for (const user of wanted) {
    const place = `${user.engine} ${user.partition} ${user.account} ${user.region}`;
    byPlace.set(place, [...(byPlace.get(place) ?? []), user]);
  }
  const known = new Set<string>();
  for (const inPlace of byPlace.values()) {
    const distinct = new Map(inPlace.map((user) => [user.id, user]));
    const [first] = inPlace;
    if (!first || distinct.size < LIST_FROM) continue;
    const listed = new Set((await users[first.engine].listUsers(first.region, '')).map((user) => user.id));
    for (const [id, user] of distinct) if (listed.has(id)) known.add(user.arn);
  }
  return known;
}

import { DEFAULT_USER_NAME, type Engine, type UserHarness } from '../users/types';
import { type GroupHarness, OPEN_ACCESS_ACL } from './types';

/**
 * The user every ElastiCache REDIS user group holds, created if need be, as on AWS: id `default`, UserName
 * `default`, no password. Redis never sees it (see NewUser.userName).
 */
export async function defaultUser(users: UserHarness, engine: Engine): Promise<string> {
  const existing = users.get(engine, DEFAULT_USER_NAME);
  if (existing === undefined) {
    await users.create({
      engine,
      id: DEFAULT_USER_NAME,
      authType: 'no-password',
      passwords: [],
      accessString: 'on ~* +@all',
    });
  } else if (existing.userName !== DEFAULT_USER_NAME) {
    throw new Error(`${engine} user default has UserName ${existing.userName}; name a default user instead`);
  }
  return DEFAULT_USER_NAME;
}

/** MemoryDB's built-in `default` user and the `open-access` ACL that holds it, as every account has them. */
export async function createMemoryDbBuiltIns(users: UserHarness, groups: GroupHarness): Promise<void> {
  await users.create({
    engine: 'memorydb',
    id: DEFAULT_USER_NAME,
    authType: 'no-password',
    passwords: [],
    accessString: 'on ~* &* +@all',
  });
  await groups.create({ engine: 'memorydb', id: OPEN_ACCESS_ACL, members: [DEFAULT_USER_NAME] });
}

export type Engine = 'elasticache' | 'memorydb';

/**
 * What the functions do with an engine: the methods of `CacheDirectory` (ports.ts), named here so the
 * engine descriptions stay plain data that synth-time code can load without the ports or an SDK.
 */
export type CacheOperation =
  | 'describeUser'
  | 'setPasswords'
  | 'createUser'
  | 'deleteUser'
  | 'listUsers'
  | 'tagsOf'
  | 'describeGroups'
  | 'modifyGroup'
  | 'createGroup'
  | 'deleteGroup';

/**
 * What differs between ElastiCache and MemoryDB, apart from their SDK calls: names for messages
 * and reports, ARN shapes, and the IAM action each operation needs. The stack (IAM grants, plan
 * output) and the functions (ARN parsing, adapters) read the same description.
 */
export interface EngineDescription {
  readonly engine: Engine;
  /** The ARN's service field and the IAM action prefix. */
  readonly service: string;
  /** The service's name in messages: `ElastiCache`, `MemoryDB`. */
  readonly label: string;
  /** How IAM statement ids name the engine: `ElastiCache`, `MemoryDb`. */
  readonly sidName: string;
  /** What a set of users allowed onto a cache is called: `ElastiCache user group`, `MemoryDB ACL`. */
  readonly groupNoun: string;
  /** The resource part of an ARN before the id, and how the API names that id. */
  readonly user: ArnShape;
  readonly group: ArnShape;
  /** The IAM action each adapter operation is authorized as; the adapter beside it makes that call. */
  readonly actions: Readonly<Record<CacheOperation, string>>;
  /** What creating a user or group with tags is also authorized as. */
  readonly tagOnCreate: string;
}

export interface ArnShape {
  /** `user:` (ElastiCache) or `user/` (MemoryDB), and so on. */
  readonly resourcePrefix: string;
  /** The API's name for the id, for messages: `userId`, `userName`, `userGroupId`, `aclName`. */
  readonly idName: string;
}

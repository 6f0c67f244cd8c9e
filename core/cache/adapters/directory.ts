import type {
  CacheDirectory,
  CacheUserState,
  GroupState,
  ListedUser,
  MembershipDiff,
  NewCacheGroup,
  NewCacheUser,
  Tags,
} from '#core/cache/ports';
import type { CacheGroupRef, CacheUserRef } from '#core/cache/refs';
import { isAwsError } from '#core/runtime/aws-errors';
import type { Pacer } from '#core/runtime/pacer';
import { groupFault, isThrottling, listFault, readOrAbsent, userFault, withFaults } from './faults';

/** One page of an engine's groups in a region. */
export interface GroupPage {
  readonly groups: readonly { readonly id: string; readonly state: GroupState }[];
  /** Where the next page starts; none on the last page. */
  readonly next?: string;
}

/** One page of an engine's users in a region. */
export interface UserPage {
  readonly users: readonly ListedUser[];
  readonly next?: string;
}

/**
 * One engine's API calls, by the ids the API takes. The engine file writes these; the directory
 * adds what both engines share: the client of the resource's region, pacing and fault translation.
 */
export interface EngineCalls<Client> {
  describeUser(client: Client, userId: string): Promise<CacheUserState | undefined>;
  setPasswords(client: Client, userId: string, passwords: string[]): Promise<unknown>;
  describeGroup(client: Client, groupId: string): Promise<GroupState | undefined>;
  listGroups(client: Client, next?: string): Promise<GroupPage>;
  modifyGroup(client: Client, groupId: string, add?: string[], remove?: string[]): Promise<unknown>;
  createUser(client: Client, userId: string, spec: NewCacheUser): Promise<unknown>;
  deleteUser(client: Client, userId: string): Promise<unknown>;
  listUsers(client: Client, next?: string): Promise<UserPage>;
  tagsOf(client: Client, arn: string): Promise<Tags>;
  createGroup(client: Client, groupId: string, spec: NewCacheGroup): Promise<unknown>;
  deleteGroup(client: Client, groupId: string): Promise<unknown>;
  /** The fault names each engine gives "already exists" for users and for groups. */
  readonly exists: { readonly user: string; readonly group: string };
}

/** Where a directory's calls go: the client for a region and the pacer every call waits on. */
export interface RegionalClients<Client> {
  client(region: string): Client;
  pacer(region: string): Pacer;
  /** Told of each call that ended throttled (after the SDK's own retries): a sign the pacing is too fast. */
  readonly onThrottled?: () => void;
}

/** An engine's calls as the domain's directory: region from the ARN, calls paced, service faults as domain errors. */
export class EngineDirectory<Client> implements CacheDirectory {
  constructor(
    private readonly calls: EngineCalls<Client>,
    private readonly clients: RegionalClients<Client>,
  ) {}

  describeUser(user: CacheUserRef): Promise<CacheUserState | undefined> {
    return readOrAbsent(
      () => this.paced(user.region, (client) => this.calls.describeUser(client, user.id)),
      (error) => userFault(error, user),
    );
  }

  async setPasswords(user: CacheUserRef, passwords: readonly string[]): Promise<void> {
    await withFaults(
      () => this.paced(user.region, (client) => this.calls.setPasswords(client, user.id, [...passwords])),
      (error) => userFault(error, user),
    );
  }

  async describeGroups(groups: readonly CacheGroupRef[]): Promise<ReadonlyMap<string, GroupState>> {
    const states = new Map<string, GroupState>();
    for (const [region, inRegion] of byRegion(groups)) {
      const found =
        inRegion.length === 1 ? await this.describeOne(inRegion) : await this.listAll(region, inRegion);
      for (const [arn, state] of found) states.set(arn, state);
    }
    return states;
  }

  async modifyGroup(group: CacheGroupRef, diff: MembershipDiff): Promise<void> {
    // An empty list is left out: both services refuse one.
    const listOrNothing = (users: readonly string[]) => (users.length > 0 ? [...users] : undefined);
    await withFaults(
      () =>
        this.paced(group.region, (client) =>
          this.calls.modifyGroup(client, group.id, listOrNothing(diff.add), listOrNothing(diff.remove)),
        ),
      (error) => groupFault(error, group),
    );
  }

  async createUser(user: CacheUserRef, spec: NewCacheUser): Promise<'created' | 'exists'> {
    try {
      await this.paced(user.region, (client) => this.calls.createUser(client, user.id, spec));
      return 'created';
    } catch (error) {
      if (isAwsError(error, this.calls.exists.user)) return 'exists';
      throw userFault(error, user);
    }
  }

  async deleteUser(user: CacheUserRef): Promise<'deleting' | 'absent'> {
    const done = await readOrAbsent(
      () => this.paced(user.region, (client) => this.calls.deleteUser(client, user.id)).then(() => true),
      (error) => userFault(error, user),
    );
    return done ? 'deleting' : 'absent';
  }

  async listUsers(region: string, prefix: string): Promise<ListedUser[]> {
    const found: ListedUser[] = [];
    let next: string | undefined;
    do {
      const page = await withFaults(
        () => this.paced(region, (client) => this.calls.listUsers(client, next)),
        (error) => listFault(error, region),
      );
      found.push(...page.users.filter((user) => user.id.startsWith(prefix)));
      next = page.next;
    } while (next !== undefined);
    return found;
  }

  tagsOf(ref: CacheUserRef | CacheGroupRef): Promise<Tags | undefined> {
    return readOrAbsent(
      () => this.paced(ref.region, (client) => this.calls.tagsOf(client, ref.arn)),
      (error) => (ref.kind === 'user' ? userFault(error, ref) : groupFault(error, ref)),
    );
  }

  async createGroup(group: CacheGroupRef, spec: NewCacheGroup): Promise<'created' | 'exists'> {
    try {
      await this.paced(group.region, (client) => this.calls.createGroup(client, group.id, spec));
      return 'created';
    } catch (error) {
      if (isAwsError(error, this.calls.exists.group)) return 'exists';
      throw groupFault(error, group);
    }
  }

  async deleteGroup(group: CacheGroupRef): Promise<'deleting' | 'absent'> {
    const done = await readOrAbsent(
      () => this.paced(group.region, (client) => this.calls.deleteGroup(client, group.id)).then(() => true),
      (error) => groupFault(error, group),
    );
    return done ? 'deleting' : 'absent';
  }

  /** One group: a call by id is as cheap as a list and needs no wider permission. */
  private async describeOne(groups: readonly CacheGroupRef[]): Promise<Map<string, GroupState>> {
    const found = new Map<string, GroupState>();
    for (const group of groups) {
      const state = await readOrAbsent(
        () => this.paced(group.region, (client) => this.calls.describeGroup(client, group.id)),
        (error) => groupFault(error, group),
      );
      if (state) found.set(group.arn, state);
    }
    return found;
  }

  /**
   * Many groups: every page of the region's list, so 150 groups cost two calls, not 150. Where IAM
   * does not allow listing, the groups are read one by one instead.
   */
  private async listAll(region: string, groups: readonly CacheGroupRef[]): Promise<Map<string, GroupState>> {
    const wanted = new Map(groups.map((group) => [group.id, group.arn]));
    const found = new Map<string, GroupState>();
    let next: string | undefined;
    try {
      do {
        const page = await withFaults(
          () => this.paced(region, (client) => this.calls.listGroups(client, next)),
          (error) => listFault(error, region),
        );
        for (const { id, state } of page.groups) {
          const arn = wanted.get(id);
          if (arn) found.set(arn, state);
        }
        next = page.next;
      } while (next !== undefined);
    } catch (error) {
      if (!isAwsError(error, 'AccessDenied', 'AccessDeniedException')) throw error;
      return this.describeOne(groups);
    }
    return found;
  }

  private async paced<T>(region: string, call: (client: Client) => Promise<T>): Promise<T> {
    await this.clients.pacer(region).take();
    try {
      return await call(this.clients.client(region));
    } catch (error) {
      if (isThrottling(error)) this.clients.onThrottled?.();
      throw error;
    }
  }
}

function byRegion(groups: readonly CacheGroupRef[]): Map<string, CacheGroupRef[]> {
  const regions = new Map<string, CacheGroupRef[]>();
  for (const group of groups) regions.set(group.region, [...(regions.get(group.region) ?? []), group]);
  return regions;
}

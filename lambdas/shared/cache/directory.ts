import { groupFault, readOrAbsent, userFault, withFaults } from './faults';
import type { CacheDirectory, CacheUserState, GroupState, MembershipDiff } from './ports';
import type { CacheGroupRef, CacheUserRef } from './refs';

/**
 * One engine's API calls, by the ids the API takes. The engine file writes these; the directory
 * adds what both engines share: the client of the resource's region and the fault translation.
 */
export interface EngineCalls<Client> {
  describeUser(client: Client, userId: string): Promise<CacheUserState | undefined>;
  setPasswords(client: Client, userId: string, passwords: string[]): Promise<unknown>;
  describeGroup(client: Client, groupId: string): Promise<GroupState | undefined>;
  modifyGroup(client: Client, groupId: string, add?: string[], remove?: string[]): Promise<unknown>;
}

/** An engine's calls as the domain's directory: region from the ARN, service faults as domain errors. */
export class EngineDirectory<Client> implements CacheDirectory {
  constructor(
    private readonly calls: EngineCalls<Client>,
    private readonly clientFor: (region: string) => Client,
  ) {}

  describeUser(user: CacheUserRef): Promise<CacheUserState | undefined> {
    return readOrAbsent(
      () => this.calls.describeUser(this.clientFor(user.region), user.id),
      (error) => userFault(error, user),
    );
  }

  async setPasswords(user: CacheUserRef, passwords: readonly string[]): Promise<void> {
    await withFaults(
      () => this.calls.setPasswords(this.clientFor(user.region), user.id, [...passwords]),
      (error) => userFault(error, user),
    );
  }

  describeGroup(group: CacheGroupRef): Promise<GroupState | undefined> {
    return readOrAbsent(
      () => this.calls.describeGroup(this.clientFor(group.region), group.id),
      (error) => groupFault(error, group),
    );
  }

  async modifyGroup(group: CacheGroupRef, diff: MembershipDiff): Promise<void> {
    // An empty list is left out: both services refuse one.
    const listOrNothing = (users: readonly string[]) => (users.length > 0 ? [...users] : undefined);
    await withFaults(
      () =>
        this.calls.modifyGroup(
          this.clientFor(group.region),
          group.id,
          listOrNothing(diff.add),
          listOrNothing(diff.remove),
        ),
      (error) => groupFault(error, group),
    );
  }
}

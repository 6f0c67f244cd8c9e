import type { Tags } from '../tags/store';
import { ModifyingPeriod, type Timers } from '../timers';
import type { Engine, ServerEngine } from '../users/types';
import type { GroupChange, GroupState, GroupStatus } from './types';

/** One user group or ACL as the store keeps it. */
export interface GroupRecord {
  readonly engine: Engine;
  readonly id: string;
  status: GroupStatus;
  readonly period: ModifyingPeriod;
  members: Set<string>;
  pending: GroupChange | undefined;
  readonly serverEngine: ServerEngine;
  tags: Tags;
  /** Whether its members may log in because of it: not while the group is still `creating`. */
  effective: boolean;
  readonly caches: Set<string>;
  readonly serverlessCaches: Set<string>;
}

/** A group set up by a test is `active` at once; one created through the API is `creating` first. */
export function newGroupRecord(
  timers: Timers,
  group: Pick<GroupRecord, 'engine' | 'id' | 'serverEngine' | 'members' | 'tags'>,
  status: 'active' | 'creating',
): GroupRecord {
  return {
    ...group,
    status,
    period: new ModifyingPeriod(timers),
    pending: undefined,
    tags: { ...group.tags },
    effective: status === 'active',
    caches: new Set(),
    serverlessCaches: new Set(),
  };
}

/** What the services report about a group. */
export function groupView(record: GroupRecord): GroupState {
  return {
    engine: record.engine,
    id: record.id,
    status: record.status,
    members: [...record.members].sort(),
    serverEngine: record.serverEngine,
    caches: [...record.caches].sort(),
    serverlessCaches: [...record.serverlessCaches].sort(),
    ...(record.pending && {
      pendingChanges: { add: [...record.pending.add].sort(), remove: [...record.pending.remove].sort() },
    }),
  };
}

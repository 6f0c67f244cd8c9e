import { createHash } from 'node:crypto';
import { generatePassword } from '#core/cache/password';
import type { GroupDirectories, GroupState, ServerEngine, Tags, UserDirectories } from '#core/cache/ports';
import { type CacheGroupRef, type CacheUserRef, memberOf } from '#core/cache/refs';
import type { Deadline } from '#core/runtime/deadline';
import type { DecisionLog } from '#core/runtime/decision-log';
import {
  GroupBusyError,
  GroupNotFoundError,
  NotOwnedError,
  OwnedGroupStateError,
  UserBusyError,
} from '#core/runtime/errors';
import { retryUntil } from '#core/runtime/retry';

/** The tag that says which stack made a group (and its default user): the stack's id. */
export const OWNER_TAG = 'cache-access-automation:stack';

/**
 * A user named `default` that cannot log in, for an ElastiCache redis group, which must hold one: the
 * account's built-in `default` user logs in without a password and may run every command.
 */
const DISABLED_DEFAULT_ACCESS = 'off -@all';

/** The id of a group's disabled `default` user: derived from the group, so every attempt finds the same one. */
export function disabledDefaultUserId(groupArn: string): string {
  return `default-off-${createHash('sha256').update(groupArn).digest('hex').slice(0, 16)}`;
}

/** What the stack asks of a group it owns. */
export interface OwnedGroupSpec {
  readonly group: CacheGroupRef;
  /** ElastiCache only: the engine the group is for. */
  readonly serverEngine?: ServerEngine;
  /** The stack that owns it: its tag value. */
  readonly owner: string;
}

export interface OwnedGroupsDeps {
  readonly groups: GroupDirectories;
  readonly users: UserDirectories;
  readonly logDecision?: DecisionLog;
}

/** New groups become active within a minute; poll often enough that the deploy does not wait long. */
const STATUS_POLL = { initialMs: 500, maxMs: 5_000, factor: 2 };

/**
 * Groups the stack creates through the API rather than in its template, so that CloudFormation never
 * owns, and so never undoes, their members. Members are never touched here: they are the reconciler's.
 */
export class OwnedGroups {
  constructor(private readonly deps: OwnedGroupsDeps) {}

  /**
   * Makes the group (with a disabled `default` user where the engine needs one) and waits until it is
   * active. A group this stack already made is adopted as it is; anyone else's is refused.
   */
  async create(spec: OwnedGroupSpec, deadline: Deadline): Promise<void> {
    const { group } = spec;
    const raw = await this.rawStateOf(group);
    // The id is taken until the old group is gone: the service refuses the create until then.
    if (raw?.status === 'deleting') await this.waitGone(group, deadline);
    const found = raw?.status === 'deleting' ? undefined : raw;
    if (found) {
      await this.requireOwned(spec, found);
      await this.waitActive(group, deadline);
      return;
    }
    const members = needsDefaultUser(spec) ? [await this.ensureDefaultUser(spec, deadline)] : [];
    const made = await this.deps.groups[group.engine].createGroup(group, {
      ...(spec.serverEngine && { serverEngine: spec.serverEngine }),
      members,
      tags: this.ownerTags(spec),
    });
    if (made === 'exists') {
      // Made by someone else between the read and the create: it is theirs unless it carries our tag.
      await this.requireOwned(spec, await this.stateOf(group));
    }
    await this.waitActive(group, deadline);
    this.deps.logDecision?.('owned group ready', { group: group.arn, created: made === 'created' });
  }

  /**
   * A deploy with the group's properties: the engine of a group cannot change, a group deleted by hand
   * is made again (empty), and members stay as they are.
   */
  async update(spec: OwnedGroupSpec, deadline: Deadline): Promise<void> {
    const found = await this.stateOf(spec.group);
    if (!found) {
      this.deps.logDecision?.('owned group missing at deploy; creating it again', { group: spec.group.arn });
      await this.create(spec, deadline);
      return;
    }
    await this.requireOwned(spec, found);
    if (spec.serverEngine && found.serverEngine && found.serverEngine !== spec.serverEngine) {
      throw new OwnedGroupStateError(
        `group ${spec.group.arn} is a ${found.serverEngine} group and ElastiCache cannot change a group's engine to ${spec.serverEngine}; give the ${spec.serverEngine} group a new id`,
      );
    }
  }

  /**
   * Deletes the group if this stack made it and no cache uses it any more, waits until it is gone, then
   * deletes its disabled `default` user. A group that is gone or not this stack's is left alone.
   */
  async destroy(spec: OwnedGroupSpec, deadline: Deadline): Promise<'deleted' | 'absent' | 'not-owned'> {
    const { group } = spec;
    const found = await this.stateOf(group);
    if (!found) return 'absent';
    if (!(await this.isOwned(spec, group))) {
      this.deps.logDecision?.('group not made by this stack; left in place', { group: group.arn });
      return 'not-owned';
    }
    const attached = found.attachedTo ?? [];
    if (attached.length > 0) {
      throw new OwnedGroupStateError(
        `group ${group.arn} is still attached to ${attached.join(', ')}; detach it from ${attached.length === 1 ? 'that cache' : 'those caches'} (or delete ${attached.length === 1 ? 'it' : 'them'}) before the group can be deleted, then retry`,
      );
    }
    const groups = this.deps.groups[group.engine];
    await retryUntil(`${group.arn} to accept deletion`, deadline, () => groups.deleteGroup(group), {
      isRetryable: (error) => error instanceof GroupBusyError,
      backoff: STATUS_POLL,
    });
    await this.waitGone(group, deadline);
    if (group.engine === 'elasticache') await this.deleteDefaultUser(spec, deadline);
    this.deps.logDecision?.('owned group deleted', { group: group.arn });
    return 'deleted';
  }

  /** The group as the stack sees it: one being deleted is as good as gone. */
  private async stateOf(group: CacheGroupRef): Promise<GroupState | undefined> {
    const state = await this.rawStateOf(group);
    return state?.status === 'deleting' ? undefined : state;
  }

  private async rawStateOf(group: CacheGroupRef): Promise<GroupState | undefined> {
    return (await this.deps.groups[group.engine].describeGroups([group])).get(group.arn);
  }

  private async requireOwned(spec: OwnedGroupSpec, found: GroupState | undefined): Promise<void> {
    if (!found) throw new GroupNotFoundError(`group ${spec.group.arn} vanished while it was being created`);
    const owner = (await this.deps.users[spec.group.engine].tagsOf(spec.group))?.[OWNER_TAG];
    if (owner === spec.owner) return;
    throw new NotOwnedError(
      `group ${spec.group.arn} already exists and was not made by this stack (its ${OWNER_TAG} tag is ${owner === undefined ? 'absent' : `'${owner}'`}); to manage the members of a group made elsewhere, list it in grants or requests only, without create`,
    );
  }

  private async isOwned(spec: OwnedGroupSpec, ref: CacheGroupRef | CacheUserRef): Promise<boolean> {
    return (await this.deps.users[ref.engine].tagsOf(ref))?.[OWNER_TAG] === spec.owner;
  }

  private ownerTags(spec: OwnedGroupSpec): Tags {
    return { [OWNER_TAG]: spec.owner };
  }

  private defaultUserOf(spec: OwnedGroupSpec): CacheUserRef {
    return memberOf(spec.group, disabledDefaultUserId(spec.group.arn));
  }

  /** The group's `default` user, made off and with a password nobody keeps; returns its id. */
  private async ensureDefaultUser(spec: OwnedGroupSpec, deadline: Deadline): Promise<string> {
    const user = this.defaultUserOf(spec);
    const users = this.deps.users[user.engine];
    const made = await users.createUser(user, {
      userName: 'default',
      accessString: DISABLED_DEFAULT_ACCESS,
      password: generatePassword(32),
      serverEngine: 'redis',
      tags: this.ownerTags(spec),
    });
    if (made === 'exists' && !(await this.isOwned(spec, user))) {
      throw new NotOwnedError(
        `user ${user.arn}, which this stack would make as the disabled default user of group ${spec.group.arn}, already exists and was not made by this stack`,
      );
    }
    await retryUntil(
      `${user.arn} to be active`,
      deadline,
      async () => ((await users.describeUser(user))?.status === 'active' ? true : undefined),
      { backoff: STATUS_POLL },
    );
    return user.id;
  }

  private async deleteDefaultUser(spec: OwnedGroupSpec, deadline: Deadline): Promise<void> {
    const user = this.defaultUserOf(spec);
    if (!(await this.isOwned(spec, user))) return;
    const users = this.deps.users[user.engine];
    await retryUntil(`${user.arn} to accept deletion`, deadline, () => users.deleteUser(user), {
      isRetryable: (error) => error instanceof UserBusyError,
      backoff: STATUS_POLL,
    });
  }

  private async waitGone(group: CacheGroupRef, deadline: Deadline): Promise<void> {
    await retryUntil(
      `${group.arn} to be deleted`,
      deadline,
      async () => ((await this.rawStateOf(group)) === undefined ? true : undefined),
      { backoff: STATUS_POLL },
    );
  }

  private async waitActive(group: CacheGroupRef, deadline: Deadline): Promise<void> {
    await retryUntil(
      `${group.arn} to be active`,
      deadline,
      async () => ((await this.stateOf(group))?.status === 'active' ? true : undefined),
      { backoff: STATUS_POLL },
    );
  }
}

/** ElastiCache redis groups must hold a user named `default`; valkey groups and MemoryDB ACLs need none. */
function needsDefaultUser(spec: OwnedGroupSpec): boolean {
  return spec.group.engine === 'elasticache' && (spec.serverEngine ?? 'redis') === 'redis';
}

import { createHash } from 'node:crypto';
import { memberOf } from '#core/cache/refs';
import type { AccessServiceDeps } from './access-deps';
import { durationMs } from './duration';
import { readerAllowed } from './ephemeral-rule';
import { type AccessCommand, recordedActor } from './events-in';
import type { KnownUsers } from './known-users';
import type { RequestedGrant } from './records';
import type { RequestRule } from './rules';

type RequestCommand = Extract<AccessCommand, { kind: 'request' }>;

/**
 * Whether a request may be granted, and to whom. Each check answers with the reason it may not, in
 * words the requester can act on, or with what it found.
 */
export class RequestDecision {
  constructor(private readonly deps: Pick<AccessServiceDeps, 'store' | 'users' | 'requests' | 'ephemeral'>) {}

  /** The rule that names the request's group, or why there is none. */
  rule(command: RequestCommand): RequestRule | string {
    const rules = this.deps.requests?.rules ?? [];
    const rule = rules.find((candidate) => candidate.group.arn === command.groupArn);
    if (rule) return rule;
    const requestable = rules.map((r) => r.group.arn).join(', ');
    return `group ${command.groupArn} is not named by any rule; requestable groups: ${requestable}`;
  }

  /**
   * Who the request is for: an existing user the rule lists, or a user made for it that the rule's
   * readers may collect; a string says why neither.
   */
  requester(
    command: RequestCommand,
    rule: RequestRule,
  ): { readonly user: string; readonly ephemeral?: RequestedGrant['ephemeral'] } | string {
    if (command.user !== undefined) {
      if (rule.users.includes(command.user)) return { user: command.user };
      return rule.users.length === 0
        ? `rule ${rule.name} gives group ${rule.group.arn} to ephemeral users only; ask with "ephemeral": { "reader": "<IAM role or user ARN>" }`
        : `user ${command.user} may not request group ${rule.group.arn}: rule ${rule.name} lists ${rule.users.join(', ')}`;
    }
    const reader = command.ephemeral?.reader ?? '';
    if (!rule.ephemeral || !this.deps.ephemeral) {
      return `rule ${rule.name} gives group ${rule.group.arn} to existing users only (${rule.users.join(', ')}); ask with "user"`;
    }
    if (!readerAllowed(rule.ephemeral.readers, reader)) {
      return `reader ${reader} may not receive credentials under rule ${rule.name}; its readers are ${rule.ephemeral.readers.join(', ')}`;
    }
    const { user, secretName } = this.deps.ephemeral.namesFor(command.requestId);
    return { user, ephemeral: { rule: rule.name, reader, secretName } };
  }

  /** Why a request that is new may not be recorded, or undefined when it may. */
  async newRequestRefusal(
    command: RequestCommand,
    user: string,
    rule: RequestRule,
    now: number,
    expiresAtMs: number,
    known?: KnownUsers,
  ): Promise<string | undefined> {
    const { group } = rule;
    const tooLong = durationProblem(command, rule, now, expiresAtMs);
    if (tooLong) return tooLong;
    const suspension = await this.deps.store.suspension(user);
    if (suspension?.status === 'suspended') {
      return `user ${user} is suspended (by ${suspension.suspendedBy} at ${suspension.suspendedAt}); no access is granted until reinstated`;
    }
    // An ephemeral user does not exist yet: the request makes it.
    if (command.user === undefined) return undefined;
    const ref = memberOf(group, user);
    const exists = known?.has(ref.arn) || (await this.deps.users[group.engine].describeUser(ref));
    if (!exists)
      return `user ${user} does not exist in ${group.engine} ${group.region} account ${group.account}`;
    return undefined;
  }

  /** For an ephemeral request: takes one of the rule's slots, or says that all are taken. */
  async slotRefusal(command: RequestCommand, rule: RequestRule, now: number): Promise<string | undefined> {
    if (command.user !== undefined || !rule.ephemeral) return undefined;
    const { maxActive } = rule.ephemeral;
    if (await this.deps.store.claimSlot(rule.name, command.requestId, maxActive, now)) return undefined;
    return `rule ${rule.name} already has ${maxActive} live ephemeral users (maxActive ${maxActive}); wait for one to end, or revoke one`;
  }
}

/** When the access asked for would end, from `now`: a duration's end, or the instant given. */
export function expiryMs(command: Pick<RequestCommand, 'duration' | 'until'>, now: number): number {
  return command.duration === undefined
    ? Date.parse(command.until ?? '')
    : now + (durationMs(command.duration) as number);
}

/** Why the access asked for is not in the future or longer than the rule allows, or undefined. */
export function durationProblem(
  command: Pick<RequestCommand, 'duration' | 'until'>,
  rule: RequestRule,
  now: number,
  expiresAtMs: number,
): string | undefined {
  if (expiresAtMs <= now) return `until ${command.until} is not in the future`;
  if (expiresAtMs - now <= rule.maxDurationMs) return undefined;
  return `${command.duration === undefined ? `until ${command.until} is` : `duration ${command.duration} is`} longer than the maximum of ${rule.maxDuration} for group ${rule.group.arn}`;
}

/** The requester as the records keep it: the verified caller, or the bus sender's words marked unverified. */
export const requesterOf = (command: RequestCommand) => recordedActor(command.requestedBy, command.verified);

/** What a request and the grant recorded from it have in common. */
function sharedFields(from: Omit<RequestCommand, 'kind' | 'user' | 'ephemeral'>) {
  const { requestId, groupArn, duration, until, requestedBy, reason } = from;
  return {
    requestId,
    groupArn,
    requestedBy,
    reason,
    ...(duration !== undefined && { duration }),
    ...(until !== undefined && { until }),
  };
}

/** The request's own fields, as the record keeps them, for `user`: the one asked for or made for it. */
export function recordedFields(command: RequestCommand, user: string) {
  return {
    ...sharedFields(command),
    requestedBy: requesterOf(command),
    user,
    ...(command.approvals && { approvals: [...command.approvals] }),
  };
}

/** The request a grant was recorded from, to answer it again (a refusal) as its own delivery was. */
export function requestOf(grant: RequestedGrant): RequestCommand {
  return {
    kind: 'request',
    ...sharedFields(grant),
    ...(grant.ephemeral ? { ephemeral: { reader: grant.ephemeral.reader } } : { user: grant.user }),
  };
}

/** The same request delivered twice has the same digest; another request under the same id does not. */
export function fingerprintOf(command: RequestCommand): string {
  const { groupArn, user, ephemeral, duration, until, requestedBy, reason } = command;
  // Requests for existing users keep the digest they had before ephemeral users, so records stay valid.
  const who = ephemeral === undefined ? [user] : [null, ephemeral.reader];
  return createHash('sha256')
    .update(JSON.stringify([groupArn, ...who, duration ?? null, until ?? null, requestedBy, reason]))
    .digest('hex');
}

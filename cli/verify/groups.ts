import type { GroupState } from '#core/cache/ports';
import type { CacheGroupRef } from '#core/cache/refs';
import { type Coverage, desiredMembership, diffMembership } from '#core/membership/desired';
import type { MembershipConfig } from '../../lib/config/membership';
import { governedGroups } from '../plan/inputs';
import type { Row } from './rows';

const CHECK = 'group members';

/** What judging the groups needs: the config's membership and two reads, passed in so tests can arrange them. */
export interface GroupCheck {
  readonly membership: MembershipConfig | undefined;
  readonly readGroups: (
    groups: readonly CacheGroupRef[],
  ) => Promise<ReadonlyMap<string, GroupState | string>>;
  /** The grant table's requested grants, suspensions and managed users; rejects when it cannot be read. */
  readonly readCoverage: () => Promise<Coverage>;
  readonly now: Date;
}

/**
 * One row per group the config governs: `active`, and holding exactly who the plan wants now
 * (the same desired members `npm run plan --live` computes), among the users the stack manages.
 */
export async function groupRows({ membership, readGroups, readCoverage, now }: GroupCheck): Promise<Row[]> {
  if (!membership) {
    return [{ check: CHECK, subject: '-', status: 'skip', detail: 'the config has no membership section' }];
  }
  const groups = governedGroups(membership);
  const [live, coverage] = await Promise.all([
    readGroups(groups),
    readCoverage().catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
  ]);
  return groups.map((group): Row => {
    const state = live.get(group.arn) ?? 'it was not read';
    if (typeof state === 'string') {
      return { check: CHECK, subject: group.arn, status: 'fail', detail: `could not read it: ${state}` };
    }
    if (coverage instanceof Error) {
      return {
        check: CHECK,
        subject: group.arn,
        status: 'warn',
        detail: `status ${state.status}; members not judged: the grant table could not be read (${coverage.name}: ${coverage.message})`,
      };
    }
    const desired = desiredMembership(membership.grants, group, now.getTime(), coverage);
    const diff = diffMembership(state.members, desired);
    const problems = [
      state.status !== 'active' && `status ${state.status}, not active`,
      diff.add.length > 0 && `missing ${diff.add.join(', ')}, which the plan wants now`,
      diff.remove.length > 0 && `holds ${diff.remove.join(', ')}, which the plan does not want now`,
    ].filter((problem): problem is string => typeof problem === 'string');
    const members = [...state.members].sort().join(', ') || 'none';
    return problems.length > 0
      ? { check: CHECK, subject: group.arn, status: 'fail', detail: problems.join('; ') }
      : { check: CHECK, subject: group.arn, status: 'ok', detail: `active, as planned: ${members}` };
  });
}

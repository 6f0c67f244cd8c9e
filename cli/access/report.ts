import type { RequestedGrant, Suspension } from '#core/requests/records';

export interface AccessReportRequest {
  readonly grants: readonly RequestedGrant[];
  readonly suspensions: readonly Suspension[];
  /** Only this group's grants. @default - every group */
  readonly group?: string;
  readonly now: number;
}

/** Open grants with the time they have left, grants ended but not yet announced, and suspensions. */
export function accessReport({ grants, suspensions, group, now }: AccessReportRequest): string {
  const shown = grants.filter((grant) => group === undefined || grant.groupArn === group);
  const lines = [`Requested access at ${new Date(now).toISOString()}${group ? ` in ${group}` : ''}`, ''];
  const open = shown.filter((grant) => grant.status === 'open');
  lines.push(`open grants: ${open.length === 0 ? 'none' : ''}`);
  for (const grant of open) {
    const left = Math.max(0, Date.parse(grant.expiresAt) - now);
    lines.push(
      `  ${grant.requestId}  ${grant.user} in ${grant.groupArn}`,
      `    until ${grant.expiresAt} (${minutes(left)} left), requested by ${grant.requestedBy}: ${grant.reason}`,
    );
  }
  const ending = shown.filter((grant) => grant.status !== 'open');
  if (ending.length > 0) {
    lines.push('ended, end not yet announced:');
    for (const grant of ending)
      lines.push(
        `  ${grant.requestId}  ${grant.user} in ${grant.groupArn}: ${grant.status} at ${grant.endedAt ?? grant.expiresAt}`,
      );
  }
  const suspended = suspensions.filter((s) => s.status === 'suspended');
  lines.push(`suspended users: ${suspended.length === 0 ? 'none' : ''}`);
  for (const s of suspended)
    lines.push(`  ${s.user} since ${s.suspendedAt} by ${s.suspendedBy}: ${s.reason}`);
  const owing = suspensions.filter((s) => s.status === 'reinstated' && s.owed.length > 0);
  for (const s of owing) lines.push(`  ${s.user} reinstated, still to be given back: ${s.owed.join(', ')}`);
  return lines.join('\n');
}

function minutes(ms: number): string {
  const total = Math.round(ms / 60_000);
  return total >= 60 ? `${Math.floor(total / 60)} h ${total % 60} min` : `${total} min`;
}

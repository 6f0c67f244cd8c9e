/** One pending request as `GET /requests?status=pending` lists it. */
interface Pending {
  readonly requestId: string;
  readonly rule?: string;
  readonly groupArn: string;
  readonly user?: string;
  readonly reader?: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly pendingUntil: string;
  readonly reason: string;
  readonly approvedBy?: readonly string[];
  readonly approvalsNeeded?: number;
}

const isPending = (value: unknown): value is Pending => {
  const record = value as Record<string, unknown> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    ['requestId', 'groupArn', 'requestedBy', 'requestedAt', 'pendingUntil'].every(
      (field) => typeof record[field] === 'string',
    )
  );
};

/**
 * The requests waiting for approval that the caller may see (its own, and those it may approve), oldest
 * first, each with its age, the time left before it expires, who approved so far and the command that approves it.
 */
export function pendingReport(requests: unknown, now: number): string {
  const listed = (Array.isArray(requests) ? requests : []).filter(isPending);
  listed.sort((a, b) => Date.parse(a.requestedAt) - Date.parse(b.requestedAt));
  const lines = [
    `${listed.length === 0 ? 'No' : listed.length} request${listed.length === 1 ? '' : 's'} waiting for approval at ${new Date(now).toISOString()}`,
  ];
  for (const request of listed) {
    const who =
      request.user !== undefined ? `user ${request.user}` : `an ephemeral user for ${request.reader}`;
    const needed = request.approvalsNeeded ?? 1;
    const approvedBy = request.approvedBy ?? [];
    lines.push(
      '',
      `  ${request.requestId}  ${who} in ${request.groupArn}${request.rule ? ` (rule ${request.rule})` : ''}`,
      `    asked by ${request.requestedBy} ${span(now - Date.parse(request.requestedAt))} ago: ${oneLine(request.reason)}`,
      `    needs ${needed} more approval${needed === 1 ? '' : 's'}${approvedBy.length > 0 ? ` (approved by ${approvedBy.join(', ')})` : ''}; expires in ${span(Date.parse(request.pendingUntil) - now)} (${request.pendingUntil})`,
      `    approve: npm run access -- approve ${request.requestId}`,
    );
  }
  return lines.join('\n');
}

/** A reason is someone's words: one line, so it cannot forge lines of the report. */
const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, ' ').slice(0, 200);

function span(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${minutes % 60} min` : `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

import { describe, expect, it } from 'vitest';
import { apiCall, EXIT, printed } from '../../../cli/access/api-commands';
import { pendingReport } from '../../../cli/access/pending-report';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const GROUP = 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug';

describe('the calls the access commands make', () => {
  it('sends a request as the API body, the reader as ephemeral, and who asks never', () => {
    const call = apiCall('request', undefined, {
      group: GROUP,
      reader: 'arn:aws:iam::123456789012:role/oncall',
      for: 'PT2H',
      reason: 'INC-42',
      by: 'someone-else',
    });

    expect(call).toEqual({
      method: 'POST',
      path: 'requests',
      body: {
        groupArn: GROUP,
        duration: 'PT2H',
        reason: 'INC-42',
        ephemeral: { reader: 'arn:aws:iam::123456789012:role/oncall' },
      },
    });
  });

  it('puts the request id and the user in the path, encoded', () => {
    expect(apiCall('approve', 'CHG 1/2', {})).toEqual({
      method: 'POST',
      path: 'requests/CHG%201%2F2/approve',
      body: {},
    });
    expect(apiCall('suspend', undefined, { user: 'bob', reason: 'INC-7' })).toEqual({
      method: 'POST',
      path: 'users/bob/suspend',
      body: { reason: 'INC-7' },
    });
    expect(apiCall('pending', undefined, {})).toEqual({
      method: 'GET',
      path: 'requests',
      query: { status: 'pending' },
    });
  });

  it('asks for the id a decision needs instead of calling without one', () => {
    expect(apiCall('deny', undefined, { reason: 'no' })).toEqual({
      usage: 'deny needs the request id: npm run access -- deny <id>',
    });
  });
});

describe('what the access commands print and exit with', () => {
  it.each([
    [400, EXIT.malformed, 'malformed, nothing recorded'],
    [403, EXIT.forbidden, 'not allowed'],
    [404, EXIT.unknown, 'not found'],
    [409, EXIT.conflict, 'already decided or ended'],
  ])('echoes the API message of a %i and exits %i', (status, exitCode, what) => {
    const result = printed('approve', { status, body: { message: 'rule prod says no' } }, NOW);

    expect(result).toEqual({
      exitCode,
      text: `approve refused (HTTP ${status}, ${what}): rule prod says no`,
    });
  });

  it('explains a refusal by AWS before the API ran: the caller lacks the IAM permission or valid keys', () => {
    const result = printed(
      'pending',
      { status: 403, body: { Message: 'Forbidden. For troubleshooting…' } },
      NOW,
    );

    expect(result.exitCode).toBe(EXIT.forbidden);
    expect(result.text).toContain('lambda:InvokeFunctionUrl and lambda:InvokeFunction');
  });

  it('fails on a server error and on a request its rule refused', () => {
    expect(printed('request', { status: 502, body: { Message: 'Internal Server Error' } }, NOW)).toEqual({
      exitCode: EXIT.failed,
      text: 'request failed: the request API answered HTTP 502: Internal Server Error',
    });
    expect(
      printed(
        'request',
        { status: 200, body: { requestId: 'r1', status: 'refused', refusal: 'bob is suspended' } },
        NOW,
      ),
    ).toEqual({ exitCode: EXIT.failed, text: 'request r1 was refused: bob is suspended' });
  });

  it('names the approve command for a pending request and the end of a granted one', () => {
    const pending = printed(
      'request',
      {
        status: 200,
        body: {
          requestId: 'r1',
          status: 'pending',
          approvalsNeeded: 2,
          pendingUntil: '2026-12-04T13:00:00Z',
        },
      },
      NOW,
    );
    const granted = printed(
      'approve',
      {
        status: 200,
        body: { requestId: 'r1', status: 'granted', user: 'alice', expiresAt: '2026-12-04T14:00:00Z' },
      },
      NOW,
    );

    expect(pending.text).toBe(
      'request r1 is pending: 2 more approvals needed, until 2026-12-04T13:00:00Z.\nAn approver runs: npm run access -- approve r1',
    );
    expect(granted).toEqual({
      exitCode: EXIT.ok,
      text: 'request r1 is granted to alice until 2026-12-04T14:00:00Z.',
    });
  });
});

describe('the pending report', () => {
  const pending = (requestId: string, requestedAt: string, extra: Record<string, unknown> = {}) => ({
    requestId,
    status: 'pending',
    rule: 'prod',
    groupArn: GROUP,
    user: 'alice',
    requestedBy: 'arn:aws:sts::123456789012:assumed-role/dev/alice',
    requestedAt,
    pendingUntil: '2026-12-04T12:45:00Z',
    reason: 'INC-42',
    approvedBy: [],
    approvalsNeeded: 1,
    ...extra,
  });

  it('lists the oldest first with its age, time left, approvals so far and the approve command', () => {
    const report = pendingReport(
      [
        pending('newer', '2026-12-04T11:50:00Z'),
        pending('older', '2026-12-04T09:30:00Z', {
          approvedBy: ['arn:aws:sts::123456789012:assumed-role/lead/carol'],
          approvalsNeeded: 1,
          user: undefined,
          reader: 'arn:aws:iam::123456789012:role/oncall',
        }),
      ],
      NOW,
    );

    expect(report).toBe(
      [
        '2 requests waiting for approval at 2026-12-04T12:00:00.000Z',
        '',
        `  older  an ephemeral user for arn:aws:iam::123456789012:role/oncall in ${GROUP} (rule prod)`,
        '    asked by arn:aws:sts::123456789012:assumed-role/dev/alice 2 h 30 min ago: INC-42',
        '    needs 1 more approval (approved by arn:aws:sts::123456789012:assumed-role/lead/carol); expires in 45 min (2026-12-04T12:45:00Z)',
        '    approve: npm run access -- approve older',
        '',
        `  newer  user alice in ${GROUP} (rule prod)`,
        '    asked by arn:aws:sts::123456789012:assumed-role/dev/alice 10 min ago: INC-42',
        '    needs 1 more approval; expires in 45 min (2026-12-04T12:45:00Z)',
        '    approve: npm run access -- approve newer',
      ].join('\n'),
    );
  });

  it('keeps a hostile reason on one line, so it cannot forge a line of the report', () => {
    const report = pendingReport(
      [pending('r1', '2026-12-04T11:59:00Z', { reason: 'ok\n  approve: rm -rf /' })],
      NOW,
    );

    expect(report.split('\n').filter((line) => line.trimStart().startsWith('approve:'))).toEqual([
      '    approve: npm run access -- approve r1',
    ]);
  });

  it('says when nothing waits', () => {
    expect(pendingReport([], NOW)).toBe('No requests waiting for approval at 2026-12-04T12:00:00.000Z');
  });
});

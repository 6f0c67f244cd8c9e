import { describe, expect, it } from 'vitest';
import { chatMessage } from '#core/requests/chat-message';
import { approvalEvents, ended, granted, refused } from '#core/requests/events-out';
import type { PendingRequest, RequestedGrant } from '#core/requests/records';

const GROUP = 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug';
const ALICE = 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Dev_0123456789abcdef/alice';
const CAROL = 'arn:aws:sts::123456789012:assumed-role/lead/carol';

const pending = (extra: Partial<PendingRequest> = {}): PendingRequest => ({
  requestId: 'api-42',
  rule: 'prod',
  groupArn: GROUP,
  user: 'alice',
  duration: 'PT2H',
  reason: 'INC-42',
  requestedBy: ALICE,
  verified: true,
  fingerprint: 'f',
  requestedAt: '2026-12-04T12:00:00.000Z',
  pendingUntil: '2026-12-04T13:00:00.000Z',
  needed: 2,
  approvals: [],
  status: 'pending',
  version: 1,
  announced: [],
  ...extra,
});

const grant = (extra: Partial<RequestedGrant> = {}): RequestedGrant => ({
  requestId: 'api-42',
  groupArn: GROUP,
  user: 'alice',
  requestedBy: ALICE,
  approvals: [{ by: CAROL, at: '2026-12-04T12:05:00.000Z' }],
  reason: 'INC-42',
  duration: 'PT2H',
  fingerprint: 'f',
  grantedAt: '2026-12-04T12:05:00.000Z',
  expiresAt: '2026-12-04T14:05:00.000Z',
  status: 'open',
  grantedPublished: false,
  endPublished: false,
  ...extra,
});

const eventOf = (request: PendingRequest, key: string) =>
  approvalEvents(request).find((due) => due.key === key)?.event ?? expect.fail(`no ${key} event`);

describe('chat notifications of access events', () => {
  it('announces a pending request as "alice asks prod-ug for 2 h: INC-42" with the approve command, in a thread of its own', () => {
    const message = chatMessage(eventOf(pending(), 'pending'));

    expect(message).toEqual({
      version: '1.0',
      source: 'custom',
      content: {
        textType: 'client-markdown',
        title: 'alice asks prod-ug for 2 h: INC-42',
        description: [
          `alice in ${GROUP} for 2 h, asked by ${ALICE.replace(/_/g, '\\_')}: INC-42`,
          'Needs 2 approval(s) by 2026-12-04T13:00:00.000Z (rule prod).',
        ].join('\n'),
        nextSteps: [
          'Approve: `npm run access -- approve api-42`',
          'Deny: `npm run access -- deny api-42 --reason "…"`',
        ],
        keywords: ['prod', 'prod-ug', 'alice'],
      },
      metadata: {
        threadId: 'api-42',
        summary: 'Cache Access Pending: api-42',
        eventType: 'Cache Access Pending',
        relatedResources: [GROUP],
      },
    });
  });

  it('says who approved and how many approvals are still needed, then who denied and why', () => {
    const once = pending({ approvals: [{ by: CAROL, at: '2026-12-04T12:01:00.000Z', reason: 'ok' }] });
    const deniedRequest = pending({
      status: 'denied',
      decidedBy: CAROL,
      decidedAt: '2026-12-04T12:02:00.000Z',
      decisionReason: 'not during the freeze',
    });

    const approved = chatMessage(eventOf(once, 'approved:0'));
    const denied = chatMessage(eventOf(deniedRequest, 'denied'));

    expect(approved?.content.title).toBe("carol approved alice's request for prod-ug (1 more needed)");
    expect(approved?.content.description).toContain('Approval: ok');
    expect(approved?.content.nextSteps[0]).toBe('Approve: `npm run access -- approve api-42`');
    expect(denied?.content.title).toBe("carol denied alice's request for prod-ug");
    expect(denied?.content.description).toContain('Denial: not during the freeze');
    expect(denied?.content.nextSteps).toEqual([]);
  });

  it('announces an expired request, a grant with its end and approvers, and the end of access', () => {
    const expired = chatMessage(eventOf(pending({ status: 'expired' }), 'expired'));
    const grantedMessage = chatMessage(granted(grant()));
    const endedMessage = chatMessage(
      ended(grant({ status: 'revoked', endedAt: '2026-12-04T12:30:00.000Z' })),
    );

    expect(expired?.content.title).toBe("alice's request for prod-ug expired without approval");
    expect(expired?.metadata.eventType).toBe('Cache Access Request Expired');
    expect(grantedMessage?.content.title).toBe('alice is in prod-ug until 2026-12-04T14:05:00.000Z');
    expect(grantedMessage?.content.description).toContain(`Approved by ${CAROL}.`);
    expect(grantedMessage?.content.nextSteps).toEqual([
      'Revoke: `npm run access -- revoke api-42 --reason "…"`',
    ]);
    expect(endedMessage?.content.title).toBe('alice is out of prod-ug: revoked');
    expect(endedMessage?.metadata.threadId).toBe('api-42');
  });

  it('names an unverified bus requester as unverified and an ephemeral user by its reader', () => {
    const fromBus = chatMessage(
      eventOf(
        pending({
          requestedBy: 'unverified:pagerduty',
          user: undefined,
          reader: 'arn:aws:iam::123456789012:role/oncall',
        }),
        'pending',
      ),
    );

    expect(fromBus?.content.title).toBe('pagerduty (unverified) asks prod-ug for 2 h: INC-42');
    expect(fromBus?.content.description).toMatch(/^an ephemeral user for oncall in /);
  });

  it('leaves refusals and membership changes to the bus', () => {
    expect(
      chatMessage(
        refused(
          { refusal: 'no rule names the group', detailType: 'Cache Access Requested', request: {} },
          new Date(),
        ),
      ),
    ).toBeUndefined();
    expect(
      chatMessage({ detailType: 'Cache Membership Changed', detail: {}, resources: [], time: new Date() }),
    ).toBeUndefined();
  });

  it('makes a hostile reason inert: one line, no links, mentions, code, headings or HTML, cut short', () => {
    const reason = `INC-1\n# Approved by security\n<!channel> [click](https://evil.example) \`rm -rf\` *now* ${'x'.repeat(400)}`;

    const message = chatMessage(eventOf(pending({ reason }), 'pending'));
    const text = `${message?.content.title}\n${message?.content.description}`;

    expect(message?.content.title).not.toContain('\n');
    expect(message?.content.description.split('\n')).toHaveLength(2);
    expect(text).not.toMatch(/<!channel>|\]\(https|(^|[^\\])`|(^|\n)#/);
    expect(text).toContain('&lt;\\!channel&gt; \\[click\\]\\(https://evil.example\\) \\`rm -rf\\` \\*now\\*');
    expect(message?.content.title.length).toBeLessThan(200);
  });

  it('never carries a password, a secret value or fields it does not know', () => {
    const event = granted(
      grant({
        ephemeral: {
          rule: 'prod',
          reader: 'arn:aws:iam::123456789012:role/oncall',
          secretName: 'jit/secret',
          secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jit/secret-AbCdEf',
        },
      } as Partial<RequestedGrant>),
    );
    const hostile = {
      ...event,
      detail: { ...event.detail, password: 'hunter2-hunter2', secretString: '{"password":"s3cr3t"}' },
    };

    const json = JSON.stringify(chatMessage(hostile));

    expect(json).not.toContain('hunter2');
    expect(json).not.toContain('s3cr3t');
    expect(json).not.toContain('secretsmanager');
  });
});

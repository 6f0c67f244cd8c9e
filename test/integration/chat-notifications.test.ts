import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ChatNotification } from '#core/requests/chat-message';
import { groupArnOf, type MembershipFunction, startMembershipFunction } from '../../local';
import { useLocalCloud } from '../support/local-cloud';
import { type Caller, callerAs } from '../support/signed-calls';

const bundle = inject('bundles').membership ?? '';
const ACCOUNT = '123456789012';
const PASSWORD = 'alice-password-0123456789';

const cloud = useLocalCloud();
let groupArn: string;
let dev: Caller;
let lead: Caller;

beforeAll(async () => {
  await cloud.aws.users.create({
    engine: 'elasticache',
    id: 'alice',
    passwords: [PASSWORD],
    governedByGroups: true,
  });
  await cloud.aws.groups.create({ engine: 'elasticache', id: 'prod-ug', members: [] });
  groupArn = groupArnOf('elasticache', 'prod-ug');
  dev = callerAs(cloud.aws, `arn:aws:sts::${ACCOUNT}:assumed-role/dev/alice`);
  lead = callerAs(cloud.aws, `arn:aws:sts::${ACCOUNT}:assumed-role/lead/carol`);
});

async function start(
  notify: { create: true } | { topicArn: string },
  pendingFor = 'PT1H',
): Promise<MembershipFunction> {
  const fn = await startMembershipFunction(bundle, cloud.aws, [], {
    requests: {
      notify,
      rules: [
        {
          name: 'prod',
          groupArn,
          users: ['alice'],
          requesters: [`arn:aws:iam::${ACCOUNT}:role/dev`],
          approvers: [`arn:aws:iam::${ACCOUNT}:role/lead`],
          approvals: 1,
          pendingFor,
        },
      ],
    },
  });
  cloud.fn = fn;
  return fn;
}

const post = (caller: Caller, fn: MembershipFunction, path: string, body: unknown) =>
  caller.call(fn.accessApiUrl ?? '', { method: 'POST', path, body });

const ask = async (fn: MembershipFunction) => {
  const { status, body } = await post(dev, fn, 'requests', {
    groupArn,
    user: 'alice',
    duration: 'PT2H',
    reason: 'INC-42',
  });
  expect(status).toBe(200);
  return (body as { requestId: string }).requestId;
};

/** The notifications about one request: every start of the stack-created topic's stand-in shares it. */
const messages = (topicArn: string | undefined, requestId: string) =>
  cloud.aws.topics
    .published(topicArn ?? '')
    .map((m) => JSON.parse(m.message) as ChatNotification)
    .filter((m) => m.metadata.threadId === requestId);

describe('chat notifications on the topic the stack creates', () => {
  it('tells the channel a request waits, who approved, that access is granted and ended, each in the request thread', async () => {
    const fn = await start({ create: true });

    const requestId = await ask(fn);
    const pending = messages(fn.chatTopicArn, requestId);
    await post(lead, fn, `requests/${requestId}/approve`, { reason: 'checked INC-42' });
    await post(dev, fn, `requests/${requestId}/revoke`, { reason: 'done' });
    const all = messages(fn.chatTopicArn, requestId);

    expect(pending).toEqual([
      {
        version: '1.0',
        source: 'custom',
        content: expect.objectContaining({
          textType: 'client-markdown',
          title: 'alice asks prod-ug for 2 h: INC-42',
          nextSteps: [
            `Approve: \`npm run access -- approve ${requestId}\``,
            `Deny: \`npm run access -- deny ${requestId} --reason "…"\``,
          ],
          keywords: ['prod', 'prod-ug', 'alice'],
        }),
        metadata: {
          threadId: requestId,
          summary: `Cache Access Pending: ${requestId}`,
          eventType: 'Cache Access Pending',
          relatedResources: [groupArn],
        },
      },
    ]);
    expect(all.map((m) => m.metadata.eventType)).toEqual([
      'Cache Access Pending',
      'Cache Access Approved',
      'Cache Access Granted',
      'Cache Access Ended',
    ]);
    expect(cloud.aws.topics.published(fn.chatTopicArn ?? '')).toHaveLength(4);
    expect(all[1]?.content.title).toBe("carol approved alice's request for prod-ug");
    expect(all[3]?.content.title).toBe('alice is out of prod-ug: revoked');
    expect(JSON.stringify(all)).not.toContain(PASSWORD);
  });

  it('tells the channel of a denial, on a topic given by ARN', async () => {
    const topicArn = cloud.aws.topics.create('ops-chat', 'eu-west-1');
    const fn = await start({ topicArn });

    const requestId = await ask(fn);
    const denied = await post(lead, fn, `requests/${requestId}/deny`, { reason: 'not during the freeze' });

    expect(denied.status).toBe(200);
    expect(fn.chatTopicArn).toBe(topicArn);
    expect(messages(topicArn, requestId).map((m) => [m.metadata.eventType, m.content.title])).toEqual([
      ['Cache Access Pending', 'alice asks prod-ug for 2 h: INC-42'],
      ['Cache Access Denied', "carol denied alice's request for prod-ug"],
    ]);
    expect(await cloud.redis.authenticates('alice', PASSWORD)).toBe(false);
  });

  it('tells the channel a request expired without approval, once its pending schedule fires', async () => {
    const fn = await start({ create: true }, 'PT1S');
    const requestId = await ask(fn);
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const firings = cloud.aws.schedules
      .fireDue(new Date(Date.now() + 61_000))
      .filter((firing) => JSON.stringify(firing.input).includes(requestId));
    for (const firing of firings) await fn.invoke(firing.input);

    expect(firings).toHaveLength(1);
    expect(messages(fn.chatTopicArn, requestId).map((m) => [m.metadata.eventType, m.content.title])).toEqual([
      ['Cache Access Pending', 'alice asks prod-ug for 2 h: INC-42'],
      ['Cache Access Request Expired', "alice's request for prod-ug expired without approval"],
    ]);
  });
});

import type { BusEvent } from '#core/membership/bus-event';
import { APPROVAL_EVENTS } from './events-out';

/**
 * A custom notification of Amazon Q Developer in chat applications (AWS Chatbot): the JSON body of an
 * SNS message on a topic mapped to a Slack channel or Teams channel configuration.
 */
export interface ChatNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    /** The request id: every message about one request lands in one thread. */
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: string;
    readonly relatedResources: readonly string[];
  };
}

/** Only what the messages read: ids, names, times and people's words; never a password or secret value. */
interface Detail {
  readonly requestId?: string;
  readonly groupArn?: string;
  readonly rule?: string;
  readonly user?: string;
  readonly reader?: string;
  readonly duration?: string;
  readonly until?: string;
  readonly reason?: string;
  readonly requestedBy?: string;
  readonly pendingUntil?: string;
  readonly approvalsNeeded?: number;
  readonly approvedBy?: string | readonly string[];
  readonly approvalReason?: string;
  readonly deniedBy?: string;
  readonly decisionReason?: string;
  readonly expiresAt?: string;
  readonly endedAt?: string;
  readonly cause?: string;
}

type Compose = (d: Detail, id: string) => { title: string; lines: string[]; nextSteps: string[] };

const approve = (id: string) => `Approve: \`npm run access -- approve ${id}\``;
const deny = (id: string) => `Deny: \`npm run access -- deny ${id} --reason "…"\``;

/** Each detail-type chat hears about, and what it says; the others (refusals, membership changes) stay on the bus. */
const MESSAGES: Readonly<Record<string, Compose>> = {
  [APPROVAL_EVENTS.pending]: (d, id) => ({
    title: `${person(d.requestedBy)} asks ${groupName(d.groupArn)} for ${span(d)}: ${text(d.reason, 80)}`,
    lines: [
      who(d),
      `Needs ${d.approvalsNeeded ?? 1} approval(s) by ${text(d.pendingUntil)}${d.rule ? ` (rule ${text(d.rule)})` : ''}.`,
    ],
    nextSteps: [approve(id), deny(id)],
  }),
  [APPROVAL_EVENTS.approved]: (d, id) => {
    const left = d.approvalsNeeded ?? 0;
    return {
      title: `${person(first(d.approvedBy))} approved ${person(d.requestedBy)}'s request for ${groupName(d.groupArn)}${left > 0 ? ` (${left} more needed)` : ''}`,
      lines: [who(d), ...(d.approvalReason ? [`Approval: ${text(d.approvalReason)}`] : [])],
      nextSteps: left > 0 ? [approve(id), deny(id)] : [],
    };
  },
  [APPROVAL_EVENTS.denied]: (d) => ({
    title: `${person(d.deniedBy)} denied ${person(d.requestedBy)}'s request for ${groupName(d.groupArn)}`,
    lines: [who(d), ...(d.decisionReason ? [`Denial: ${text(d.decisionReason)}`] : [])],
    nextSteps: [],
  }),
  [APPROVAL_EVENTS.expired]: (d) => ({
    title: `${person(d.requestedBy)}'s request for ${groupName(d.groupArn)} expired without approval`,
    lines: [who(d), `Nothing was granted; it waited until ${text(d.pendingUntil)}.`],
    nextSteps: [],
  }),
  'Cache Access Granted': (d, id) => ({
    title: `${subject(d)} is in ${groupName(d.groupArn)} until ${text(d.expiresAt)}`,
    lines: [
      who(d),
      ...(Array.isArray(d.approvedBy) && d.approvedBy.length > 0
        ? [`Approved by ${d.approvedBy.map((by) => text(by)).join(', ')}.`]
        : []),
    ],
    nextSteps: [`Revoke: \`npm run access -- revoke ${id} --reason "…"\``],
  }),
  'Cache Access Ended': (d) => ({
    title: `${subject(d)} is out of ${groupName(d.groupArn)}: ${text(d.cause)}`,
    lines: [`Ended at ${text(d.endedAt)}.`],
    nextSteps: [],
  }),
};

/** The notification for an event chat hears about, or undefined for one it does not. */
export function chatMessage(event: BusEvent): ChatNotification | undefined {
  const compose = MESSAGES[event.detailType];
  if (compose === undefined) return undefined;
  const detail = event.detail as Detail;
  // Ids are checked where they come in (1-64 of A-Z a-z 0-9 . _ : -); escaped all the same.
  const id = text(detail.requestId, 64);
  const { title, lines, nextSteps } = compose(detail, id);
  return {
    version: '1.0',
    source: 'custom',
    content: {
      textType: 'client-markdown',
      title,
      description: lines.join('\n'),
      nextSteps,
      keywords: [detail.rule, groupName(detail.groupArn), detail.user]
        .filter((word): word is string => typeof word === 'string' && word !== '')
        .map((word) => text(word, 64)),
    },
    metadata: {
      threadId: detail.requestId ?? event.detailType,
      summary: `${event.detailType}: ${id}`,
      eventType: event.detailType,
      relatedResources: event.resources,
    },
  };
}

function who(d: Detail): string {
  return `${subject(d)} in ${text(d.groupArn)} for ${span(d)}, asked by ${text(d.requestedBy)}: ${text(d.reason)}`;
}

/** Who gets the access: the user, or the ephemeral user made for a reader. */
const subject = (d: Detail) =>
  d.user !== undefined ? text(d.user, 128) : `an ephemeral user for ${person(d.reader)}`;

/** How long the request is for, in the channel's words: `2 h`, `30 min`, or until an instant. */
function span(d: Detail): string {
  if (d.until !== undefined) return `until ${text(d.until, 40)}`;
  const match = /^PT?(?:(\d+)W)?(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?/.exec(d.duration ?? '');
  if (!match) return text(d.duration, 40);
  const [, weeks, days, hours, minutes] = match;
  const parts = [
    weeks && `${weeks} w`,
    days && `${days} d`,
    hours && `${hours} h`,
    minutes && `${minutes} min`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : text(d.duration, 40);
}

/** A caller as people say it: the session name of a role session (an Identity Center user's name), a user's name. */
function person(arn: string | undefined): string {
  if (arn === undefined) return 'someone';
  if (arn.startsWith('unverified:')) return `${text(arn.slice('unverified:'.length), 64)} (unverified)`;
  const name =
    /:assumed-role\/[^/]+\/(.+)$/.exec(arn)?.[1] ?? /:(?:user|role)\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
  return text(name ?? arn, 64);
}

const first = (value: string | readonly string[] | undefined) =>
  (Array.isArray(value) ? value[0] : value) as string | undefined;

/** The group's own name, the last part of its ARN. */
const groupName = (arn: string | undefined) => text(arn?.split(/[:/]/).at(-1), 128);

/**
 * Someone's words made inert for a chat client's markdown: one line, no control characters, markup
 * characters escaped (no links, mentions, code or headings of their own), and cut short.
 */
export function text(value: string | undefined, max = 300): string {
  if (value === undefined || value === '') return '-';
  const line = value.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();
  const cut = line.length > max ? `${line.slice(0, max)}…` : line;
  return cut
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_~[\]()#|!])/g, '\\$1');
}

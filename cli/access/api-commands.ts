import { messageOf, type SignedAnswer, type SignedRequest } from '../signed-fetch';
import { pendingReport } from './pending-report';

/** What `npm run access` exits with, so a script can tell a refusal from a failure. */
export const EXIT = {
  ok: 0,
  /** No answer, a server error, no API in the stack, or a request its rule refused. */
  failed: 1,
  usage: 2,
  /** 400: the call was malformed; nothing was recorded. */
  malformed: 3,
  /** 403: AWS or the API did not let the caller do this. */
  forbidden: 4,
  /** 404: no such request (or route). */
  unknown: 5,
  /** 409: already decided, granted or ended. */
  conflict: 6,
} as const;

export const API_COMMANDS = [
  'request',
  'approve',
  'deny',
  'revoke',
  'pending',
  'suspend',
  'reinstate',
] as const;
export type ApiCommand = (typeof API_COMMANDS)[number];

export const isApiCommand = (command: string): command is ApiCommand =>
  (API_COMMANDS as readonly string[]).includes(command);

type Options = Readonly<Record<string, string | boolean | undefined>>;

/** The call a command makes, or what is missing from the command line. */
export function apiCall(
  command: ApiCommand,
  subject: string | undefined,
  values: Options,
): SignedRequest | { readonly usage: string } {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const reason = text('reason');
  const withReason = reason === undefined ? {} : { reason };
  switch (command) {
    case 'pending':
      return { method: 'GET', path: 'requests', query: { status: 'pending' } };
    case 'request': {
      const reader = text('reader');
      const body = Object.fromEntries(
        Object.entries({
          groupArn: text('group'),
          user: text('user'),
          duration: text('for'),
          until: text('until'),
          reason,
          requestId: text('id'),
        }).filter(([, value]) => value !== undefined),
      );
      return {
        method: 'POST',
        path: 'requests',
        body: reader === undefined ? body : { ...body, ephemeral: { reader } },
      };
    }
    case 'approve':
    case 'deny':
    case 'revoke': {
      const id = subject ?? text('request');
      if (id === undefined)
        return { usage: `${command} needs the request id: npm run access -- ${command} <id>` };
      return { method: 'POST', path: `requests/${encodeURIComponent(id)}/${command}`, body: withReason };
    }
    case 'suspend':
    case 'reinstate': {
      const user = subject ?? text('user');
      if (user === undefined)
        return { usage: `${command} needs the user: npm run access -- ${command} <user>` };
      return { method: 'POST', path: `users/${encodeURIComponent(user)}/${command}`, body: withReason };
    }
  }
}

/** What the command prints and exits with, for the API's answer. */
export interface Printed {
  readonly exitCode: number;
  readonly text: string;
}

const REFUSED: Readonly<Record<number, { exitCode: number; what: string }>> = {
  400: { exitCode: EXIT.malformed, what: 'malformed, nothing recorded' },
  403: { exitCode: EXIT.forbidden, what: 'not allowed' },
  404: { exitCode: EXIT.unknown, what: 'not found' },
  409: { exitCode: EXIT.conflict, what: 'already decided or ended' },
};

/** Lambda's front end refuses before the function runs and spells its message `Message` or names a signature problem. */
const BEFORE_THE_API =
  /^(Forbidden|The security token|The request signature|Signature (expired|not yet current)|Credential should be)/;

export function printed(command: ApiCommand, answer: SignedAnswer, now: number): Printed {
  const refused = REFUSED[answer.status];
  if (refused) {
    const message = messageOf(answer.body);
    const hint = BEFORE_THE_API.test(message)
      ? '\nAWS refused the call before the request API saw it: your identity needs lambda:InvokeFunctionUrl and lambda:InvokeFunction on the function (docs/deploying.md), and valid credentials.'
      : '';
    return {
      exitCode: refused.exitCode,
      text: `${command} refused (HTTP ${answer.status}, ${refused.what}): ${message}${hint}`,
    };
  }
  if (answer.status !== 200 || typeof answer.body !== 'object' || answer.body === null) {
    return {
      exitCode: EXIT.failed,
      text: `${command} failed: the request API answered HTTP ${answer.status}: ${messageOf(answer.body)}`,
    };
  }
  const body = answer.body as Record<string, unknown>;
  if (command === 'pending') return { exitCode: EXIT.ok, text: pendingReport(body.requests, now) };
  return outcome(body);
}

function outcome(body: Record<string, unknown>): Printed {
  const id = String(body.requestId ?? body.user ?? '');
  switch (body.status) {
    case 'pending': {
      const needed = Number(body.approvalsNeeded ?? 1);
      return {
        exitCode: EXIT.ok,
        text: [
          `request ${id} is pending: ${needed} more approval${needed === 1 ? '' : 's'} needed, until ${String(body.pendingUntil)}.`,
          `An approver runs: npm run access -- approve ${id}`,
        ].join('\n'),
      };
    }
    case 'granted':
      return {
        exitCode: EXIT.ok,
        text: `request ${id} is granted${body.user ? ` to ${String(body.user)}` : ''}${body.expiresAt ? ` until ${String(body.expiresAt)}` : ''}.`,
      };
    case 'refused':
      return { exitCode: EXIT.failed, text: `request ${id} was refused: ${String(body.refusal)}` };
    default:
      return { exitCode: EXIT.ok, text: `${id}: ${String(body.status)}.` };
  }
}

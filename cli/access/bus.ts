import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ACCESS_EVENTS, parseAccessEvent } from '#core/requests/events-in';
import { CONFIG_FILE_CONTEXT_KEY, loadConfig } from '../../lib/config/load';

const OPERATOR_SOURCE = 'cache-access.operator';

/**
 * Puts a request, revocation, suspension or reinstatement on the stack's bus with the caller's AWS
 * credentials, for trusted automation on a rule with `via: ["api", "bus"]`: who sent it is the sender's own
 * words (`--by`), recorded as unverified. Returns what to print.
 */
export async function putOnBus(command: string, values: Options): Promise<string> {
  const detail = detailOf(command, values);
  const event = { 'detail-type': detail.type, source: OPERATOR_SOURCE, detail: detail.fields };
  // The function's own rules, so a mistake is reported here rather than as a refusal on the bus.
  const parsed = parseAccessEvent(event);
  if ('refusal' in parsed) throw new Error(parsed.refusal.refusal);
  const bus =
    (typeof values.bus === 'string' ? values.bus : undefined) ??
    busFromConfig(typeof values.config === 'string' ? values.config : undefined);
  const client = new EventBridgeClient({});
  try {
    const { FailedEntryCount = 0, Entries = [] } = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: bus,
            Source: OPERATOR_SOURCE,
            DetailType: detail.type,
            Detail: JSON.stringify(detail.fields),
          },
        ],
      }),
    );
    if (FailedEntryCount > 0) {
      throw new Error(
        `bus ${bus} refused the event: ${Entries[0]?.ErrorCode} ${Entries[0]?.ErrorMessage ?? ''}`,
      );
    }
    const subject =
      'requestId' in detail.fields ? `request ${detail.fields.requestId}` : `user ${detail.fields.user}`;
    return [
      `put ${detail.type} for ${subject} on bus ${bus} (event ${Entries[0]?.EventId}).`,
      'The answer arrives on the same bus: Cache Access Granted, Ended or Request Refused.',
    ].join('\n');
  } finally {
    client.destroy();
  }
}

type Options = Record<string, string | boolean | undefined>;

/** The event's detail-type and fields from the command line; what is missing is reported by the event's own rules. */
function detailOf(
  command: string,
  values: Options,
): { type: string; fields: Record<string, string | { reader: string }> } {
  const by = String(values.by);
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const fields = (record: Record<string, string | undefined>) =>
    Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Record<
      string,
      string
    >;
  switch (command) {
    case 'request': {
      const reader = text('reader');
      return {
        type: ACCESS_EVENTS.requested,
        fields: {
          ...fields({
            requestId:
              text('id') ?? `op-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`,
            groupArn: text('group'),
            user: text('user'),
            duration: text('for'),
            until: text('until'),
            requestedBy: by,
            reason: text('reason'),
          }),
          ...(reader !== undefined && { ephemeral: { reader } }),
        },
      };
    }
    case 'revoke':
      return {
        type: ACCESS_EVENTS.revoked,
        fields: fields({
          requestId: text('request'),
          revokedBy: by,
          reason: text('reason') ?? 'revoked by an operator',
        }),
      };
    case 'suspend':
      return {
        type: ACCESS_EVENTS.suspended,
        fields: fields({ user: text('user'), suspendedBy: by, reason: text('reason') }),
      };
    case 'reinstate':
      return {
        type: ACCESS_EVENTS.reinstated,
        fields: fields({
          user: text('user'),
          reinstatedBy: by,
          reason: text('reason') ?? 'reinstated by an operator',
        }),
      };
    default:
      throw new Error(
        `unknown command '${command}'; expected request, revoke, suspend, reinstate or list (npm run access -- --help)`,
      );
  }
}

/** The bus the config names, so the command puts events where the deployed stack listens. */
function busFromConfig(configFile: string | undefined): string {
  const context = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context ?? {};
  const config = loadConfig((key) => (key === CONFIG_FILE_CONTEXT_KEY ? configFile : context[key]));
  const bus = config.membership?.requests?.eventBusName;
  if (!bus)
    throw new Error('the config has no membership.requests section: the stack takes no access events');
  return bus;
}

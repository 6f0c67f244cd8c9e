import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { UserDirectories } from '#core/cache/ports';
import { type CacheGroupRef, memberOf, parseGroupArn } from '#core/cache/refs';
import type { GroupOutcome } from '#core/membership/reconciler';
import { InvalidEventError } from '#core/runtime/errors';
import { quoted } from '#core/runtime/quoted';
import type { AccessRun } from './access-run';
import type { AccessOutcome, AccessService } from './access-service';
import { isBusEvent, type ParsedAccessEvent, parseAccessEvent } from './events-in';
import { type KnownUsers, knownUsers } from './known-users';
import type { RequestLane } from './request-lane';
import type { RequestQueue } from './request-queue';

/** Whether the event is a batch from the request queue, as Lambda's SQS event source sends it. */
export function isQueueBatch(event: unknown): event is { readonly Records: SQSRecord[] } {
  if (typeof event !== 'object' || event === null || !('Records' in event)) return false;
  const { Records } = event as { Records: unknown };
  return (
    Array.isArray(Records) &&
    Records.length > 0 &&
    Records.every((record) => (record as Partial<SQSRecord>)?.eventSource === 'aws:sqs')
  );
}

export interface AccessBatchDeps {
  readonly access: Pick<AccessService, 'handle' | 'refuse' | 'settleBatch'>;
  /** Where a batch reads its requesters in one listing instead of one describe each. */
  readonly users: UserDirectories;
  readonly lane: RequestLane;
  readonly queue: RequestQueue;
  /** Each event's outcome, once its groups are settled (refusals at once). */
  readonly countOutcome: (kind: AccessOutcome['kind']) => void;
  readonly logDecision?: (message: string, data: Record<string, unknown>) => void;
}

/**
 * How long a batch waits for the lane before it works beside its holder: longer than a lone request
 * takes, shorter than anyone would wait for access.
 */
const LANE_WAIT_MS = 15_000;
/** A failed event comes back after this many seconds per delivery so far, not after the queue's timeout. */
const RETRY_STEP_SECONDS = 10;
const MAX_BODY_CHARS_SHOWN = 200;

/**
 * A batch of access events from the queue: every event is recorded (grant, revocation, suspension,
 * reinstatement, refusal) as it would be alone, then every group they touch is settled once, so a
 * burst of requests for one group costs one change. An event fails alone: one whose body is not an
 * access event, whose recording failed, or one of whose groups could not be settled; it comes back
 * from the queue and, after its retries, ends in the failure queue. A refusal is an answer and never
 * comes back.
 */
export class AccessBatch {
  constructor(private readonly deps: AccessBatchDeps) {}

  async handle(records: readonly SQSRecord[], run: AccessRun): Promise<SQSBatchResponse> {
    const parsed = new Map(records.map((record) => [record.messageId, parsedOf(record)]));
    const knownUsers = await this.knownUsers([...parsed.values()]);
    const touched = new Map<string, CacheGroupRef[]>();
    const outcomes = new Map<string, AccessOutcome['kind']>();
    const processor = new BatchProcessor(EventType.SQS);
    processor.register(
      [...records],
      async (record: SQSRecord) => {
        const groups: CacheGroupRef[] = [];
        touched.set(record.messageId, groups);
        const kind = await this.record(parsed.get(record.messageId), {
          ...run,
          knownUsers,
          settleLater: (g) => groups.push(...g),
        });
        outcomes.set(record.messageId, kind);
      },
      { throwOnFullBatchFailure: false },
    );
    // Recorded before waiting for the lane: a batch that holds it now settles these grants' groups too.
    for (const [status, reason, record] of await processor.process()) {
      if (status === 'fail') {
        const { messageId } = record as SQSRecord;
        this.deps.logDecision?.('queued access event failed', { messageId, reason });
      }
    }
    const recorded = new Set(outcomes.keys());
    const hold = await this.deps.lane.take(Math.min(LANE_WAIT_MS, run.deadline.remainingMs() / 2));
    let failedGroups: ReadonlySet<string>;
    try {
      failedGroups = await this.settle(
        [...touched].filter(([id]) => recorded.has(id)).flatMap(([, groups]) => groups),
        run,
        records.length,
      );
    } finally {
      await hold?.release();
    }
    const failed = records.filter(
      (record) =>
        !recorded.has(record.messageId) ||
        (touched.get(record.messageId) ?? []).some((group) => failedGroups.has(group.arn)),
    );
    for (const record of records) {
      const kind = outcomes.get(record.messageId);
      if (kind && !failed.includes(record)) this.deps.countOutcome(kind);
    }
    return { batchItemFailures: await this.retrySoon(failed) };
  }

  private async record(parsed: Parsed | undefined, run: AccessRun): Promise<AccessOutcome['kind']> {
    if (!parsed || 'invalid' in parsed) throw parsed?.invalid ?? new InvalidEventError('record not parsed');
    if ('refusal' in parsed) return (await this.deps.access.refuse(parsed.refusal)).kind;
    return (await this.deps.access.handle(parsed.command, run)).kind;
  }

  /** The requesters of the batch's requests that exist, listed once per engine and region. */
  private async knownUsers(parsed: readonly Parsed[]): Promise<KnownUsers | undefined> {
    const wanted = parsed.flatMap((event) => {
      if (!('command' in event) || event.command.kind !== 'request' || event.command.user === undefined)
        return [];
      const group = tryParseGroupArn(event.command.groupArn);
      return group ? [memberOf(group, event.command.user)] : [];
    });
    // A listing that fails costs the batch nothing: each request describes its own user instead.
    return knownUsers(this.deps.users, wanted).catch(() => undefined);
  }

  /** The touched groups settled; the ARNs of those that failed (all of them when the settle itself failed). */
  private async settle(
    groups: readonly CacheGroupRef[],
    run: AccessRun,
    events: number,
  ): Promise<ReadonlySet<string>> {
    let outcomes: GroupOutcome[];
    try {
      // settleBatch takes each group once, however many events touched it.
      outcomes = await this.deps.access.settleBatch(groups, run, `batch of ${events} access events`);
    } catch (error) {
      const touched = new Set(groups.map((group) => group.arn));
      this.deps.logDecision?.('batch settle failed; its events come back', {
        groups: touched.size,
        reason: (error as Error).name,
        message: (error as Error).message,
      });
      return touched;
    }
    const failed = outcomes.flatMap((outcome) => (outcome.status === 'failed' ? [outcome] : []));
    for (const { group, error } of failed) {
      this.deps.logDecision?.('group not settled; its events come back', {
        groupArn: group.arn,
        reason: error.name,
        message: error.message,
      });
    }
    return new Set(failed.map((outcome) => outcome.group.arn));
  }

  /** Reported back to Lambda, and shown again sooner than the queue's timeout, later each time. */
  private async retrySoon(failed: readonly SQSRecord[]): Promise<SQSBatchItemFailure[]> {
    await Promise.all(
      failed.map(async (record) => {
        const deliveries = Number(record.attributes.ApproximateReceiveCount) || 1;
        // Best effort: without it the message still comes back, after the queue's visibility timeout.
        await this.deps.queue
          .retryAfter(record.receiptHandle, RETRY_STEP_SECONDS * deliveries)
          .catch(() => undefined);
      }),
    );
    return failed.map((record) => ({ itemIdentifier: record.messageId }));
  }
}

type Parsed = ParsedAccessEvent | { readonly invalid: Error };

function parsedOf(record: SQSRecord): Parsed {
  try {
    return parseAccessEvent(bodyOf(record));
  } catch (error) {
    return { invalid: error as Error };
  }
}

function tryParseGroupArn(arn: string): CacheGroupRef | undefined {
  try {
    return parseGroupArn(arn);
  } catch {
    return undefined;
  }
}

function bodyOf(record: SQSRecord): Record<string, unknown> {
  let event: unknown;
  try {
    event = JSON.parse(record.body);
  } catch {
    event = undefined;
  }
  if (!isBusEvent(event)) {
    throw new InvalidEventError(
      `queued message ${record.messageId} is not an access event from the bus: ${quoted(record.body.slice(0, MAX_BODY_CHARS_SHOWN))}`,
    );
  }
  return event;
}

import { parseGroupArn } from '#core/cache/refs';
import { DeployedConfigError } from '#core/runtime/errors';
import type { AccessServiceDeps } from './access-deps';
import type { AccessRun } from './access-run';
import type { Announcer } from './announcer';
import { refusalOf } from './events-in';
import type { RequestedGrant } from './records';
import { requestOf } from './request-decision';
import type { RequestRule } from './rules';

/** How long a slot may be held by a request with no record before it is given back. */
const SLOT_GRACE_MS = 5 * 60_000;

/**
 * The steps that make, finish and delete the users of ephemeral grants, and give back their rules'
 * `maxActive` slots. The steps that clean up return their failures instead of throwing, for the caller
 * to raise once the groups are reconciled, so a user that cannot be deleted holds up no one else.
 */
export class EphemeralLifecycle {
  constructor(
    private readonly deps: Pick<
      AccessServiceDeps,
      'store' | 'requests' | 'ephemeral' | 'expiries' | 'now' | 'onEphemeralUsersCounted'
    >,
    private readonly announcer: Announcer,
  ) {}

  /**
   * An open ephemeral grant's user and secret, made once: a retry finds them and goes on. When AWS
   * refuses the reader, the grant ends as refused with nothing left of it, and the reason comes back.
   */
  async provision(
    grant: RequestedGrant,
    rule: RequestRule | undefined,
    run: AccessRun,
  ): Promise<string | undefined> {
    if (!grant.ephemeral || grant.ephemeral.secretArn !== undefined) return undefined;
    if (!rule?.ephemeral || !this.deps.ephemeral) {
      throw new DeployedConfigError(
        `request ${grant.requestId} asked for an ephemeral user under rule ${grant.ephemeral.rule}, which no longer gives ephemeral users; none is made, and the grant ends at ${grant.expiresAt} or when revoked`,
      );
    }
    const made = await this.deps.ephemeral.provision(grant, rule.ephemeral, rule.group, run.deadline);
    if ('refusal' in made) {
      const endedAt = new Date(this.deps.now()).toISOString();
      const refused = { status: 'refused', endedAt, endReason: made.refusal } as const;
      if (await this.deps.store.endGrant(grant.requestId, refused)) await this.closeRefused(grant);
      return made.refusal;
    }
    await this.deps.store.noteEphemeral(grant.requestId, { secretArn: made.secretArn });
    return undefined;
  }

  /**
   * Open ephemeral grants whose user is not made yet although their request was recorded: the request's
   * invocation failed (and its retries ran out) between recording and handing over. A reader AWS refuses
   * now is announced as a refusal, as the request's own invocation would have.
   */
  async provisionPending(run: AccessRun): Promise<unknown[]> {
    const rules = this.deps.requests?.rules ?? [];
    const pending = (await this.deps.store.activeGrants()).filter(
      (grant) => grant.status === 'open' && grant.ephemeral && grant.ephemeral.secretArn === undefined,
    );
    return failuresOf(pending, async (grant) => {
      const rule = rules.find((candidate) => candidate.name === grant.ephemeral?.rule);
      const refusal = await this.provision(grant, rule, run);
      if (refusal !== undefined) await this.announcer.announceRefusal(refusalOf(requestOf(grant), refusal));
    });
  }

  /**
   * Deletes the users and secrets of ephemeral grants that have ended, and gives their slots back; a
   * refused grant whose closing a crash interrupted is closed.
   */
  async retireEnded(run: AccessRun): Promise<unknown[]> {
    const ephemeral = this.deps.ephemeral;
    if (!ephemeral) return [];
    const active = await this.deps.store.activeGrants();
    const ended = active.flatMap((grant) =>
      grant.ephemeral && grant.status !== 'open' && grant.status !== 'refused' && !grant.ephemeral.retired
        ? [{ grant, rule: grant.ephemeral.rule }]
        : [],
    );
    return [
      ...(await failuresOf(ended, async ({ grant, rule }) => {
        await ephemeral.retire(grant, parseGroupArn(grant.groupArn), run.deadline);
        await this.deps.store.noteEphemeral(grant.requestId, { retired: true });
        await this.deps.store.releaseSlot(rule, grant.requestId);
      })),
      ...(await failuresOf(
        active.filter((grant) => grant.status === 'refused'),
        (grant) => this.closeRefused(grant),
      )),
    ];
  }

  /**
   * What is left of a refused grant once its user and secret are gone: its expiry, its slot, and its
   * place among the active grants. It never had a `Cache Access Granted`, so it gets no `Cache Access
   * Ended` either.
   */
  private async closeRefused(grant: RequestedGrant): Promise<void> {
    await this.deps.expiries?.cancel(grant.requestId);
    if (grant.ephemeral) {
      await this.deps.store.noteEphemeral(grant.requestId, { retired: true });
      await this.deps.store.releaseSlot(grant.ephemeral.rule, grant.requestId);
    }
    await this.deps.store.markPublished(grant.requestId, 'ended');
  }

  /**
   * Deletes ephemeral users and secrets whose request is not open, and gives back slots held by
   * requests whose user is gone or that were never recorded (a crash between taking the slot and
   * recording the grant; only once the slot is old enough that no request can still be on its way to
   * recording).
   */
  async sweep(run: AccessRun): Promise<unknown[]> {
    const ephemeral = this.deps.ephemeral;
    const rules = (this.deps.requests?.rules ?? []).filter((rule) => rule.ephemeral);
    if (!ephemeral || rules.length === 0) return [];
    const failures: unknown[] = [];
    const regions = [
      ...new Map(rules.map(({ group }) => [`${group.engine} ${group.region}`, group])).values(),
    ];
    const isOpen = async (requestId: string) => (await this.deps.store.grant(requestId))?.status === 'open';
    try {
      const { alive } = await ephemeral.sweep(
        regions.map((group) => ({ engine: group.engine, group })),
        isOpen,
        run.deadline,
      );
      this.deps.onEphemeralUsersCounted?.(alive);
    } catch (error) {
      failures.push(error);
    }
    const now = this.deps.now();
    for (const [rule, holders] of await this.deps.store.slots()) {
      for (const [requestId, takenAt] of holders) {
        const grant = await this.deps.store.grant(requestId);
        // An ended ephemeral grant keeps its slot until its user is known to be deleted: it still counts.
        // A grant for an existing user holds one only when it took the requestId of the one that claimed it.
        const stale = grant
          ? grant.status !== 'open' && (grant.ephemeral === undefined || grant.ephemeral.retired === true)
          : now - takenAt > SLOT_GRACE_MS;
        if (stale) await this.deps.store.releaseSlot(rule, requestId);
      }
    }
    return failures;
  }
}

/** Tries the step on every item in turn, and returns what failed instead of stopping at it. */
async function failuresOf<T>(items: readonly T[], step: (item: T) => Promise<void>): Promise<unknown[]> {
  const failures: unknown[] = [];
  for (const item of items) {
    try {
      await step(item);
    } catch (error) {
      failures.push(error);
    }
  }
  return failures;
}

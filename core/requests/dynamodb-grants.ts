import { type AccessTable, isConditionFailure, recordOf } from './dynamodb-table';
import type { RequestedGrant } from './records';
import type { GrantEnd, GrantRecords } from './store';

const GRANTS = 'GRANT';

/** One item per requested grant, keyed by its requestId; `active` until its end is announced. */
export class DynamoDbGrants implements GrantRecords {
  constructor(private readonly table: AccessTable) {}

  async recordGrant(grant: RequestedGrant) {
    try {
      await this.table.put({
        Item: { pk: GRANTS, sk: grant.requestId, active: true, ...grant },
        ConditionExpression: 'attribute_not_exists(sk)',
      });
      return { created: true } as const;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.grant(grant.requestId);
      if (!existing) throw error;
      return { created: false, existing } as const;
    }
  }

  async grant(requestId: string): Promise<RequestedGrant | undefined> {
    const item = await this.table.get({ pk: GRANTS, sk: requestId });
    return item && grantOf(item);
  }

  async activeGrants(): Promise<RequestedGrant[]> {
    return (await this.table.activeIn(GRANTS)).map(grantOf);
  }

  async endGrant(requestId: string, end: GrantEnd): Promise<boolean> {
    return this.table.updateIf({
      Key: { pk: GRANTS, sk: requestId },
      UpdateExpression:
        'SET #status = :status, endedAt = :endedAt, endedBy = :endedBy, endReason = :endReason',
      ConditionExpression: '#status = :open',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': end.status,
        ':endedAt': end.endedAt,
        ':endedBy': end.endedBy ?? null,
        ':endReason': end.endReason ?? null,
        ':open': 'open',
      },
    });
  }

  claimAnnouncement(
    requestId: string,
    which: 'granted' | 'ended',
    { nowMs, untilMs }: { readonly nowMs: number; readonly untilMs: number },
  ): Promise<boolean> {
    const [published, claimed] =
      which === 'granted' ? ['grantedPublished', 'grantedClaimedUntil'] : ['endPublished', 'endClaimedUntil'];
    return this.table.updateIf({
      Key: { pk: GRANTS, sk: requestId },
      UpdateExpression: 'SET #claimed = :until',
      ConditionExpression:
        'attribute_exists(sk) AND #published <> :yes AND (attribute_not_exists(#claimed) OR #claimed < :now)',
      ExpressionAttributeNames: { '#published': published, '#claimed': claimed },
      ExpressionAttributeValues: { ':yes': true, ':until': untilMs, ':now': nowMs },
    });
  }

  async markPublished(requestId: string, which: 'granted' | 'ended'): Promise<void> {
    const update =
      which === 'granted'
        ? { UpdateExpression: 'SET grantedPublished = :yes', ExpressionAttributeValues: { ':yes': true } }
        : {
            UpdateExpression: 'SET endPublished = :yes, retireAt = :retireAt REMOVE active',
            ExpressionAttributeValues: { ':yes': true, ':retireAt': this.table.retireAt() },
          };
    await this.table.update({ Key: { pk: GRANTS, sk: requestId }, ...update });
  }

  async noteEphemeral(
    requestId: string,
    progress: { readonly secretArn: string } | { readonly retired: true },
  ): Promise<void> {
    const [field, value] = 'secretArn' in progress ? ['secretArn', progress.secretArn] : ['retired', true];
    await this.table.update({
      Key: { pk: GRANTS, sk: requestId },
      UpdateExpression: 'SET ephemeral.#field = :value',
      ConditionExpression: 'attribute_exists(ephemeral)',
      ExpressionAttributeNames: { '#field': field },
      ExpressionAttributeValues: { ':value': value },
    });
  }
}

/** A grant as its record: the announcement holds are bookkeeping of the runs, not part of it. */
function grantOf(item: Record<string, unknown>): RequestedGrant {
  const { grantedClaimedUntil: _granted, endClaimedUntil: _end, ...record } = recordOf(item);
  return record as unknown as RequestedGrant;
}

import { type AccessTable, isConditionFailure, recordOf } from './dynamodb-table';
import type { Approval, PendingRequest } from './records';
import type { PendingRequests, RequestClosing } from './store';

/**
 * One item per request waiting for approval, keyed by its requestId in a partition of its own beside
 * the grants (whose items keep their keys); `active` until it is decided and its events are out.
 */
const REQUESTS = 'REQUEST';

export class DynamoDbRequests implements PendingRequests {
  constructor(private readonly table: AccessTable) {}

  async recordRequest(request: PendingRequest) {
    try {
      await this.table.put({
        Item: { pk: REQUESTS, sk: request.requestId, active: true, ...request },
        ConditionExpression: 'attribute_not_exists(sk)',
      });
      return { created: true } as const;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.pendingRequest(request.requestId);
      if (!existing) throw error;
      return { created: false, existing } as const;
    }
  }

  async pendingRequest(requestId: string): Promise<PendingRequest | undefined> {
    const item = await this.table.get({ pk: REQUESTS, sk: requestId });
    return item && requestOf(item);
  }

  async activeRequests(): Promise<PendingRequest[]> {
    return (await this.table.activeIn(REQUESTS)).map(requestOf);
  }

  addApproval(requestId: string, approval: Approval, version: number, completes: boolean): Promise<boolean> {
    return this.table.updateIf({
      Key: { pk: REQUESTS, sk: requestId },
      UpdateExpression: `SET approvals = list_append(approvals, :approval), #version = :next${completes ? ', #status = :approved, decidedAt = :at' : ''}`,
      ConditionExpression: '#version = :version AND #status = :pending',
      ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
      ExpressionAttributeValues: {
        ':approval': [approval],
        ':next': version + 1,
        ':version': version,
        ':pending': 'pending',
        ...(completes && { ':approved': 'approved', ':at': approval.at }),
      },
    });
  }

  closeRequest(requestId: string, close: RequestClosing): Promise<boolean> {
    return this.table.updateIf({
      Key: { pk: REQUESTS, sk: requestId },
      UpdateExpression:
        'SET #status = :status, decidedAt = :at, decidedBy = :by, decisionReason = :reason, #version = #version + :one',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
      ExpressionAttributeValues: {
        ':status': close.status,
        ':at': close.at,
        ':by': close.by ?? null,
        ':reason': close.reason ?? null,
        ':one': 1,
        ':pending': 'pending',
      },
    });
  }

  async markAnnounced(requestId: string, keys: readonly string[], finished: boolean): Promise<void> {
    await this.table.update({
      Key: { pk: REQUESTS, sk: requestId },
      UpdateExpression: `SET announced = list_append(announced, :keys)${finished ? ', retireAt = :retireAt REMOVE active' : ''}`,
      ExpressionAttributeValues: {
        ':keys': [...keys],
        ...(finished && { ':retireAt': this.table.retireAt() }),
      },
    });
  }
}

const requestOf = (item: Record<string, unknown>) => recordOf(item) as unknown as PendingRequest;

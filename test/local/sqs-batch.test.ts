import { describe, expect, it } from 'vitest';
import type { InvocationResult } from '../../local';
import { failedMessageIds, recordOf } from '../../local/lambda/sqs-batch';

const ARN = 'arn:aws:sqs:eu-west-1:123456789012:requests';
const batch = ['m1', 'm2', 'm3'].map((MessageId) => recordOf({ MessageId, Body: MessageId }, ARN));
const returned = (result: unknown): InvocationResult => ({ ok: true, result, durationMs: 1 });
const all = ['m1', 'm2', 'm3'];

describe('reading an SQS invocation as Lambda does', () => {
  it('fails the whole batch when the function failed, whether or not it reports item failures', () => {
    const failed: InvocationResult = { ok: false, error: { name: 'Error', message: 'x' }, durationMs: 1 };

    expect(failedMessageIds(failed, batch, false)).toEqual(all);
    expect(failedMessageIds(failed, batch, true)).toEqual(all);
  });

  it('takes any return as success without ReportBatchItemFailures', () => {
    expect(
      failedMessageIds(returned({ batchItemFailures: [{ itemIdentifier: 'm1' }] }), batch, false),
    ).toEqual([]);
  });

  it('takes a null response, an object without batchItemFailures and an empty list as success', () => {
    for (const result of [
      undefined,
      null,
      {},
      { statusCode: 200 },
      { batchItemFailures: [] },
      { batchItemFailures: null },
    ]) {
      expect(failedMessageIds(returned(result), batch, true)).toEqual([]);
    }
  });

  it('keeps only the named messages, once each', () => {
    const result = { batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm2' }] };

    expect(failedMessageIds(returned(result), batch, true)).toEqual(['m2']);
  });

  it('fails the whole batch on a response that is not an object or an identifier that is empty, null, misnamed or unknown', () => {
    const invalid = [
      'ok',
      [],
      { batchItemFailures: 'm1' },
      { batchItemFailures: [{ itemIdentifier: '' }] },
      { batchItemFailures: [{ itemIdentifier: null }] },
      { batchItemFailures: [{ itemIdentifer: 'm1' }] },
      { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] },
      { batchItemFailures: [null] },
    ];

    for (const result of invalid) {
      expect(failedMessageIds(returned(result), batch, true), JSON.stringify(result)).toEqual(all);
    }
  });
});

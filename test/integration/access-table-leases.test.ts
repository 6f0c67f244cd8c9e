import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbLane } from '#core/requests/dynamodb-lane';
import { DynamoDbAccessStore } from '#core/requests/dynamodb-store';
import { AccessTable } from '#core/requests/dynamodb-table';
import type { RequestedGrant } from '#core/requests/records';
import { accessTableBeside } from '../../local';
import { type LocalDynamo, startDynamo } from '../../local/dynamodb/server';

const TABLE = 'lease-grants';
const NOW = 1_700_000_000_000;

let dynamo: LocalDynamo;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startDynamo();
  await dynamo.createTable(accessTableBeside(inject('bundles').membership ?? ''), TABLE);
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'eu-west-1',
      endpoint: dynamo.url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
});

afterAll(async () => {
  await dynamo?.stop();
});

describe('the request lane in the access table', () => {
  it('lets one holder in at a time, lets the holder renew, and frees on release or when the lease lapses', async () => {
    const lane = new DynamoDbLane(new AccessTable(documents, TABLE, () => NOW));

    expect(await lane.take('a', { nowMs: NOW, untilMs: NOW + 10_000 })).toBe(true);
    expect(await lane.take('b', { nowMs: NOW + 1, untilMs: NOW + 10_001 })).toBe(false);
    expect(await lane.take('a', { nowMs: NOW + 2, untilMs: NOW + 20_000 })).toBe(true);
    // A release by someone else frees nothing.
    await lane.release('b');
    expect(await lane.take('b', { nowMs: NOW + 15_000, untilMs: NOW + 25_000 })).toBe(false);
    // The renewed lease lapses at NOW + 20 s.
    expect(await lane.take('b', { nowMs: NOW + 20_001, untilMs: NOW + 30_000 })).toBe(true);
    await lane.release('b');
    expect(await lane.take('c', { nowMs: NOW + 20_002, untilMs: NOW + 30_000 })).toBe(true);
  });
});

describe('announcement claims on a grant', () => {
  const grant: RequestedGrant = {
    requestId: 'CLAIM-1',
    groupArn: 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:claims-ug',
    user: 'alice',
    requestedBy: 'lead@example.com',
    reason: 'INC-9',
    fingerprint: 'f',
    grantedAt: new Date(NOW).toISOString(),
    expiresAt: new Date(NOW + 3_600_000).toISOString(),
    status: 'open',
    grantedPublished: false,
    endPublished: false,
  };

  it('go to one run at a time, lapse so a stopped run holds nothing up, and end once the announcement is made', async () => {
    const store = new DynamoDbAccessStore(documents, TABLE, () => NOW);
    await store.recordGrant(grant);
    const claim = (nowMs: number) =>
      store.claimAnnouncement(grant.requestId, 'granted', { nowMs, untilMs: nowMs + 60_000 });

    const concurrent = await Promise.all([claim(NOW), claim(NOW), claim(NOW)]);
    expect(concurrent.filter(Boolean)).toHaveLength(1);
    expect(await claim(NOW + 30_000)).toBe(false);
    expect(await claim(NOW + 60_001)).toBe(true);
    await store.markPublished(grant.requestId, 'granted');
    expect(await claim(NOW + 200_000)).toBe(false);
    expect(await store.claimAnnouncement('NO-SUCH', 'granted', { nowMs: NOW, untilMs: NOW + 1 })).toBe(false);
    // The claim is bookkeeping, not part of the grant as read back.
    expect(await store.grant(grant.requestId)).toEqual({ ...grant, grantedPublished: true });
  });
});

import { describe, expect, it } from 'vitest';
import { ACCESS_EVENTS, parseAccessEvent } from '#core/requests/events-in';

const GROUP = 'arn:aws:elasticache:eu-west-1:123456789012:usergroup:prod-ug';
const REQUEST = {
  requestId: 'CHG-1234',
  groupArn: GROUP,
  user: 'alice',
  duration: 'PT2H',
  requestedBy: 'alice@example.com',
  reason: 'INC-42: debugging the checkout cache',
};

const requested = (detail: Record<string, unknown>) =>
  parseAccessEvent({ 'detail-type': ACCESS_EVENTS.requested, source: 'approvals', detail });

/** The refusal text, failing the test when the event was accepted. */
function refusalOf(parsed: ReturnType<typeof parseAccessEvent>): string {
  if (!('refusal' in parsed)) return expect.fail(`expected a refusal, got ${JSON.stringify(parsed)}`);
  return parsed.refusal.refusal;
}

describe('parseAccessEvent', () => {
  it('reads a well-formed request as a request command', () => {
    expect(requested(REQUEST)).toEqual({ command: { kind: 'request', ...REQUEST } });
  });

  it.each([
    ['an empty requestId', { requestId: '' }],
    ['a requestId of 65 characters', { requestId: 'a'.repeat(65) }],
    ['a requestId with a space', { requestId: 'CHG 1234' }],
    ['a requestId with a slash', { requestId: 'CHG/1234' }],
  ])('refuses %s, naming the field and the rule', (_, change) => {
    expect(refusalOf(requested({ ...REQUEST, ...change }))).toMatch(
      /^malformed Cache Access Requested: requestId: expected 1-64 letters, digits, \. _ : or -/,
    );
  });

  it('accepts a requestId of 64 characters from the whole allowed alphabet', () => {
    const requestId = 'Az09._:-'.repeat(8);
    expect(requested({ ...REQUEST, requestId })).toMatchObject({ command: { requestId } });
  });

  it('reads a request for an ephemeral user, with the reader to hand the credentials to', () => {
    const { user: _, ...rest } = REQUEST;
    const detail = { ...rest, ephemeral: { reader: 'arn:aws:iam::123456789012:role/oncall' } };
    expect(requested(detail)).toEqual({ command: { kind: 'request', ...detail } });
  });

  it('refuses a request with both a user and an ephemeral reader, or neither', () => {
    const { user: _, ...neither } = REQUEST;
    const both = { ...REQUEST, ephemeral: { reader: 'arn:aws:iam::123456789012:role/oncall' } };
    expect(refusalOf(requested(both))).toMatch(/user: expected exactly one of user .* and ephemeral/);
    expect(refusalOf(requested(neither))).toMatch(/user: expected exactly one of user .* and ephemeral/);
  });

  it.each([
    ['a pattern', 'arn:aws:iam::123456789012:role/sre-*'],
    ['an S3 bucket', 'arn:aws:s3:::bucket'],
    ['an assumed-role session', 'arn:aws:sts::123456789012:assumed-role/oncall/alice'],
  ])('refuses a reader that is %s, echoing it as ephemeral.reader', (_, reader) => {
    const { user: _user, ...rest } = REQUEST;
    const parsed = requested({ ...rest, ephemeral: { reader } });
    expect(refusalOf(parsed)).toMatch(/ephemeral\.reader: expected the ARN of an IAM role or user/);
    expect('refusal' in parsed && parsed.refusal.request['ephemeral.reader']).toBe(reader);
  });

  it('refuses both duration and until, and neither', () => {
    const both = { ...REQUEST, until: '2030-01-01T00:00:00Z' };
    const { duration: _, ...neither } = REQUEST;
    expect(refusalOf(requested(both))).toMatch(/duration: expected exactly one of duration and until/);
    expect(refusalOf(requested(neither))).toMatch(/duration: expected exactly one of duration and until/);
  });

  it('refuses a duration of zero, in months, or beyond 30 days, and an until without an offset', () => {
    expect(refusalOf(requested({ ...REQUEST, duration: 'PT0S' }))).toMatch(/greater than zero/);
    expect(refusalOf(requested({ ...REQUEST, duration: 'P1M' }))).toMatch(
      /weeks, days, hours, minutes or seconds/,
    );
    expect(refusalOf(requested({ ...REQUEST, duration: 'P31D' }))).toMatch(/at most P30D/);
    const { duration: _, ...rest } = REQUEST;
    expect(refusalOf(requested({ ...rest, until: '2030-01-01T00:00:00' }))).toMatch(/with an offset/);
  });

  it('holds requestedBy to 256 characters and reason to 1024, and requires both', () => {
    expect(requested({ ...REQUEST, requestedBy: 'a'.repeat(256), reason: 'r'.repeat(1024) })).toHaveProperty(
      'command',
    );
    expect(refusalOf(requested({ ...REQUEST, requestedBy: 'a'.repeat(257) }))).toMatch(
      /requestedBy: expected at most 256/,
    );
    expect(refusalOf(requested({ ...REQUEST, reason: 'r'.repeat(1025) }))).toMatch(
      /reason: expected at most 1024/,
    );
    expect(refusalOf(requested({ ...REQUEST, reason: '' }))).toMatch(/reason: expected a reason/);
  });

  it('refuses to suspend, reinstate or grant the default user, which every group requires', () => {
    const suspend = parseAccessEvent({
      'detail-type': ACCESS_EVENTS.suspended,
      detail: { user: 'default', suspendedBy: 'secops', reason: 'INC-7' },
    });
    const reinstate = parseAccessEvent({
      'detail-type': ACCESS_EVENTS.reinstated,
      detail: { user: 'default', reinstatedBy: 'secops', reason: 'INC-7' },
    });
    expect(refusalOf(suspend)).toMatch(/user: the 'default' user is never managed/);
    expect(refusalOf(reinstate)).toMatch(/user: the 'default' user is never managed/);
    expect(refusalOf(requested({ ...REQUEST, user: 'default' }))).toMatch(
      /user: the 'default' user is never managed/,
    );
  });

  it('refuses an unknown detail-type, keeping the requestId it could read', () => {
    const parsed = parseAccessEvent({ 'detail-type': 'Cache Access Wanted', detail: REQUEST });
    expect(parsed).toMatchObject({
      refusal: { requestId: 'CHG-1234', detailType: 'Cache Access Wanted' },
    });
    expect(refusalOf(parsed)).toMatch(
      /^unknown detail-type "Cache Access Wanted"; expected one of Cache Access Requested/,
    );
  });

  it('echoes a hostile request cut short: each field clipped, at most 16 fields, no requestId it cannot trust', () => {
    const hostile: Record<string, unknown> = {
      ...REQUEST,
      requestId: 'x'.repeat(5_000_000),
      reason: 'y'.repeat(100_000),
    };
    for (let i = 0; i < 40; i++) hostile[`extra${i}`] = 'z';

    const parsed = requested(hostile);

    if (!('refusal' in parsed)) return expect.fail('expected a refusal');
    expect(parsed.refusal.requestId).toBeUndefined();
    expect(Object.keys(parsed.refusal.request).length).toBeLessThanOrEqual(16);
    expect(parsed.refusal.request.reason?.length).toBeLessThan(300);
    expect(parsed.refusal.request.reason).toContain('(100000 characters)');
    expect(JSON.stringify(parsed).length).toBeLessThan(10_000);
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '#shared/errors';
import { parseRotationEvent } from '#shared/rotation/event';

const event = { Step: 'createSecret', SecretId: 'arn:secret', ClientRequestToken: 'token-1' };

describe('parseRotationEvent', () => {
  it.each([
    ['createSecret', 'createSecret'],
    ['create_secret', 'createSecret'],
    ['set_secret', 'setSecret'],
    ['test_secret', 'testSecret'],
    ['finish_secret', 'finishSecret'],
  ])('reads step %s as %s', (step, expected) => {
    expect(parseRotationEvent({ ...event, Step: step }).step).toBe(expected);
  });

  it('ignores the RotationToken newer events carry', () => {
    expect(parseRotationEvent({ ...event, RotationToken: 'rt' })).toEqual({
      step: 'createSecret',
      secretId: 'arn:secret',
      token: 'token-1',
    });
  });

  it('names an unknown step and lists the allowed ones', () => {
    expect(() => parseRotationEvent({ ...event, Step: 'deleteSecret' })).toThrow(
      /unknown rotation step 'deleteSecret'; expected one of createSecret, create_secret/,
    );
  });

  it('names every missing field of an event that is not a rotation event', () => {
    const parse = () => parseRotationEvent({ source: 'aws.scheduler' });

    expect(parse).toThrow(InvalidEventError);
    expect(parse).toThrow(/missing or empty Step, SecretId, ClientRequestToken/);
  });
});

import { describe, expect, it } from 'vitest';
import { parseRotationEvent } from '#core/rotation/event';
import { InvalidEventError } from '#core/runtime/errors';

const TOKEN = '3f6c6c1e-8b1f-4f0e-9c3a-2d7e5b9a1c44';
const event = { Step: 'createSecret', SecretId: 'arn:secret', ClientRequestToken: TOKEN };

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
      token: TOKEN,
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
    expect(parse).toThrow(/missing, empty or out-of-bounds Step, SecretId, ClientRequestToken/);
  });

  it('refuses a 5 MB SecretId, naming the field and not echoing the value', () => {
    // Act
    const parse = () => parseRotationEvent({ ...event, SecretId: 'x'.repeat(5_000_000) });

    // Assert
    expect(parse).toThrow(InvalidEventError);
    expect(parse).toThrow(/out-of-bounds SecretId; expected \{Step, SecretId \(1-2048 characters\)/);
    expect(() => parse()).toThrow(expect.objectContaining({ message: expect.stringMatching(/^.{0,300}$/s) }));
  });
});

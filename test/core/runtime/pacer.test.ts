import { describe, expect, it } from 'vitest';
import { Pacer } from '#core/runtime/pacer';
import { FakeClock } from '../../support/fakes';

describe('Pacer', () => {
  it('lets a burst through at once, then one call per 1/rate seconds less 5 %, in order', async () => {
    // Arrange
    const clock = new FakeClock();
    const start = clock.now();
    const pacer = new Pacer(clock, 10, 2);
    const sentAt: number[] = [];

    // Act
    await Promise.all(
      Array.from({ length: 5 }, () => pacer.take().then(() => sentAt.push(clock.now() - start))),
    );

    // Assert: two from the full bucket, then 1 / 9.5 s apart
    expect(sentAt).toEqual([0, 0, 106, 211, 316]);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new Pacer(new FakeClock(), 0)).toThrow('a pacer needs a positive rate; got 0');
  });
});

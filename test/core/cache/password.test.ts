import { describe, expect, it } from 'vitest';
import { EXCLUDED_PASSWORD_CHARACTERS, generatePassword, isAcceptablePassword } from '#core/cache/password';

describe('generatePassword', () => {
  it('draws passwords of the requested length that the services accept', () => {
    for (const length of [32, 64, 128]) {
      const password = generatePassword(length);
      expect(password).toHaveLength(length);
      expect(isAcceptablePassword(password)).toBe(true);
    }
  });

  it('never uses an excluded character', () => {
    const sample = Array.from({ length: 200 }, () => generatePassword(128)).join('');
    for (const c of EXCLUDED_PASSWORD_CHARACTERS) expect(sample).not.toContain(c);
    expect(sample).not.toMatch(/\s/);
  });

  it('uses most of its alphabet, so it is not accidentally narrow', () => {
    const distinct = new Set(Array.from({ length: 50 }, () => generatePassword(128)).join(''));
    expect(distinct.size).toBeGreaterThan(80);
  });

  it.each([31, 129, 40.5])('refuses length %s and says what is allowed', (length) => {
    expect(() => generatePassword(length)).toThrow(
      `password length ${length} is not allowed; expected an integer from 32 to 128`,
    );
  });
});

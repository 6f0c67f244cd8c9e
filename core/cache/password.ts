import { randomInt } from 'node:crypto';

/**
 * Characters a generated password never contains. ElastiCache and MemoryDB reject `,` `"` `/` `@`;
 * quotes, backslash and whitespace are excluded too because they break connection strings,
 * shells and config files that carry the password.
 */
export const EXCLUDED_PASSWORD_CHARACTERS = ',"/@\'`\\ ';

export const PASSWORD_LENGTH = { min: 32, max: 128, default: 64 } as const;

const ALPHABET = Array.from({ length: 126 - 33 + 1 }, (_, i) => String.fromCharCode(33 + i)).filter(
  (c) => !EXCLUDED_PASSWORD_CHARACTERS.includes(c),
);

/** A password drawn uniformly from the allowed printable characters with a CSPRNG. */
export function generatePassword(length: number): string {
  if (!Number.isInteger(length) || length < PASSWORD_LENGTH.min || length > PASSWORD_LENGTH.max) {
    throw new RangeError(
      `password length ${length} is not allowed; expected an integer from ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max}`,
    );
  }
  let password = '';
  for (let i = 0; i < length; i++) password += ALPHABET[randomInt(ALPHABET.length)];
  return password;
}

/** The service's own rule, used to check passwords that arrive in secrets. */
export function isAcceptablePassword(password: string): boolean {
  return (
    password.length >= 16 &&
    password.length <= 128 &&
    /^[\x21-\x7e]+$/.test(password) &&
    !/[,"/@]/.test(password)
  );
}

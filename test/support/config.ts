import { expect } from 'vitest';
import { parseConfig } from '../../lib/config/load';
import { InvalidConfigError } from '../../lib/config/validate';

/** The InvalidConfigError that parsing `input` raises; fails the test if it raises nothing or something else. */
export function configErrorOf(input: unknown): InvalidConfigError {
  try {
    parseConfig(input, 'test config');
  } catch (error) {
    if (error instanceof InvalidConfigError) return error;
    throw error;
  }
  return expect.fail('expected parseConfig to throw a InvalidConfigError');
}

/** The one line of the error message that reports `path`. */
export function problemAt(error: InvalidConfigError, path: string): string {
  const lines = error.message.split('\n').filter((line) => line.trimStart().startsWith(`${path}:`));
  expect(lines, `a line for ${path} in:\n${error.message}`).toHaveLength(1);
  return lines[0] ?? '';
}

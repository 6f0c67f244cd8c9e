import { expect } from 'vitest';
import { ConfigError, parseConfig } from '../../../lib/config/load';

/** The ConfigError that parsing `input` raises; fails the test if it raises nothing or something else. */
export function configErrorOf(input: unknown): ConfigError {
  try {
    parseConfig(input, 'test config');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  return expect.fail('expected parseConfig to throw a ConfigError');
}

/** The one line of the error message that reports `path`. */
export function problemAt(error: ConfigError, path: string): string {
  const lines = error.message.split('\n').filter((line) => line.trimStart().startsWith(`${path}:`));
  expect(lines, `a line for ${path} in:\n${error.message}`).toHaveLength(1);
  return lines[0] ?? '';
}

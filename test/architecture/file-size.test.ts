import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Past this a file usually does more than one thing; split it where it changes subject. */
const MAX_LINES = 300;
const PRODUCT_FOLDERS = ['lib', 'core', 'cli', 'lambdas', 'local', 'bench', 'demo', 'examples'];

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mjs)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

const lineCount = (file: string) => readFileSync(file, 'utf8').split('\n').length - 1;

describe('product files', () => {
  it(`stay under ${MAX_LINES} lines each`, () => {
    const files = PRODUCT_FOLDERS.flatMap(sourceFiles);
    const long = files
      .map((file) => `${file}: ${lineCount(file)}`)
      .filter((row) => Number(row.split(': ')[1]) >= MAX_LINES);

    expect(files.length).toBeGreaterThan(100);
    expect(long).toEqual([]);
  });
});

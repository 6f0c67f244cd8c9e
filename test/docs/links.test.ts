import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every relative link in the Markdown docs points at a file that exists, and every `#anchor` at a
 * heading of that file, with the slugs GitHub gives headings. Web links are skipped: CI is offline.
 */

const ROOT = process.cwd();

/** The text of a doc, or `undefined` when the path is not a file. */
type Reader = (path: string) => string | undefined;

interface Link {
  readonly line: number;
  readonly target: string;
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const CODE_SPAN = /(`+)[\s\S]*?\1/g;
const INLINE_LINK = /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+["'(][^)]*)?\)/g;
const REFERENCE = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const HTML_ANCHOR = /<a\s[^>]*(?:id|name)="([^"]+)"/g;
const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

/** The lines that are prose: fenced code blocks blanked, so a `[x](y)` in an example is no link. */
function proseLines(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const marker = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return '';
    }
    if (marker !== undefined) {
      fence = marker;
      return '';
    }
    return line;
  });
}

function linksOf(text: string): Link[] {
  return proseLines(text).flatMap((raw, index) => {
    const line = raw.replace(CODE_SPAN, '');
    const reference = REFERENCE.exec(line)?.[1];
    const inline = [...line.matchAll(INLINE_LINK)].map((match) => match[1] ?? '');
    return [...inline, ...(reference === undefined ? [] : [reference])].map((target) => ({
      line: index + 1,
      target,
    }));
  });
}

/** GitHub's heading ids (github-slugger): lowercase, punctuation dropped, spaces to `-`, repeats numbered. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(text)) {
    for (const match of line.matchAll(HTML_ANCHOR)) anchors.add(match[1] ?? '');
    const heading = HEADING.exec(line)?.[1];
    if (heading === undefined) continue;
    const words = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/`/g, '');
    const base = words
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** What is wrong with each link of `doc` (a path from the repository root), one line per broken link. */
function brokenLinks(doc: string, read: Reader, exists: (path: string) => boolean): string[] {
  const text = read(doc) ?? '';
  const problems: string[] = [];
  for (const { line, target } of linksOf(text)) {
    if (EXTERNAL.test(target)) continue;
    const at = `${doc}:${line}: ${target || '(empty)'}`;
    const hash = target.indexOf('#');
    const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    if (target === '' || (pathPart === '' && !anchor)) {
      problems.push(`${at}: empty link`);
      continue;
    }
    const file =
      pathPart === ''
        ? doc
        : normalize(pathPart.startsWith('/') ? pathPart.slice(1) : join(dirname(doc), pathPart));
    if (file === '..' || file.startsWith(`..${sep}`)) {
      problems.push(`${at}: leaves the repository (GitHub cannot show it)`);
      continue;
    }
    if (pathPart !== '' && !exists(file)) {
      problems.push(`${at}: no file ${file}`);
      continue;
    }
    if (anchor === undefined || !file.endsWith('.md')) continue;
    const anchors = anchorsOf(read(file) ?? '');
    if (!anchors.has(anchor)) problems.push(`${at}: no heading #${anchor} in ${file}`);
  }
  return problems;
}

function markdownUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

const DOCS = ['README.md', 'CONTRIBUTING.md', ...markdownUnder(join(ROOT, 'docs'))];

const readFromDisk: Reader = (path) => {
  const full = join(ROOT, path);
  return existsSync(full) && statSync(full).isFile() ? readFileSync(full, 'utf8') : undefined;
};
const existsOnDisk = (path: string) => existsSync(join(ROOT, path));

describe('documentation links', () => {
  it.each(DOCS)('%s links only to files and headings that exist', (doc) => {
    expect(existsOnDisk(doc)).toBe(true);

    expect(brokenLinks(doc, readFromDisk, existsOnDisk)).toEqual([]);
  });

  it('finds links in every doc, so a change in the link syntax cannot pass unchecked', () => {
    const counts = DOCS.map((doc) => linksOf(readFromDisk(doc) ?? '').length);

    expect(DOCS.length).toBeGreaterThan(5);
    expect(counts.every((count) => count > 0)).toBe(true);
  });
});

describe('the link checker', () => {
  const files: Record<string, string> = {
    'README.md': [
      '# Cache access',
      '## `membership.requests`: access on request',
      '## Limits',
      '## Limits',
      'See [config](docs/configuration.md#the-rotation-section), [requests](#membershiprequests-access-on-request),',
      '[again](#limits-1), [web](https://example.com/x#y), [code](lib/app.ts#L3) and `[not a link](nowhere.md)`.',
      '[ref]: ./docs/configuration.md',
      '```',
      '[in a code block](missing.md)',
      '```',
    ].join('\n'),
    'docs/configuration.md':
      '# Configuration\n\n## The rotation section\n\n[Back](../README.md#cache-access)\n',
    'lib/app.ts': '',
  };
  const read: Reader = (path) => files[path];
  const exists = (path: string) => path in files || path === 'docs';

  it('accepts links to files and headings that exist, and ignores web links and code', () => {
    expect(brokenLinks('README.md', read, exists)).toEqual([]);
    expect(brokenLinks('docs/configuration.md', read, exists)).toEqual([]);
  });

  it('reports a missing file, a missing heading and a link out of the repository', () => {
    const broken = [
      'See [gone](docs/gone.md), [typo](docs/configuration.md#the-rotaton-section),',
      '[here](#nowhere) and [outside](../shared/docs/house-style.md).',
    ].join('\n');

    expect(
      brokenLinks('CONTRIBUTING.md', (path) => (path === 'CONTRIBUTING.md' ? broken : read(path)), exists),
    ).toEqual([
      'CONTRIBUTING.md:1: docs/gone.md: no file docs/gone.md',
      'CONTRIBUTING.md:1: docs/configuration.md#the-rotaton-section: no heading #the-rotaton-section in docs/configuration.md',
      'CONTRIBUTING.md:2: #nowhere: no heading #nowhere in CONTRIBUTING.md',
      'CONTRIBUTING.md:2: ../shared/docs/house-style.md: leaves the repository (GitHub cannot show it)',
    ]);
  });

  it('numbers repeated headings and drops punctuation the way GitHub does', () => {
    const anchors = anchorsOf('# A: b.c\n## A: b.c\n### Done — 100% (v2)\n');

    expect([...anchors]).toEqual(['a-bc', 'a-bc-1', 'done--100-v2']);
  });
});

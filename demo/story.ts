import type { Engine } from '../local';

/** Everything the demo tells the reader goes through here, so the functions' own logs never mix in. */

const RULE_WIDTH = 100;

export const ENGINE_LABEL: Readonly<Record<Engine, string>> = {
  elasticache: 'ElastiCache',
  memorydb: 'MemoryDB',
};

export function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function act(title: string): void {
  const head = `━━ ${title} `;
  say();
  say(`${head}${'━'.repeat(Math.max(3, RULE_WIDTH - head.length))}`);
}

/** One table row: every cell but the last is padded to its column's width, so columns line up. */
export function row(widths: readonly number[], cells: readonly string[]): void {
  const padded = cells.map((cell, index) =>
    index < cells.length - 1 ? cell.padEnd(widths[index] ?? 0) : cell,
  );
  say(`  ${padded.join('  ').trimEnd()}`);
}

/** Right-aligned, so durations in a column line up on their last digit. */
export function took(ms: number): string {
  return (ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`).padStart(8);
}

/** Enough of a password to tell two apart on screen; never the password itself. */
export function mask(password: string): string {
  return `${password.slice(0, 4)}…`;
}

/** Version ids and tokens are not secret, but eight characters are enough to tell them apart. */
export function short(id: string): string {
  return `${id.slice(0, 8)}…`;
}

export function clock(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 19)} UTC`;
}

export function list(items: readonly string[]): string {
  return items.length > 0 ? items.join(', ') : '-';
}

export const yesNo = (value: boolean) => (value ? 'yes' : 'no');

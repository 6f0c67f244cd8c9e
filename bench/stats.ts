/** One line of the results table: this project's figure, the baseline's, and their ratio. */
export interface Row {
  readonly section: string;
  readonly metric: string;
  readonly unit: string;
  readonly ours: number;
  readonly baseline: number;
  /** ours / baseline; below 1 means this project needs less; null when the baseline is 0. */
  readonly ratio: number | null;
  readonly note?: string;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function row(
  section: string,
  metric: string,
  unit: string,
  ours: number,
  baseline: number,
  note?: string,
): Row {
  return {
    section,
    metric,
    unit,
    ours,
    baseline,
    ratio: baseline === 0 ? null : ours / baseline,
    note,
  };
}

const format = (value: number) =>
  Number.isInteger(value) ? String(value) : Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);

/** A Markdown table, so the README can take it as printed. */
export function table(rows: readonly Row[]): string {
  const header = ['section', 'metric', 'unit', 'this project', 'baseline', 'ratio', 'limit or note'];
  const lines = rows.map((r) => [
    r.section,
    r.metric,
    r.unit,
    format(r.ours),
    format(r.baseline),
    r.ratio === null ? '—' : `${r.ratio.toFixed(2)}x`,
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const render = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [render(header), render(widths.map((w) => '-'.repeat(w))), ...lines.map(render)].join('\n');
}

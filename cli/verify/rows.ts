/** ok and warn pass; fail makes the command exit 1; skip is a check the stack gives nothing to run on. */
export type Status = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of the report: what was checked, on what, and what was found. */
export interface Row {
  readonly check: string;
  readonly subject: string;
  readonly status: Status;
  readonly detail: string;
}

/** A check that could not even read what it checks fails with the service's own words. */
export function failedRead(check: string, subject: string, error: unknown): Row {
  const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { check, subject, status: 'fail', detail: `could not read it: ${why}` };
}

/** The rows as a table with aligned columns, one row a line. */
export function renderRows(rows: readonly Row[]): string {
  const header: Row = { check: 'check', subject: 'subject', status: 'status' as Status, detail: 'detail' };
  const all = [header, ...rows];
  const width = (key: 'check' | 'subject' | 'status') => Math.max(...all.map((row) => row[key].length));
  const [check, subject, status] = [width('check'), width('subject'), width('status')];
  return all
    .map((row) =>
      [row.check.padEnd(check), row.subject.padEnd(subject), row.status.padEnd(status), row.detail]
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** 1 when any row fails, else 0: warnings and skipped checks do not fail a verify. */
export const exitCodeOf = (rows: readonly Row[]) => (rows.some((row) => row.status === 'fail') ? 1 : 0);

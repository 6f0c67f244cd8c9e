import { describe, expect, it } from 'vitest';
import { exitCodeOf, failedRead, type Row, renderRows } from '../../../cli/verify/rows';

const row = (status: Row['status'], subject = 'app-secret'): Row => ({
  check: 'secret rotation',
  subject,
  status,
  detail: `it is ${status}`,
});

describe('verify rows', () => {
  it('aligns the columns under a header, one row a line', () => {
    const table = renderRows([row('ok'), { check: 'stack', subject: 'S', status: 'fail', detail: 'x' }]);

    expect(table.split('\n')).toEqual([
      'check            subject     status  detail',
      'secret rotation  app-secret  ok      it is ok',
      'stack            S           fail    x',
    ]);
  });

  it('exits 1 only when a row fails: warnings and skipped checks pass', () => {
    expect(exitCodeOf([row('ok'), row('warn'), row('skip')])).toBe(0);
    expect(exitCodeOf([row('ok'), row('fail')])).toBe(1);
  });

  it('fails a check that could not read its subject with the service error name and message', () => {
    const error = Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' });

    expect(failedRead('alert subscribers', 'arn:t', error)).toEqual({
      check: 'alert subscribers',
      subject: 'arn:t',
      status: 'fail',
      detail: 'could not read it: NotFoundException: Topic does not exist',
    });
  });
});

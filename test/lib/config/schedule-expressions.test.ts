import { describe, expect, it } from 'vitest';
import {
  isRotationSchedule,
  isSchedulerExpression,
  rateMinutes,
} from '../../../lib/config/schedule-expressions';

describe('schedule expressions', () => {
  it.each([
    ['rate(1 minute)', 1],
    ['rate(15 minutes)', 15],
    ['rate(4 hours)', 240],
    ['rate(1 day)', 1440],
  ])('reads %s as %i minutes', (expression, minutes) => {
    expect(rateMinutes(expression)).toBe(minutes);
  });

  it.each(['rate(1 minutes)', 'rate(4 hour)', 'rate(0 days)', 'rate(2 weeks)', 'rate(-1 days)'])(
    'refuses the rate %s',
    (expression) => {
      expect(rateMinutes(expression)).toBeUndefined();
    },
  );

  it.each([
    ['cron(0/10 * * * ? *)', true],
    ['cron(0 9 ? * MON-FRI *)', true],
    ['cron(* * * * * *)', false],
    ['cron(0 9 ? * ? *)', false],
    ['cron(0 9 * *)', false],
  ])('Scheduler accepts %s: %s', (expression, accepted) => {
    expect(isSchedulerExpression(expression)).toBe(accepted);
  });

  it.each([
    ['rate(4 hours)', true],
    ['rate(30 days)', true],
    ['rate(1000 days)', true],
    ['rate(3 hours)', false],
    ['rate(1001 days)', false],
    ['rate(300 minutes)', false],
    ['cron(0 10 * * ? *)', true],
    ['cron(0 0/4 * * ? *)', true],
    ['cron(0 2,8,14,20 * * ? *)', true],
    ['cron(0 * * * ? *)', false],
    ['cron(0 0/2 * * ? *)', false],
    ['cron(0 1,22 * * ? *)', false],
    ['cron(0 9-17 * * ? *)', false],
    ['cron(15 10 * * ? *)', false],
  ])('Secrets Manager accepts %s as a rotation schedule: %s', (expression, accepted) => {
    expect(isRotationSchedule(expression)).toBe(accepted);
  });
});

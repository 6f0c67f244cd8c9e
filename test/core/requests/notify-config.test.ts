import { describe, expect, it } from 'vitest';
import { notifySchema } from '#core/requests/notify-config';

const problems = (value: unknown) => {
  const result = notifySchema.safeParse(value);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('requests.notify', () => {
  it('takes a topic by ARN or create: true', () => {
    expect(problems({ topicArn: 'arn:aws:sns:eu-west-1:123456789012:ops-chat' })).toEqual([]);
    expect(problems({ create: true })).toEqual([]);
  });

  it.each([
    [{}, ': expected exactly one of topicArn (a topic you have) and create: true (the stack makes one)'],
    [
      { topicArn: 'arn:aws:sns:eu-west-1:123456789012:ops-chat', create: true },
      ': expected exactly one of topicArn (a topic you have) and create: true (the stack makes one)',
    ],
    [
      { topicArn: 'arn:aws:sqs:eu-west-1:123456789012:ops-chat' },
      "topicArn: expected an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), got 'arn:aws:sqs:eu-west-1:123456789012:ops-chat'",
    ],
    [{ create: false }, 'create: expected create: true (the stack makes the topic), or a topicArn'],
    [{ create: true, channel: '#ops' }, ': Unrecognized key: "channel"'],
  ])('refuses %j, naming the problem', (value, problem) => {
    expect(problems(value)).toContain(problem);
  });
});

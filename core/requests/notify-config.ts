import { z } from 'zod';
import { quoted } from '#core/runtime/quoted';

const TOPIC_ARN = /^arn:aws(-cn|-us-gov)?:sns:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/**
 * `requests.notify`: the SNS topic a chat channel (Amazon Q Developer in chat applications) is mapped to,
 * given by ARN, or `create: true` for one the stack makes. Pending, approved, denied, expired, granted
 * and ended requests are published to it as custom notifications.
 */
export const notifySchema = z
  .strictObject({
    topicArn: z
      .string()
      .refine((arn) => TOPIC_ARN.test(arn), {
        error: (issue) =>
          `expected an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), got ${quoted(String(issue.input))}`,
      })
      .optional(),
    create: z.literal(true, 'expected create: true (the stack makes the topic), or a topicArn').optional(),
  })
  .refine((notify) => (notify.topicArn === undefined) !== (notify.create === undefined), {
    message: 'expected exactly one of topicArn (a topic you have) and create: true (the stack makes one)',
  });

export type NotifySpec = z.output<typeof notifySchema>;

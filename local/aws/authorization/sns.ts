import type { TopicStore } from '../sns/store';
import type { ServiceAuthorizations } from './types';

/**
 * Publish is authorized on the topic; to an encrypted topic it also uses the topic's key on the
 * publisher's behalf, which SNS does with `kms:GenerateDataKey*` and `kms:Decrypt` via SNS.
 */
export function snsAuthorizations(topics: TopicStore): ServiceAuthorizations {
  return {
    Publish: (input, { region }) => {
      const topicArn = input.string('TopicArn') ?? '';
      const key = topics.keyOf(topicArn);
      const viaSns = { 'kms:ViaService': `sns.${region}.amazonaws.com` };
      return [
        { action: 'sns:Publish', resource: topicArn, context: {} },
        ...(key
          ? [
              { action: 'kms:GenerateDataKey', resource: key, context: viaSns },
              { action: 'kms:Decrypt', resource: key, context: viaSns },
            ]
          : []),
      ];
    },
  };
}

import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { paginateListSubscriptionsByTopic, type SNSClient } from '@aws-sdk/client-sns';
import { failedRead, type Row } from './rows';

/** The grant table answers DescribeTable as ACTIVE: the membership function reads it on every run. */
export async function tableRow(client: DynamoDBClient, tableName: string | undefined): Promise<Row> {
  const check = 'grant table';
  if (tableName === undefined) {
    return { check, subject: '-', status: 'skip', detail: 'the stack has no grant table output' };
  }
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const status = Table?.TableStatus ?? 'unknown';
    return status === 'ACTIVE'
      ? { check, subject: tableName, status: 'ok', detail: 'active' }
      : { check, subject: tableName, status: 'fail', detail: `status ${status}, not ACTIVE` };
  } catch (error) {
    return failedRead(check, tableName, error);
  }
}

/**
 * The alert topic has a confirmed subscription. SNS lists one still waiting for its confirmation as
 * `PendingConfirmation`: it receives nothing, and an alert nobody receives is silence.
 */
export async function topicRow(client: SNSClient, topicArn: string | undefined): Promise<Row> {
  const check = 'alert subscribers';
  if (topicArn === undefined) {
    return { check, subject: '-', status: 'fail', detail: 'the stack has no AlertTopicArn output' };
  }
  const confirmed: string[] = [];
  let pending = 0;
  try {
    for await (const page of paginateListSubscriptionsByTopic({ client }, { TopicArn: topicArn })) {
      for (const { SubscriptionArn, Protocol } of page.Subscriptions ?? []) {
        if (SubscriptionArn === 'PendingConfirmation') pending += 1;
        else if (SubscriptionArn?.startsWith('arn:')) confirmed.push(Protocol ?? 'unknown');
      }
    }
  } catch (error) {
    return failedRead(check, topicArn, error);
  }
  const waiting = pending > 0 ? `, ${pending} pending confirmation` : '';
  return confirmed.length > 0
    ? {
        check,
        subject: topicArn,
        status: 'ok',
        detail: `${confirmed.length} confirmed (${confirmed.join(', ')})${waiting}`,
      }
    : {
        check,
        subject: topicArn,
        status: 'fail',
        detail: `no confirmed subscription${waiting}: alerts reach nobody`,
      };
}

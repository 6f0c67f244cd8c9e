import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NOTHING_REQUESTED } from '#core/membership/desired';
import { StoredCoverage } from '#core/requests/coverage';
import { DynamoDbAccessStore } from '#core/requests/dynamodb-store';
import type { MembershipConfig } from '../../lib/config/membership';
import { tableRow, topicRow } from './endpoints';
import { type GroupCheck, groupRows } from './groups';
import { requestApiRow, type SigningIdentity } from './request-api';
import { rotationRows } from './rotation';
import { failedRead, type Row } from './rows';
import { scheduleRows } from './schedules';
import { outputStartingWith, readStack, resourcesOf, type StackInventory } from './stack';

export interface VerifyClients {
  readonly cloudFormation: CloudFormationClient;
  readonly secretsManager: SecretsManagerClient;
  readonly scheduler: SchedulerClient;
  readonly dynamoDb: DynamoDBClient;
  readonly sns: SNSClient;
}

export interface VerifyRequest {
  readonly clients: VerifyClients;
  readonly stackName: string;
  /** The config the stack was deployed from, for who each group should hold now. */
  readonly membership: MembershipConfig | undefined;
  readonly readGroups: GroupCheck['readGroups'];
  /** The caller's credentials and region, to sign the request API's GET. */
  readonly identity: () => Promise<SigningIdentity>;
  readonly region: string;
  readonly now: Date;
}

/** Every read-only check of a deployed stack, each a row; nothing is changed. */
export async function verifyStack(request: VerifyRequest): Promise<Row[]> {
  const { clients, stackName } = request;
  let stack: StackInventory;
  try {
    stack = await readStack(clients.cloudFormation, stackName);
  } catch (error) {
    return [failedRead('stack', stackName, error)];
  }
  const settled = /_COMPLETE$/.test(stack.status) && !/ROLLBACK|DELETE/.test(stack.status);
  const stackRow: Row = {
    check: 'stack',
    subject: stackName,
    status: settled ? 'ok' : 'fail',
    detail: stack.status,
  };
  const tableName = outputStartingWith(stack, 'MembershipAccessTableName');
  const readCoverage = async () =>
    tableName === undefined
      ? NOTHING_REQUESTED
      : new StoredCoverage(
          new DynamoDbAccessStore(DynamoDBDocumentClient.from(clients.dynamoDb), tableName),
        ).coverage();
  const rows = await Promise.all([
    rotationRows(
      clients.secretsManager,
      resourcesOf(stack, 'AWS::SecretsManager::RotationSchedule'),
      request.now,
    ),
    scheduleRows(
      clients.scheduler,
      resourcesOf(stack, 'AWS::Scheduler::ScheduleGroup'),
      resourcesOf(stack, 'AWS::Scheduler::Schedule'),
    ),
    groupRows({
      membership: request.membership,
      readGroups: request.readGroups,
      readCoverage,
      now: request.now,
    }),
    tableRow(clients.dynamoDb, tableName).then((row) => [row]),
    topicRow(clients.sns, outputStartingWith(stack, 'AlertTopicArn')).then((row) => [row]),
    requestApiRow(outputStartingWith(stack, 'AccessApiUrl'), {
      identity: request.identity,
      region: request.region,
    }).then((row) => [row]),
  ]);
  return [stackRow, ...rows.flat()];
}

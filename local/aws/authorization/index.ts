import type { GroupStore } from '../groups/store';
import type { SecretStore } from '../secrets/store';
import type { TopicStore } from '../sns/store';
import type { QueueStore } from '../sqs/store';
import type { UserStore } from '../users/store';
import type { ServiceName } from '../wire/protocols';
import { elastiCacheAuthorizations, memoryDbAuthorizations } from './cache';
import { dynamoDbAuthorizations } from './dynamodb';
import {
  cloudFormationAuthorizations,
  eventBridgeAuthorizations,
  schedulerAuthorizations,
} from './scheduling';
import { secretsManagerAuthorizations } from './secrets';
import { snsAuthorizations } from './sns';
import { sqsAuthorizations } from './sqs';
import type { Authorizer, ServiceAuthorizations } from './types';

export type { Authorization, Authorizer, ConditionValues } from './types';

/**
 * The authorization facts of every operation the endpoint serves; an operation without facts gets
 * none, and whoever checks the calls must report that rather than pass it.
 */
export function authorizer(stores: {
  readonly users: UserStore;
  readonly groups: GroupStore;
  readonly secrets: SecretStore;
  readonly topics: TopicStore;
  readonly queues: QueueStore;
}): Authorizer {
  const services: Partial<Record<ServiceName, ServiceAuthorizations>> = {
    elasticache: elastiCacheAuthorizations(stores.users, stores.groups),
    memorydb: memoryDbAuthorizations(stores.users, stores.groups),
    secretsmanager: secretsManagerAuthorizations(stores.secrets),
    scheduler: schedulerAuthorizations,
    eventbridge: eventBridgeAuthorizations,
    cloudformation: cloudFormationAuthorizations,
    dynamodb: dynamoDbAuthorizations,
    sns: snsAuthorizations(stores.topics),
    sqs: sqsAuthorizations(stores.queues),
  };
  return (service, operation, input, region) => {
    const facts = services[service]?.[operation];
    if (facts === undefined) return [];
    try {
      return facts(input, { region });
    } catch {
      // A request too malformed to read is refused by the service before IAM sees a resource.
      return [];
    }
  };
}

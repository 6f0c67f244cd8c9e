import { ACCOUNT } from '../account';
import type { Input } from '../wire/input';
import type { Authorization, RequestScope, ServiceAuthorizations } from './types';

/** Operations on one table; batch and transaction calls span tables and get no facts, so a check reports them. */
const SINGLE_TABLE = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'DescribeTable'];

/** The table, or the index a Query or Scan reads, as `dynamodb:<Operation>` authorizes it. */
const onTable =
  (operation: string) =>
  (input: Input, { region }: RequestScope): readonly Authorization[] => {
    const table = input.string('TableName');
    if (!table) return [];
    const index = input.string('IndexName');
    return [
      {
        action: `dynamodb:${operation}`,
        resource: `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${table}${index ? `/index/${index}` : ''}`,
        context: {},
      },
    ];
  };

export const dynamoDbAuthorizations: ServiceAuthorizations = Object.fromEntries(
  SINGLE_TABLE.map((operation) => [operation, onTable(operation)]),
);

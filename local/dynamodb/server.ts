import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

/** The properties of an `AWS::DynamoDB::Table` the local server needs to create the same table. */
export interface TableDefinition {
  readonly KeySchema: CreateTableCommandInput['KeySchema'];
  readonly AttributeDefinitions: CreateTableCommandInput['AttributeDefinitions'];
  readonly GlobalSecondaryIndexes?: CreateTableCommandInput['GlobalSecondaryIndexes'];
}

/** dynalite, in memory: the DynamoDB wire protocol with tables, conditions and queries (no TTL API). */
export interface LocalDynamo {
  readonly url: string;
  /** Creates a table as the template defines it, under `name`; on-demand, active at once. */
  createTable(definition: TableDefinition, name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startDynamo(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    region: 'eu-west-1',
    endpoint: url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    url,
    async createTable(definition, name) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: definition.KeySchema,
          AttributeDefinitions: definition.AttributeDefinitions,
          GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes,
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    },
    async stop() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

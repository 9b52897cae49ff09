/**
 * Table provisioning over a table created before an index of the schema existed (a store from an
 * earlier release): DynamoDB Local gets the missing indexes added with UpdateTable; dynalite
 * cannot add an index, and provisioning refuses loudly, naming the index and the remedy.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createTables } from '@tessera/broker/provisioning';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTable } from '../src/adapters/dynamodb-schema.js';
import { backends, clientFor, type RunningServer } from './dynamo-servers.js';

/** The audit table as the release before the trail routes declared it (no byEventId, byUsername). */
async function createOldAuditTable(client: DynamoDBClient, name: string): Promise<void> {
  const a = auditTable;
  const indexes = [a.byRoleIndex, a.byDayIndex, a.byBindingIndex, a.byResultDayIndex];
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [a.partitionKey, a.sortKey, ...indexes.map((i) => i.partitionKey)].map(
        (AttributeName) => ({ AttributeName, AttributeType: 'S' as const }),
      ),
      KeySchema: [
        { AttributeName: a.partitionKey, KeyType: 'HASH' },
        { AttributeName: a.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: indexes.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      })),
    }),
  );
}

describe.each(backends)('createTables over an older audit table on $name', (backend) => {
  let server: RunningServer;
  let client: DynamoDBClient;

  beforeAll(async () => {
    if (!backend.available) return;
    server = await backend.start();
    client = clientFor(server.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it.skipIf(!backend.available)(
    'adds the missing indexes where the store can, else refuses naming them',
    async () => {
      await createOldAuditTable(client, 'old-audit');
      const provisioning = createTables(client, {
        bindings: 'old-bindings',
        audit: 'old-audit',
        subjects: 'old-subjects',
      });
      if (backend.name === 'dynalite') {
        await expect(provisioning).rejects.toThrow(
          /old-audit lacks the index byEventId, byUsername .*remove its state directory/,
        );
        return;
      }
      await provisioning;
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'old-audit' }));
      expect((Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName).sort()).toEqual(
        ['byBinding', 'byDay', 'byEventId', 'byResultDay', 'byRole', 'byUsername'].sort(),
      );
    },
    120_000,
  );
});

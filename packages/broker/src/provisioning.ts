/**
 * @tessera/broker/provisioning: creating the tables from the shared schema, for the local stack and
 * tests (infra declares the same tables with SST). Not part of the runtime adapters: a Lambda never
 * creates tables.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { auditTable, bindingsTable, subjectsTable } from './adapters/dynamodb-schema.js';

export interface TableNames {
  readonly bindings: string;
  readonly audit: string;
  readonly subjects: string;
}

async function createAndWait(
  client: DynamoDBClient,
  input: CreateTableCommandInput,
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(input));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
    await addMissingIndexes(client, input);
  }
  await waitActive(client, input);
  const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
  const missing = missingIndexes(input, Table?.GlobalSecondaryIndexes ?? []);
  if (missing.length > 0) {
    // dynalite cannot add an index to a table: a local store from before the index is refused loudly.
    throw new Error(
      `table ${input.TableName} lacks the index ${missing.join(', ')} and it could not be added: ` +
        'for a local stack, stop it and remove its state directory (or use another TESSERA_HOME)',
    );
  }
}

function missingIndexes(
  input: CreateTableCommandInput,
  present: readonly { IndexName?: string }[],
) {
  const names = new Set(present.map((g) => g.IndexName));
  return (input.GlobalSecondaryIndexes ?? [])
    .map((g) => g.IndexName as string)
    .filter((name) => !names.has(name));
}

/** A table created before an index of the schema existed gets it (one index per UpdateTable). */
async function addMissingIndexes(
  client: DynamoDBClient,
  input: CreateTableCommandInput,
): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
  for (const name of missingIndexes(input, Table?.GlobalSecondaryIndexes ?? [])) {
    const index = input.GlobalSecondaryIndexes?.find((g) => g.IndexName === name);
    await waitActive(client, input);
    const added = client.send(
      new UpdateTableCommand({
        TableName: input.TableName,
        AttributeDefinitions: input.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: name,
              KeySchema: index?.KeySchema,
              Projection: index?.Projection,
            },
          },
        ],
      }),
    );
    // Refused (dynalite does not add indexes): createAndWait names what is missing.
    if (!(await added.then(() => true).catch(() => false))) return;
  }
}

async function waitActive(client: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
    if (
      Table?.TableStatus === 'ACTIVE' &&
      (Table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE')
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`table ${input.TableName} did not become ACTIVE`);
}

function bindingsTableInput(name: string): CreateTableCommandInput {
  const b = bindingsTable;
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: b.partitionKey, AttributeType: 'S' },
      { AttributeName: b.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: b.partitionKey, KeyType: 'HASH' },
      { AttributeName: b.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: b.byIdIndex.name,
        KeySchema: [{ AttributeName: b.byIdIndex.partitionKey, KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

function auditTableInput(name: string): CreateTableCommandInput {
  const a = auditTable;
  const index = (i: { name: string; partitionKey: string; sortKey: string }) => ({
    IndexName: i.name,
    KeySchema: [
      { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: a.partitionKey, AttributeType: 'S' },
      { AttributeName: a.sortKey, AttributeType: 'S' },
      { AttributeName: a.byRoleIndex.partitionKey, AttributeType: 'S' },
      { AttributeName: a.byDayIndex.partitionKey, AttributeType: 'S' },
      { AttributeName: a.byBindingIndex.partitionKey, AttributeType: 'S' },
      { AttributeName: a.byResultDayIndex.partitionKey, AttributeType: 'S' },
      { AttributeName: a.byEventIdIndex.partitionKey, AttributeType: 'S' },
      { AttributeName: a.byUsernameIndex.partitionKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: a.partitionKey, KeyType: 'HASH' },
      { AttributeName: a.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      index(a.byRoleIndex),
      index(a.byDayIndex),
      index(a.byBindingIndex),
      index(a.byResultDayIndex),
      index(a.byEventIdIndex),
      index(a.byUsernameIndex),
    ],
  };
}

function subjectsTableInput(name: string): CreateTableCommandInput {
  const s = subjectsTable;
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: s.partitionKey, AttributeType: 'S' },
      { AttributeName: s.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: s.partitionKey, KeyType: 'HASH' },
      { AttributeName: s.sortKey, KeyType: 'RANGE' },
    ],
  };
}

/**
 * Turn on a table's TTL unless it is on already. dynalite has no TTL API
 * (`UnknownOperationException`, by name): there reads filter on `expiresAt` anyway.
 */
async function enableTtl(client: DynamoDBClient, table: string, attribute: string): Promise<void> {
  try {
    const { TimeToLiveDescription } = await client.send(
      new DescribeTimeToLiveCommand({ TableName: table }),
    );
    const status = TimeToLiveDescription?.TimeToLiveStatus;
    if (status === 'ENABLED' || status === 'ENABLING') return;
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
    );
  } catch (err) {
    if ((err as { name?: unknown })?.name !== 'UnknownOperationException') throw err;
  }
}

/**
 * Create the tables from the schema, wait until they are ACTIVE and turn on the audit and
 * subjects TTLs. Idempotent: a table that exists is left as it is.
 */
export async function createTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await createAndWait(client, bindingsTableInput(names.bindings));
  await createAndWait(client, auditTableInput(names.audit));
  await enableTtl(client, names.audit, auditTable.ttlAttribute);
  await createAndWait(client, subjectsTableInput(names.subjects));
  await enableTtl(client, names.subjects, subjectsTable.ttlAttribute);
}

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

/** An on-demand table keyed by string `partitionKey` + `sortKey`, with `indexes` over string keys. */
function keyedTableInput(
  name: string,
  keys: { partitionKey: string; sortKey: string },
  indexes: readonly { name: string; partitionKey: string; sortKey?: string }[] = [],
): CreateTableCommandInput {
  const indexKeys = indexes.flatMap((i) =>
    i.sortKey ? [i.partitionKey, i.sortKey] : [i.partitionKey],
  );
  const attributes = [...new Set([keys.partitionKey, keys.sortKey, ...indexKeys])];
  const keySchema = (partitionKey: string, sortKey?: string) => [
    { AttributeName: partitionKey, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributes.map((a) => ({ AttributeName: a, AttributeType: 'S' })),
    KeySchema: keySchema(keys.partitionKey, keys.sortKey),
    ...(indexes.length > 0
      ? {
          GlobalSecondaryIndexes: indexes.map((i) => ({
            IndexName: i.name,
            KeySchema: keySchema(i.partitionKey, i.sortKey),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}

function bindingsTableInput(name: string): CreateTableCommandInput {
  return keyedTableInput(name, bindingsTable, [bindingsTable.byIdIndex]);
}

function auditTableInput(name: string): CreateTableCommandInput {
  const a = auditTable;
  return keyedTableInput(name, a, [
    a.byRoleIndex,
    a.byDayIndex,
    a.byBindingIndex,
    a.byResultDayIndex,
    a.byEventIdIndex,
    a.byUsernameIndex,
  ]);
}

function subjectsTableInput(name: string): CreateTableCommandInput {
  return keyedTableInput(name, subjectsTable);
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

/**
 * The embedded DynamoDB-compatible store: dynalite in-process on a loopback port, persisting
 * under `<home>/dynamodb` (LevelDB), reached through the unchanged AWS SDK. Tables come from the
 * broker's `createTables` (the same schema infra declares); idempotent on restart.
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTables, type TableNames } from '@tessera/broker/provisioning';
import { bind } from './http.js';

type Dynalite = (options: {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;

export const LOCAL_TABLES: TableNames = {
  bindings: 'tessera-local-bindings',
  audit: 'tessera-local-audit',
  subjects: 'tessera-local-subjects',
};

export interface LocalStore {
  readonly url: string;
  readonly tables: TableNames;
  /** A client for the store (dynalite does not check signatures; any key works). */
  client(): DynamoDBClient;
  close(): Promise<void>;
}

/** Clients on one endpoint, all destroyed together. */
function clientsOf(endpoint: string, region: string) {
  const clients: DynamoDBClient[] = [];
  const client = () => {
    const c = new DynamoDBClient({
      region,
      endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    clients.push(c);
    return c;
  };
  return {
    client,
    destroy: () => {
      for (const c of clients) c.destroy();
    },
  };
}

/**
 * A DynamoDB-compatible store running elsewhere (another process's dynalite, DynamoDB Local):
 * the stack's tables are created there if missing; closing leaves the store running.
 */
export async function connectStore(endpoint: string, region: string): Promise<LocalStore> {
  const { client, destroy } = clientsOf(endpoint, region);
  await createTables(client(), LOCAL_TABLES);
  return { url: endpoint, tables: LOCAL_TABLES, client, close: async () => destroy() };
}

export async function startStore(
  home: string | null,
  options: {
    port: number;
    fallbackToRandom: boolean;
    region: string;
    /** Told the `X-Amz-Target` (`DynamoDB_20120810.Query`, ...) of every request. */
    onRequest?: (operation: string) => void;
  },
): Promise<LocalStore> {
  let path: string | undefined;
  if (home !== null) {
    path = join(home, 'dynamodb');
    mkdirSync(path, { recursive: true });
  }
  const server = dynalite({
    ...(path ? { path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const observe = options.onRequest;
  if (observe) {
    server.prependListener('request', (req: { headers: Record<string, unknown> }) =>
      observe(String(req.headers['x-amz-target'] ?? '')),
    );
  }
  const bound = await bind(server, {
    port: options.port,
    fallbackToRandom: options.fallbackToRandom,
    name: 'dynamodb',
  });
  const { client, destroy } = clientsOf(bound.url, options.region);
  try {
    await createTables(client(), LOCAL_TABLES);
  } catch (err) {
    await bound.close();
    throw err;
  }
  return {
    url: bound.url,
    tables: LOCAL_TABLES,
    client,
    close: async () => {
      destroy();
      await bound.close();
    },
  };
}

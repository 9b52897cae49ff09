import { GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startStack } from '../src/stack.js';
import { startStore } from '../src/store.js';
import { tempHome } from './helpers.js';

describe('the embedded store (dynalite)', () => {
  const { home, cleanup } = tempHome();
  afterAll(cleanup);

  it('creates the tables idempotently and keeps items across a restart', async () => {
    const first = await startStore(home, { port: 0, fallbackToRandom: false, region: 'eu-west-1' });
    const item = {
      issuer: { S: 'https://issuer.example' },
      id: { S: 'persisted' },
      version: { N: '1' },
    };
    try {
      await first
        .client()
        .send(new PutItemCommand({ TableName: first.tables.bindings, Item: item }));
    } finally {
      await first.close();
    }
    const second = await startStore(home, {
      port: 0,
      fallbackToRandom: false,
      region: 'eu-west-1',
    });
    try {
      const out = await second.client().send(
        new GetItemCommand({
          TableName: second.tables.bindings,
          Key: { issuer: item.issuer, id: item.id },
          ConsistentRead: true,
        }),
      );
      expect(out.Item).toEqual(item);
    } finally {
      await second.close();
    }
  });
});

describe('a store running elsewhere (storeEndpoint)', () => {
  const { home, cleanup } = tempHome();
  afterAll(cleanup);

  it('holds the stack seeded bindings, and stays up when the stack stops', async () => {
    const external = await startStore(null, {
      port: 0,
      fallbackToRandom: false,
      region: 'eu-west-1',
    });
    try {
      const stack = await startStack({ home, ports: 0, storeEndpoint: external.url });
      expect(stack.info.dynamodb).toBe(external.url);
      await stack.stop();
      const seeded = await external
        .client()
        .send(new ScanCommand({ TableName: external.tables.bindings, Select: 'COUNT' }));
      expect(seeded.Count).toBe(stack.info.bindings.length);
    } finally {
      await external.close();
    }
  });
});

import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditSink, DynamoBindingStore } from '@tessera/broker/aws';
import { createTables } from '@tessera/broker/provisioning';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { blankEvent } from '../../src/audit.js';
import { type AuditEvent, BindingError, fixedClock } from '../../src/index.js';
import { backends, clientFor, type RunningServer } from '../dynamo-servers.js';
import { binding, ISSUER, NOW } from '../fixtures.js';

let tableCounter = 0;

describe.each(backends)('DynamoDB adapters on $name', (backend) => {
  let server: RunningServer;
  let client: DynamoDBClient;
  let names: { bindings: string; audit: string; subjects: string };

  beforeAll(async () => {
    if (!backend.available) return;
    server = await backend.start();
    client = clientFor(server.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });
  beforeEach(async (ctx) => {
    if (!backend.available) ctx.skip();
    tableCounter += 1;
    names = {
      bindings: `bindings-${tableCounter}`,
      audit: `audit-${tableCounter}`,
      subjects: `subjects-${tableCounter}`,
    };
    await createTables(client, names);
  });

  describe('createTables', () => {
    it('is idempotent', async () => {
      await createTables(client, names);
    });
  });

  describe('DynamoBindingStore', () => {
    const store = (cacheSeconds = 0, clock = fixedClock(NOW)) =>
      new DynamoBindingStore({ client, tableName: names.bindings, cacheSeconds, clock });

    it('writes version 1 only when absent, then only on the previous version', async () => {
      const s = store();
      await s.put(binding());
      await expect(s.put(binding())).rejects.toMatchObject({
        name: 'BindingError',
        code: 'BindingExists',
      });
      await s.put(binding({ version: 2, durationSeconds: { default: 1800, max: 3600 } }));
      const stale = await s.put(binding({ version: 2 })).catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(BindingError);
      expect(stale).toMatchObject({ code: 'BindingVersionConflict' });
      await expect(s.put(binding({ version: 5 }))).rejects.toMatchObject({
        code: 'BindingVersionConflict',
      });
      expect(await s.get(ISSUER, 'app-upload')).toMatchObject({
        version: 2,
        durationSeconds: { default: 1800, max: 3600 },
      });
    });

    it('round-trips every field, null session policy and externalId included', async () => {
      const s = store();
      const b = binding({ id: 'ext', sessionPolicy: null, externalId: 'ext-123', sessionTags: {} });
      await s.put(b);
      expect(await s.get(ISSUER, 'ext')).toEqual(b);
      await s.put(binding({ id: 'no-ext' }));
      expect((await s.get(ISSUER, 'no-ext'))?.externalId).toBeNull();
    });

    it('deletes only the expected version', async () => {
      const s = store();
      await s.put(binding());
      await expect(s.delete(ISSUER, 'app-upload', 2)).rejects.toMatchObject({
        code: 'BindingVersionConflict',
      });
      await s.delete(ISSUER, 'app-upload', 1);
      expect(await s.get(ISSUER, 'app-upload')).toBeUndefined();
      await expect(s.delete(ISSUER, 'app-upload', 1)).rejects.toMatchObject({
        code: 'BindingNotFound',
      });
    });

    it('lists one issuer across pages (one Query, paginated)', async () => {
      const s = new DynamoBindingStore({
        client,
        tableName: names.bindings,
        cacheSeconds: 0,
        pageSize: 7,
      });
      for (let i = 0; i < 40; i++)
        await s.put(binding({ id: `role-${String(i).padStart(2, '0')}` }));
      await s.put(
        binding({
          id: 'other',
          issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other',
        }),
      );
      const listed = await s.listByIssuer(ISSUER);
      expect(listed.map((b) => b.id)).toEqual(
        Array.from({ length: 40 }, (_, i) => `role-${String(i).padStart(2, '0')}`),
      );
    });

    it('serves from cache within the TTL, single-flight, and reloads after it', async () => {
      const clock = fixedClock(NOW);
      const s = store(30, clock);
      await s.put(binding());
      const [a, b] = await Promise.all([s.listByIssuer(ISSUER), s.listByIssuer(ISSUER)]);
      expect(a).toBe(b);
      // A write by another instance is not seen until the TTL passes.
      await store().put(binding({ id: 'later' }));
      expect((await s.listByIssuer(ISSUER)).map((x) => x.id)).toEqual(['app-upload']);
      clock.set(new Date(NOW.getTime() + 31_000));
      expect((await s.listByIssuer(ISSUER)).map((x) => x.id)).toEqual(['app-upload', 'later']);
    });

    it('skips a malformed stored item (it grants nothing) and reports it', async () => {
      const reported: unknown[] = [];
      const s = new DynamoBindingStore({
        client,
        tableName: names.bindings,
        cacheSeconds: 0,
        onInvalid: (item) => reported.push(item.id),
      });
      await s.put(binding());
      await DynamoDBDocumentClient.from(client).send(
        new PutCommand({
          TableName: names.bindings,
          Item: { issuer: ISSUER, id: 'broken', roleArn: 'nope' },
        }),
      );
      expect((await s.listByIssuer(ISSUER)).map((b) => b.id)).toEqual(['app-upload']);
      expect(reported).toEqual(['broken']);
    });

    it('loads revocations with the bindings (one Query, one cache entry), lifts and forgets them', async () => {
      const clock = fixedClock(NOW);
      const s = store(30, clock);
      await s.put(binding());
      const revocation = {
        id: '00000000-0000-4000-8000-000000000001',
        issuer: ISSUER,
        username: 'erin',
        reason: 'laptop stolen',
        revokedAt: NOW.toISOString(),
        revokedBy: `${ISSUER}|admin`,
      };
      expect((await s.loadPool(ISSUER)).revocations).toEqual([]);
      await s.addRevocation(revocation);
      // This store's own write dropped its cache entry.
      const pool = await s.loadPool(ISSUER);
      expect(pool.bindings.map((b) => b.id)).toEqual(['app-upload']);
      expect(pool.revocations).toEqual([revocation]);
      await expect(s.addRevocation(revocation)).rejects.toMatchObject({
        code: 'RevocationNotFound',
      });
      // Another writer's change is seen after the TTL, or at once on refresh.
      await s.loadPool(ISSUER);
      const other = store();
      await other.liftRevocation(ISSUER, revocation.id, NOW.toISOString(), `${ISSUER}|admin`);
      expect((await s.loadPool(ISSUER)).revocations[0]?.liftedAt).toBeUndefined();
      s.refresh(ISSUER);
      expect((await s.loadPool(ISSUER)).revocations[0]?.liftedAt).toBe(NOW.toISOString());
      await expect(
        other.liftRevocation(ISSUER, revocation.id, NOW.toISOString(), 'x'),
      ).rejects.toMatchObject({ code: 'RevocationNotFound' });
      await other.forgetRevocation(ISSUER, revocation.id);
      clock.set(new Date(NOW.getTime() + 31_000));
      expect((await s.loadPool(ISSUER)).revocations).toEqual([]);
    });

    it('fails the load when a stored revocation does not parse (never a silent un-revoke)', async () => {
      const s = store();
      await s.put(binding());
      await DynamoDBDocumentClient.from(client).send(
        new PutCommand({
          TableName: names.bindings,
          Item: { issuer: ISSUER, id: 'revocation#broken', username: 'erin' },
        }),
      );
      await expect(s.loadPool(ISSUER)).rejects.toMatchObject({ code: 'StoreUnavailable' });
    });

    it('answers StoreUnavailable when the table is gone', async () => {
      const s = store();
      await client.send(new DeleteTableCommand({ TableName: names.bindings }));
      await expect(s.listByIssuer(ISSUER)).rejects.toMatchObject({
        name: 'StoreError',
        code: 'StoreUnavailable',
      });
    });
  });

  describe('DynamoAuditSink', () => {
    const event = (
      i: number,
      expiresAt: number,
      overrides: Partial<AuditEvent> = {},
    ): AuditEvent => ({
      ...blankEvent({
        eventId: `e-${i}`,
        at: new Date(NOW.getTime() + i * 1000).toISOString(),
        sourceIp: '203.0.113.7',
        userAgent: 'tests',
        expiresAt,
      }),
      subject: `${ISSUER}|sub-1`,
      result: 'grant',
      reason: 'Granted',
      roleArn: 'arn:aws:iam::111122223333:role/app-upload',
      ...overrides,
    });
    const nowEpoch = Math.floor(NOW.getTime() / 1000);

    it('stores events and reads them newest first, skipping expired ones (TTL deletes lazily)', async () => {
      const sink = new DynamoAuditSink({ client, tableName: names.audit, clock: fixedClock(NOW) });
      await sink.write(event(1, nowEpoch + 3600));
      await sink.write(event(2, nowEpoch - 1)); // expired, not yet deleted
      await sink.write(
        event(3, nowEpoch + 3600, {
          trace: [
            {
              bindingId: 'app-upload',
              bindingVersion: 1,
              decision: 'Allow',
              explain: [],
              errors: [],
            },
          ],
        }),
      );
      const events = await sink.listBySubject(`${ISSUER}|sub-1`);
      expect(events.map((e) => e.eventId)).toEqual(['e-3', 'e-1']);
      expect(events[0]).toMatchObject({
        at: new Date(NOW.getTime() + 3000).toISOString(),
        trace: [{ decision: 'Allow' }],
      });
      expect(
        (await sink.listByRole('arn:aws:iam::111122223333:role/app-upload')).map((e) => e.eventId),
      ).toEqual(['e-3', 'e-1']);
    });

    it('stores an anonymous event without a role (no index key)', async () => {
      const sink = new DynamoAuditSink({ client, tableName: names.audit, clock: fixedClock(NOW) });
      await sink.write(
        event(4, nowEpoch + 60, {
          subject: 'anonymous',
          roleArn: undefined,
          result: 'deny',
          reason: 'TokenInvalid',
        }),
      );
      expect(await sink.listBySubject('anonymous')).toMatchObject([{ reason: 'TokenInvalid' }]);
    });

    it('answers AuditUnavailable when it cannot store', async () => {
      const sink = new DynamoAuditSink({ client, tableName: 'no-such-table' });
      await expect(sink.write(event(5, nowEpoch + 60))).rejects.toMatchObject({
        name: 'StoreError',
        code: 'AuditUnavailable',
      });
    });

    it('paginates a subject with many events', async () => {
      const sink = new DynamoAuditSink({ client, tableName: names.audit, clock: fixedClock(NOW) });
      const detail = 'd'.repeat(50_000);
      for (let i = 0; i < 30; i++) await sink.write(event(100 + i, nowEpoch + 60, { detail }));
      expect(await sink.listBySubject(`${ISSUER}|sub-1`, { limit: 1000 })).toHaveLength(30);
      expect(await sink.listBySubject(`${ISSUER}|sub-1`, { limit: 5 })).toHaveLength(5);
    });
  });
});

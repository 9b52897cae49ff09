/**
 * The subjects table adapter and the audit log's last grants, on dynalite and DynamoDB Local:
 * records round-trip, pages are complete, ordered and without duplicates, expired records are
 * never answered; `lastGrants` finds each binding's newest credential grant of one subject.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoAuditReader, DynamoAuditSink, DynamoSubjectStore } from '@tessera/broker/aws';
import { createTables } from '@tessera/broker/provisioning';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditEvent, blankEvent, fixedClock, subjectRecord } from '../../src/index.js';
import { backends, clientFor, type RunningServer } from '../dynamo-servers.js';
import { ISSUER, NOW, origin, token } from '../fixtures.js';

let counter = 0;
const nowSeconds = Math.floor(NOW.getTime() / 1000);

// DynamoDB Local applies TTL itself (by the real clock): records outlive the test by far.
function record(sub: string, expiresIn = 365 * 86_400) {
  return subjectRecord(
    token({ subject: sub, claims: { sub, 'cognito:groups': ['engineering'], n: 1.5 } }),
    origin,
    { at: NOW, action: 'vend', result: 'grant', bindingId: 'eng', ttlSeconds: expiresIn },
  );
}

function grant(i: number, fields: Partial<AuditEvent>): AuditEvent {
  return {
    ...blankEvent({
      eventId: `e-${i}`,
      at: new Date(NOW.getTime() - i * 60_000).toISOString(),
      sourceIp: '',
      userAgent: '',
      expiresAt: nowSeconds + 365 * 86_400,
    }),
    subject: `${ISSUER}|alice`,
    result: 'grant',
    reason: 'Granted',
    ...fields,
  };
}

describe.each(backends)('subjects and last grants on $name', (backend) => {
  let server: RunningServer;
  let client: DynamoDBClient;
  let store: DynamoSubjectStore;
  let reader: DynamoAuditReader;

  beforeAll(async () => {
    if (!backend.available) return;
    server = await backend.start();
    client = clientFor(server.endpoint);
    counter += 1;
    const names = { bindings: `b-s-${counter}`, audit: `a-s-${counter}`, subjects: `s-${counter}` };
    await createTables(client, names);
    store = new DynamoSubjectStore({ client, tableName: names.subjects, clock: fixedClock(NOW) });
    reader = new DynamoAuditReader({ client, tableName: names.audit, clock: fixedClock(NOW) });
    const sink = new DynamoAuditSink({ client, tableName: names.audit });
    const events = [
      grant(1, { bindingId: 'eng', action: 'vend' }),
      grant(2, { bindingId: 'ops', action: 'console' }),
      grant(3, { bindingId: 'eng', action: 'vend' }),
      grant(0, { bindingId: 'ops', action: 'simulate' }), // not a credential grant
      grant(4, { bindingId: 'old', action: 'vend' }),
      grant(5, { bindingId: 'eng', action: 'vend', subject: `${ISSUER}|bob` }),
      grant(6, { bindingId: 'eng', action: 'vend', result: 'deny', reason: 'TrustDenied' }),
    ];
    for (const e of events) await sink.write(e);
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('round-trips a record and pages a pool completely, in order, skipping expired ones', async (ctx) => {
    if (!backend.available) ctx.skip();
    for (let i = 0; i < 12; i++) await store.record(record(`s-${String(i).padStart(2, '0')}`));
    await store.record(record('s-expired', -1));
    await store.record({ ...record('other-pool'), issuer: `${ISSUER}2` });
    const subs: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.page(ISSUER, { limit: 5, ...(cursor ? { cursor } : {}) });
      subs.push(...page.subjects.map((s) => s.sub));
      if (pages === 0) expect(page.subjects[0]).toEqual(record('s-00'));
      cursor = page.cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(subs).toEqual(Array.from({ length: 12 }, (_, i) => `s-${String(i).padStart(2, '0')}`));
    expect(pages).toBe(3);
    expect(store.isCursorOf('not-a-cursor', ISSUER)).toBe(false);
  });

  it('finds the newest credential grant per binding of one subject, within the window', async (ctx) => {
    if (!backend.available) ctx.skip();
    const since = new Date(NOW.getTime() - 3.5 * 60_000).toISOString();
    const found = await reader.lastGrants(`${ISSUER}|alice`, ['eng', 'ops', 'old', 'never'], since);
    expect(Object.fromEntries(found)).toEqual({
      eng: new Date(NOW.getTime() - 60_000).toISOString(),
      ops: new Date(NOW.getTime() - 2 * 60_000).toISOString(),
    });
  });
});

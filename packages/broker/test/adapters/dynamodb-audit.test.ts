/**
 * The audit reader on dynalite and DynamoDB Local: every filter served by Query (counted at the
 * client: no Scan), newest first, complete pages without duplicates across days and cursors,
 * expired events skipped, and cursors bound to their filter.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoAuditReader, DynamoAuditSink } from '@tessera/broker/aws';
import { createTables } from '@tessera/broker/provisioning';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blankEvent } from '../../src/audit.js';
import {
  type AuditEvent,
  type AuditFilter,
  type AuditResult,
  fixedClock,
  isCursorOf,
} from '../../src/index.js';
import { backends, clientFor, type RunningServer } from '../dynamo-servers.js';

const NOW = new Date('2026-11-24T12:00:00.000Z');
const ISS = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC';
const ROLE = 'arn:aws:iam::111122223333:role/app-upload';

function event(i: number, over: Partial<AuditEvent> = {}): AuditEvent {
  // One event every 5 hours going back: spans several UTC days.
  const at = new Date(NOW.getTime() - i * 5 * 3600_000).toISOString();
  return {
    ...blankEvent({
      eventId: `e-${String(i).padStart(3, '0')}`,
      at,
      sourceIp: '127.0.0.1',
      userAgent: 'tests',
      // DynamoDB Local runs TTL deletion on the real clock: keep these well in its future.
      expiresAt: Math.floor(Date.now() / 1000) + 30 * 86_400,
    }),
    subject: `${ISS}|${i % 2 === 0 ? 'alice' : 'bob'}`,
    result: (['grant', 'deny', 'grant'] as AuditResult[])[i % 3]!,
    reason: 'Granted',
    bindingId: i % 4 === 3 ? 'eng-readonly' : 'app-upload',
    roleArn: ROLE,
    username: i % 2 === 0 ? 'alice' : 'bob',
    // Some grants vended credentials (their trails); the others are role listings and the like.
    accessKeyId: i % 3 !== 1 && i % 5 !== 0 ? `ASIA${String(i).padStart(16, '0')}` : undefined,
    ...over,
  };
}

let counter = 0;

describe.each(backends)('DynamoAuditReader on $name', (backend) => {
  let server: RunningServer;
  let client: DynamoDBClient;
  const operations: string[] = [];
  let reader: DynamoAuditReader;
  const all: AuditEvent[] = [];

  beforeAll(async () => {
    if (!backend.available) return;
    server = await backend.start();
    client = clientFor(server.endpoint);
    counter += 1;
    const names = {
      bindings: `b-audit-${counter}`,
      audit: `audit-read-${counter}`,
      subjects: `s-audit-${counter}`,
    };
    await createTables(client, names);
    const sink = new DynamoAuditSink({ client, tableName: names.audit });
    for (let i = 0; i < 30; i++) {
      all.push(event(i));
      await sink.write(event(i));
    }
    // An empty username (a token may carry one) is no index key: the event is stored all the same.
    const nameless = event(40, { eventId: 'nameless', username: '', subject: `${ISS}|carol` });
    all.push(nameless);
    await sink.write(nameless);
    // Expired (TTL not yet applied by the store): never answered.
    await sink.write(
      event(1, { eventId: 'expired', expiresAt: Math.floor(NOW.getTime() / 1000) - 1 }),
    );
    client.middlewareStack.add(
      (next, context) => async (args) => {
        operations.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize' },
    );
    reader = new DynamoAuditReader({ client, tableName: names.audit, clock: fixedClock(NOW) });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  async function pages(filter: AuditFilter, limit: number): Promise<AuditEvent[][]> {
    const out: AuditEvent[][] = [];
    let cursor: string | undefined;
    do {
      const page = await reader.query({ filter, limit, ...(cursor ? { cursor } : {}) });
      out.push([...page.events]);
      cursor = page.cursor;
    } while (cursor !== undefined && out.length < 50);
    return out;
  }

  const expected = (keep: (e: AuditEvent) => boolean) => all.filter(keep).map((e) => e.eventId);

  it.each<[string, AuditFilter, (e: AuditEvent) => boolean]>([
    ['subject', { subject: `${ISS}|alice` }, (e) => e.subject.endsWith('|alice')],
    [
      'binding + result',
      { bindingId: 'eng-readonly', result: 'grant' },
      (e) => e.bindingId === 'eng-readonly' && e.result === 'grant',
    ],
    ['role', { roleArn: ROLE }, () => true],
    [
      'username, vended only (a trail)',
      { username: 'alice', result: 'grant', vendedOnly: true },
      (e) => e.username === 'alice' && e.result === 'grant' && e.accessKeyId !== undefined,
    ],
    ['result', { result: 'deny' }, (e) => e.result === 'deny'],
    [
      'time range',
      { from: '2026-11-22T00:00:00.000Z', to: '2026-11-23T23:59:59.999Z' },
      (e) => e.at >= '2026-11-22T00:00:00.000Z' && e.at <= '2026-11-23T23:59:59.999Z',
    ],
  ])('by %s: complete, newest first, no duplicates, Query only', async (_name, filter, keep) => {
    operations.length = 0;
    const got = await pages(filter, 4);
    const ids = got.flat().map((e) => e.eventId);
    // Day-walking reads without `from` look back 30 days: every event here is within.
    const want = expected(keep);
    expect(ids).toEqual(want);
    expect(got.slice(0, -1).every((p) => p.length === 4)).toBe(true);
    expect(got.at(-1)!.length).toBeGreaterThan(0);
    expect(ids).not.toContain('expired');
    expect(new Set(operations)).toEqual(new Set(['QueryCommand']));
  });

  it('finds one event by its id through the byEventId index; none for an unknown or expired id', async () => {
    operations.length = 0;
    expect(await reader.byEventId('e-007')).toEqual(all[7]);
    expect(await reader.byEventId('nameless')).toMatchObject({ subject: `${ISS}|carol` });
    expect(await reader.byEventId('e-999')).toBeUndefined();
    expect(await reader.byEventId('expired')).toBeUndefined();
    expect(new Set(operations)).toEqual(new Set(['QueryCommand']));
  });

  it('knows its cursors: one of another filter or subject, or garbage, is not one', async () => {
    const first = await reader.query({ filter: { bindingId: 'app-upload' }, limit: 2 });
    const alice = await reader.query({ filter: { subject: `${ISS}|alice` }, limit: 2 });
    expect(isCursorOf(first.cursor!, { bindingId: 'app-upload' })).toBe(true);
    expect(isCursorOf(first.cursor!, { bindingId: 'eng-readonly' })).toBe(false);
    expect(isCursorOf(alice.cursor!, { subject: `${ISS}|bob` })).toBe(false);
    expect(isCursorOf('not-a-cursor', { bindingId: 'app-upload' })).toBe(false);
    await expect(
      reader.query({ filter: { bindingId: 'eng-readonly' }, limit: 2, cursor: first.cursor }),
    ).rejects.toBeInstanceOf(TypeError);
  });
});

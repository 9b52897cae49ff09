/**
 * The subjects table's record (subjects.ts) and its recording by the pipeline (broker.ts): only
 * validated, bounded values, never shortened; recorded on vends that reached the decide stage;
 * a subject store that fails changes neither the answer nor the audit event.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bounded,
  createBroker,
  decodeSubjectCursor,
  encodeSubjectCursor,
  fixedClock,
  knownSubject,
  SUBJECT_LIMITS,
  storableClaims,
  subjectRecord,
} from '../src/index.js';
import {
  MemoryAuditSink,
  MemoryBindingStore,
  MemoryCredentialVendor,
  MemorySubjectStore,
  MemoryTokenVerifier,
} from '../src/testing.js';
import { binding, ISSUER, NOW, origin, token } from './fixtures.js';

describe('storableClaims', () => {
  it('keeps condition values whole and drops (by name) what does not fit, never shortening', () => {
    const long = 'x'.repeat(SUBJECT_LIMITS.valueBytes + 1);
    const { claims, dropped } = storableClaims({
      sub: 'abc',
      'cognito:groups': ['engineering', 'auditors'],
      email_verified: true,
      auth_time: 1_764_000_000,
      address: { street: 'nested objects are not condition values' },
      long,
      odd: 'line\nbreak',
      huge: 1e200,
      many: Array.from({ length: SUBJECT_LIMITS.arrayValues + 1 }, (_, i) => `g${i}`),
      mixed: ['ok', { no: 1 }],
      [`n${'a'.repeat(SUBJECT_LIMITS.nameBytes)}`]: 'name too long',
    });
    expect(claims).toEqual({
      sub: 'abc',
      'cognito:groups': ['engineering', 'auditors'],
      email_verified: true,
      auth_time: 1_764_000_000,
    });
    expect(dropped.slice(0, 6)).toEqual(['long', 'odd', 'huge', 'many', 'mixed', dropped[5]]);
    expect(dropped[5]).toMatch(/^naaaa.*\.\.\.#sha256:[0-9a-f]{64}$/);
  });

  it('holds at most the claim count and byte budget, whatever the token carried', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ maxLength: 200 }),
          fc.oneof(
            fc.string({ maxLength: 700 }),
            fc.string({ unit: 'binary', maxLength: 300 }),
            fc.double(),
            fc.boolean(),
            fc.array(fc.string({ maxLength: 50 }), { maxLength: 120 }),
          ),
          { maxKeys: 150 },
        ),
        (raw) => {
          const { claims, dropped } = storableClaims(raw);
          const names = Object.keys(claims);
          expect(names.length).toBeLessThanOrEqual(SUBJECT_LIMITS.claims);
          expect(Buffer.byteLength(JSON.stringify(claims))).toBeLessThanOrEqual(
            SUBJECT_LIMITS.totalBytes,
          );
          for (const name of names) {
            expect(bounded(name, SUBJECT_LIMITS.nameBytes)).toBe(name);
            expect(claims[name]).toEqual(raw[name]); // kept whole or not at all
            const values = ([] as unknown[]).concat(claims[name]);
            for (const v of values) {
              if (typeof v === 'string') expect(bounded(v, SUBJECT_LIMITS.valueBytes)).toBe(v);
            }
          }
          expect(names.length + dropped.length).toBeLessThanOrEqual(Object.keys(raw).length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('subjectRecord', () => {
  it('is the verified identity, claims and origin of the vend, expiring after the retention', () => {
    const record = subjectRecord(token(), origin, {
      at: NOW,
      action: 'vend',
      result: 'grant',
      bindingId: 'app-upload',
      ttlSeconds: 90 * 86_400,
    });
    expect(record).toMatchObject({
      issuer: ISSUER,
      sub: 'a1b2c3d4-0000-4000-8000-000000000001',
      username: 'alice',
      sourceIp: origin.sourceIp,
      lastSeenAt: NOW.toISOString(),
      lastBindingId: 'app-upload',
      expiresAt: NOW.getTime() / 1000 + 90 * 86_400,
    });
    expect(record.claims['cognito:groups']).toEqual(['uploaders', 'engineers']);
    const known = knownSubject(record);
    expect(known.token.claims).toBe(record.claims);
    expect(known.origin).toEqual(origin);
  });
});

describe('subject cursors', () => {
  it('round-trip for their issuer only', () => {
    const cursor = encodeSubjectCursor(ISSUER, 'sub-7');
    expect(decodeSubjectCursor(cursor, ISSUER)).toBe('sub-7');
    expect(decodeSubjectCursor(cursor, `${ISSUER}x`)).toBeUndefined();
    expect(decodeSubjectCursor('not-a-cursor', ISSUER)).toBeUndefined();
  });
});

function setup(subjects: MemorySubjectStore) {
  const audit = new MemoryAuditSink();
  const logs: { level: string; message: string }[] = [];
  const broker = createBroker({
    verifier: new MemoryTokenVerifier({ 'alice-token': token() }),
    bindings: new MemoryBindingStore([binding()]),
    vendor: new MemoryCredentialVendor(() => NOW),
    audit,
    clock: fixedClock(NOW),
    subjects,
    subjectTtlDays: 10,
    log: (level, message) => logs.push({ level, message }),
  });
  return { broker, audit, logs };
}

describe('the pipeline records the subject', () => {
  it('on a vend that reached the decide stage, granted or refused', async () => {
    const subjects = new MemorySubjectStore(() => NOW);
    const { broker } = setup(subjects);
    await broker.vend({ rawToken: 'alice-token', role: 'app-upload', origin });
    expect(subjects.records.map((r) => [r.lastResult, r.lastBindingId, r.expiresAt])).toEqual([
      ['grant', 'app-upload', NOW.getTime() / 1000 + 10 * 86_400],
    ]);
    await broker.vend({ rawToken: 'alice-token', role: 'no-such-binding', origin });
    expect(subjects.records.map((r) => [r.lastResult, r.lastAction])).toEqual([['deny', 'vend']]);
  });

  it('not for a bad token, a bad request, or a simulation', async () => {
    const subjects = new MemorySubjectStore(() => NOW);
    const { broker } = setup(subjects);
    await broker.vend({ rawToken: 'forged', role: 'app-upload', origin });
    await broker.vend({ rawToken: 'alice-token', role: '', origin });
    await broker.simulate({ rawToken: 'alice-token', role: 'app-upload', origin });
    expect(subjects.records).toEqual([]);
  });

  it('settles before the answer leaves, even when the audit write fails first (nothing left in flight)', async () => {
    const subjects = new MemorySubjectStore(() => NOW);
    let settled = false;
    const slow = Object.assign(Object.create(subjects) as MemorySubjectStore, {
      record: async () => {
        await new Promise((r) => setTimeout(r, 30));
        settled = true;
      },
    });
    const { broker, audit } = setup(slow);
    audit.failing = true;
    const outcome = await broker.vend({ rawToken: 'alice-token', role: 'app-upload', origin });
    expect([outcome.kind, outcome.kind === 'failure' ? outcome.code : '']).toEqual([
      'failure',
      'AuditUnavailable',
    ]);
    expect(settled).toBe(true);
  });

  it('and a store that fails changes neither the grant nor its audit event (logged)', async () => {
    const subjects = new MemorySubjectStore(() => NOW);
    subjects.failing = true;
    const { broker, audit, logs } = setup(subjects);
    const outcome = await broker.vend({ rawToken: 'alice-token', role: 'app-upload', origin });
    expect(outcome.kind).toBe('grant');
    expect(audit.events.map((e) => [e.action, e.result])).toEqual([['vend', 'grant']]);
    expect(logs).toEqual([
      { level: 'warn', message: 'subject record not stored; the answer stands' },
    ]);
  });
});

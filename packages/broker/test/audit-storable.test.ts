/**
 * Every audit event is storable by construction (issue 11): hostile requests — out-of-range
 * numbers (1e400 reads as Infinity), a 3,000-character `sub`, odd unicode and lone surrogates,
 * huge role strings and user agents — go through the real pipeline, and each resulting event is
 * written by the DynamoDB adapter to dynalite and to DynamoDB Local. None may be refused. The same
 * for refusals the HTTP layer hands to the exit (`createRecorder().refuse`).
 */
import { DynamoAuditSink } from '@tessera/broker/aws';
import { createTables } from '@tessera/broker/provisioning';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  bounded,
  createBroker,
  createRecorder,
  fixedClock,
  type Outcome,
  type Refusal,
  storableEvent,
  type VendRequest,
  type VerifiedToken,
} from '../src/index.js';
import { MemoryBindingStore, MemoryCredentialVendor, MemoryTokenVerifier } from '../src/testing.js';
import { backends, clientFor, type RunningServer } from './dynamo-servers.js';
import { binding, NOW, token, trustFor } from './fixtures.js';

const ODD = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\u202e',
  '\u2028',
  '\ufeff',
  '😀',
  'é',
  '\t',
  '\n',
  ' ',
];
const oddString = (max: number) =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...ODD),
        fc.string({ maxLength: 8 }),
        fc.string({ unit: 'binary', maxLength: 4 }),
      ),
      { maxLength: max },
    )
    .map((parts) => parts.join(''));

/** Verified tokens no issuer should sign, but whose claims the broker must survive. */
const hostileTokens: Record<string, VerifiedToken> = {
  long: token({ subject: 's'.repeat(3000), claims: { sub: 's'.repeat(3000) } }),
  odd: token({
    subject: '\ud800sub\u0000',
    username: 'al\u202eice\ud800',
    claims: {
      sub: '\ud800sub\u0000',
      'cognito:username': 'al\u202eice\ud800',
      'custom:team': '\udfff',
    },
  }),
  empty: token({ subject: '', username: '', claims: { sub: '', 'cognito:username': '' } }),
  huge: token({
    username: 'u'.repeat(5000),
    claims: { 'cognito:username': 'u'.repeat(5000), 'custom:team': 'x'.repeat(20_000) },
  }),
  fine: token(),
};

const requests: fc.Arbitrary<VendRequest> = fc.record({
  rawToken: fc.oneof(fc.constantFrom(...Object.keys(hostileTokens), undefined, ''), oddString(40)),
  role: fc.oneof(
    fc.constantFrom('app-upload', 'wide', 'arn:aws:iam::111122223333:role/app-upload', ''),
    oddString(30),
    fc.string({ minLength: 2000, maxLength: 2100 }),
    fc.constant('r'.repeat(10_000)),
  ),
  durationSeconds: fc.oneof(
    fc.constantFrom(
      Infinity,
      -Infinity,
      1e200,
      -1e200,
      1e-200,
      Number.NaN,
      -0,
      2 ** 53 + 2,
      900,
      3600,
    ),
    fc.double(),
    fc.integer(),
    fc.string(),
    fc.constant(undefined),
  ),
  policy: fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 })),
  origin: fc.record({
    sourceIp: fc.oneof(fc.constant('203.0.113.7'), oddString(20), fc.constant('9'.repeat(3000))),
    userAgent: fc.oneof(oddString(40), fc.constant('a'.repeat(9000))),
    secureTransport: fc.boolean(),
  }),
});

/** Refusals the HTTP layer hands to the exit: hostile pointers, details, ids, callers. */
const refusals: fc.Arbitrary<Refusal> = fc.record({
  action: fc.constantFrom('vend', 'simulate', 'console', 'roles', 'binding.put', 'request'),
  code: fc.constantFrom(
    'InvalidJson',
    'InvalidRequest',
    'PayloadTooLarge',
    'UnsupportedMediaType',
    'MethodNotAllowed',
    'RoleNotTargetable',
    'InternalError',
  ),
  field: fc.oneof(fc.constant(undefined), oddString(30), fc.constant(`/${'k'.repeat(5000)}`)),
  detail: fc.oneof(oddString(40), fc.constant('d'.repeat(20_000))),
  rawToken: fc.oneof(fc.constant(undefined), oddString(40)),
  origin: fc.record({
    sourceIp: fc.oneof(fc.constant('203.0.113.7'), oddString(20)),
    userAgent: fc.oneof(oddString(40), fc.constant('a'.repeat(9000))),
    secureTransport: fc.boolean(),
    requestId: fc.oneof(fc.constant(undefined), oddString(20), fc.constant('r'.repeat(3000))),
  }),
  body: fc.oneof(
    fc.constant(undefined),
    fc.record({
      sha256: fc.oneof(fc.constant('0'.repeat(64)), oddString(20)),
      bytes: fc.oneof(fc.nat(), fc.constant(Infinity), fc.constant(Number.NaN), fc.double()),
    }),
  ),
  caller: fc.oneof(fc.constant(undefined), fc.constantFrom(...Object.values(hostileTokens))),
  bindingId: fc.oneof(fc.constant(undefined), oddString(20), fc.constant('b'.repeat(5000))),
  cause: fc.constantFrom(undefined, new Error('x'.repeat(10_000))),
});

describe('audit events are bounded', () => {
  it('keeps plain values and hashes long or odd ones, idempotently', () => {
    expect(bounded('app-upload', 128)).toBe('app-upload');
    const long = bounded('s'.repeat(3000), 256);
    expect(long).toMatch(/^s{32}\.\.\.#sha256:[0-9a-f]{64}$/);
    expect(bounded('a\ud800b', 256)).toMatch(/^a\?b\.\.\.#sha256:/);
    fc.assert(
      fc.property(oddString(200), fc.integer({ min: 1, max: 512 }), (value, max) => {
        const once = bounded(value, max);
        expect(Buffer.byteLength(once)).toBeLessThanOrEqual(Math.max(max, 32 * 4 + 80));
        expect(bounded(once, Math.max(max, 256))).toBe(once);
      }),
    );
  });
});

for (const backend of backends) {
  describe.skipIf(!backend.available)(`every event is storable (${backend.name})`, () => {
    let server: RunningServer;
    const client = () => clientFor(server.endpoint);
    beforeAll(async () => {
      server = await backend.start();
      const c = client();
      await createTables(c, { bindings: 'bindings', audit: 'audit', subjects: 'subjects' });
      c.destroy();
    });
    afterAll(async () => server?.stop());

    it('writes the event of every hostile request (fast-check)', async () => {
      const c = client();
      const sink = new DynamoAuditSink({ client: c, tableName: 'audit' });
      const stored: AuditEvent[] = [];
      const broker = createBroker({
        verifier: new MemoryTokenVerifier(hostileTokens),
        bindings: new MemoryBindingStore([
          binding(),
          binding({
            id: 'wide',
            trustPolicy: trustFor(['uploaders'], { StringLike: { 'token:sub': ['*'] } }),
            sessionPolicy: null,
            sessionTags: {},
          }),
        ]),
        vendor: new MemoryCredentialVendor(() => NOW),
        audit: {
          write: async (e) => {
            await sink.write(e);
            stored.push(e);
          },
        },
        clock: fixedClock(NOW),
      });
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(requests, async (request) => {
          runs += 1;
          const outcome: Outcome<unknown> = await broker.vend(request);
          expect(outcome).not.toMatchObject({ code: 'AuditUnavailable' });
          expect(stored).toHaveLength(runs);
          expect(storableEvent(stored.at(-1)!)).toEqual(stored.at(-1));
        }),
        { numRuns: 150 },
      );
      c.destroy();
    });

    it('writes the event of every hostile refusal made before the pipeline (fast-check)', async () => {
      const c = client();
      const sink = new DynamoAuditSink({ client: c, tableName: 'audit' });
      const stored: AuditEvent[] = [];
      const recorder = createRecorder({
        audit: {
          write: async (e) => {
            await sink.write(e);
            stored.push(e);
          },
        },
        clock: fixedClock(NOW),
      });
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(refusals, async (refusal) => {
          runs += 1;
          const outcome = await recorder.refuse(refusal);
          expect(outcome).not.toMatchObject({ code: 'AuditUnavailable' });
          expect(outcome.code).toBe(refusal.code);
          expect(stored).toHaveLength(runs);
          expect(storableEvent(stored.at(-1)!)).toEqual(stored.at(-1));
        }),
        { numRuns: 150 },
      );
      c.destroy();
    });
  });
}

/**
 * The pipeline's one exit: whatever throws, wherever (each port, and a bug inside the decide
 * stage), every run attempts exactly one audit write, and the outcome is what that event records.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  type AuditSink,
  BindingError,
  type BindingStore,
  type CredentialVendor,
  createBroker,
  fixedClock,
  type Outcome,
  StoreError,
  TokenError,
  type TokenVerifier,
  VendError,
  type VerifiedToken,
} from '../src/index.js';
import {
  MemoryAuditSink,
  MemoryBindingStore,
  MemoryCredentialVendor,
  MemoryTokenVerifier,
} from '../src/testing.js';
import { binding, NOW, origin, token, trustFor } from './fixtures.js';

type Where = 'verifier' | 'store' | 'decide' | 'vendor' | 'audit' | 'nowhere';
type Run = 'vend' | 'simulate-admin' | 'listRoles';

const throwables: fc.Arbitrary<() => unknown> = fc.constantFrom(
  () => new TokenError('TokenExpired', 'expired'),
  () => new TokenError('JwksUnavailable', 'jwks down'),
  () => new StoreError('StoreUnavailable', 'store down'),
  () => new StoreError('AuditUnavailable', 'audit down'),
  () => new VendError('StsThrottled', 'slow down', { retryAfterSeconds: 3 }),
  () => new VendError('StsAccessDenied', 'no'),
  () => new BindingError('BindingInvalid', 'bad'),
  () => new Error('boom'),
  () => new TypeError('undefined is not a function'),
  () => 'a thrown string',
  () => undefined,
);

/**
 * Claims whose `custom:team` read throws (`enumerable`: the evaluator's context reads it, a fault
 * reported as EvaluationFailed; not enumerable: rendering reads it, a bug escaping the stage).
 */
function trapClaims(
  base: VerifiedToken['claims'],
  thrown: () => unknown,
  enumerable: boolean,
  f?: { fired: boolean },
): VerifiedToken['claims'] {
  const claims = { ...base };
  Object.defineProperty(claims, 'custom:team', {
    enumerable,
    get() {
      if (f) f.fired = true;
      throw thrown();
    },
  });
  return claims;
}

interface Fixture {
  readonly written: AuditEvent[];
  attempts: number;
  fired: boolean;
}

function ports(where: Where, thrown: () => unknown, sync: boolean, f: Fixture) {
  const fire = <T>(): Promise<T> => {
    f.fired = true;
    if (sync) throw thrown();
    return Promise.reject(thrown());
  };
  const admin = token({ claims: { 'cognito:groups': ['uploaders', 'admins'] } });
  const alice =
    where === 'decide' ? { ...admin, claims: trapClaims(admin.claims, thrown, false, f) } : admin;
  const memoryVerifier = new MemoryTokenVerifier({ t: alice });
  const verifier: TokenVerifier = {
    verify: (raw) => (where === 'verifier' ? fire() : memoryVerifier.verify(raw)),
  };
  const store = new MemoryBindingStore([
    binding(),
    binding({ id: 'ops', trustPolicy: trustFor(['admins']), sessionPolicy: null, sessionTags: {} }),
  ]);
  const bindings: BindingStore = {
    listByIssuer: (issuer) => (where === 'store' ? fire() : store.listByIssuer(issuer)),
    loadPool: (issuer) => (where === 'store' ? fire() : store.loadPool(issuer)),
    get: (i, id) => store.get(i, id),
    put: (b) => store.put(b),
    delete: (i, id, v) => store.delete(i, id, v),
  };
  const memoryVendor = new MemoryCredentialVendor(() => NOW);
  const vendor: CredentialVendor = {
    assumeRole: (p) => (where === 'vendor' ? fire() : memoryVendor.assumeRole(p)),
  };
  const sink = new MemoryAuditSink();
  const audit: AuditSink = {
    write: async (event) => {
      f.attempts += 1;
      if (where === 'audit') {
        f.fired = true;
        throw thrown();
      }
      await sink.write(event);
      f.written.push(event);
    },
  };
  return { verifier, bindings, vendor, audit };
}

async function runOnce(
  run: Run,
  broker: ReturnType<typeof createBroker>,
): Promise<Outcome<unknown>> {
  const request = { rawToken: 't', role: 'app-upload', origin };
  if (run === 'vend') return broker.vend(request);
  if (run === 'listRoles') return broker.listRoles(request);
  return broker.simulate({
    ...request,
    claims: {
      sub: 'someone',
      'custom:team': 'red',
      'cognito:groups': ['uploaders'],
      client_id: 'app-client-id',
    },
  });
}

describe('the pipeline exit', () => {
  it('writes exactly one event whatever throws at every port and stage (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Where>('verifier', 'store', 'decide', 'vendor', 'audit', 'nowhere'),
        fc.constantFrom<Run>('vend', 'simulate-admin', 'listRoles'),
        throwables,
        fc.boolean(),
        async (where, run, thrown, sync) => {
          const f: Fixture = { written: [], attempts: 0, fired: false };
          const logs: unknown[] = [];
          const broker = createBroker({
            ...ports(where, thrown, sync, f),
            clock: fixedClock(NOW),
            adminGroup: 'admins',
            log: (...entry) => void logs.push(entry),
          });
          const outcome = await runOnce(run, broker);
          expect(f.attempts).toBe(1);
          if (f.fired) expect(outcome.kind).not.toBe('grant');
          if (where === 'audit') {
            expect(outcome).toMatchObject({
              kind: 'failure',
              stage: 'audit',
              code: 'AuditUnavailable',
            });
            expect(f.written).toHaveLength(0);
            return;
          }
          expect(f.written).toHaveLength(1);
          const event = f.written[0]!;
          expect(event.reason).toBe(outcome.kind === 'grant' ? 'Granted' : outcome.code);
          expect(event.result).toBe(
            { grant: 'grant', deny: 'deny', failure: 'error' }[outcome.kind],
          );
          if (outcome.kind !== 'grant') expect(event.stage).toBe(outcome.stage);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('an evaluator fault is the deny EvaluationFailed, not TrustDenied, with the error in the trace', async () => {
    const written: AuditEvent[] = [];
    const alice = token();
    const broker = createBroker({
      verifier: new MemoryTokenVerifier({
        t: { ...alice, claims: trapClaims(alice.claims, () => new Error('bug'), true) },
      }),
      bindings: new MemoryBindingStore([binding()]),
      vendor: new MemoryCredentialVendor(() => NOW),
      audit: { write: async (e) => void written.push(e) },
      clock: fixedClock(NOW),
    });
    const outcome = await broker.vend({ rawToken: 't', role: 'app-upload', origin });
    expect(outcome).toMatchObject({ kind: 'deny', stage: 'decide', code: 'EvaluationFailed' });
    expect(written).toMatchObject([
      {
        result: 'deny',
        reason: 'EvaluationFailed',
        trace: [{ bindingId: 'app-upload', errors: [{ code: 'EvaluatorThrew' }] }],
      },
    ]);
  });

  it('a throw escaping the decide stage is a Failure of that stage, recorded', async () => {
    const f: Fixture = { written: [], attempts: 0, fired: false };
    const broker = createBroker({
      ...ports('decide', () => new Error('bug'), true, f),
      clock: fixedClock(NOW),
    });
    expect(await broker.vend({ rawToken: 't', role: 'app-upload', origin })).toMatchObject({
      kind: 'failure',
      stage: 'decide',
      code: 'InternalError',
    });
    expect(f.written).toMatchObject([
      { result: 'error', reason: 'InternalError', stage: 'decide' },
    ]);
  });
});

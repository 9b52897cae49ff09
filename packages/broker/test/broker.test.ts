import { describe, expect, it } from 'vitest';
import {
  createBroker,
  fixedClock,
  MemoryAuditSink,
  MemoryBindingStore,
  MemoryCredentialVendor,
  MemoryTokenVerifier,
  StoreError,
  TokenError,
  TrustError,
  VendError,
  type VendRequest,
} from '../src/index.js';
import { binding, ISSUER, NOW, origin, token, trustFor } from './fixtures.js';

function setup() {
  const audit = new MemoryAuditSink();
  const vendor = new MemoryCredentialVendor(() => NOW);
  const store = new MemoryBindingStore([
    binding(),
    binding({
      id: 'ops-admin',
      roleArn: 'arn:aws:iam::444455556666:role/ops',
      trustPolicy: trustFor(['admins']),
      sessionPolicy: null,
      sessionTags: {},
    }),
    binding({
      id: 'eng-read',
      roleArn: 'arn:aws:iam::444455556666:role/eng-read',
      trustPolicy: trustFor(['engineers']),
      sessionPolicy: null,
      sessionTags: {},
      durationSeconds: { default: 3600, max: 43200 },
      roleMaxSessionDuration: 43200,
    }),
  ]);
  const verifier = new MemoryTokenVerifier({ 'alice-token': token() });
  const broker = createBroker({
    verifier,
    bindings: store,
    vendor,
    audit,
    clock: fixedClock(NOW),
    auditTtlDays: 30,
  });
  return { audit, vendor, store, broker };
}

const req = (overrides: Partial<VendRequest> = {}): VendRequest => ({
  rawToken: 'alice-token',
  role: 'app-upload',
  origin,
  ...overrides,
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('broker.vend', () => {
  it('grants and writes one grant audit event with hashes and key ids, never secrets', async () => {
    const { broker, audit, vendor } = setup();
    const result = await broker.vend(req());
    expect(result).toMatchObject({
      roleArn: 'arn:aws:iam::111122223333:role/app-upload',
      durationSeconds: 900,
      clampedBy: 'none',
      sourceIdentity: 'alice',
    });
    expect(vendor.calls).toHaveLength(1);
    expect(audit.events).toHaveLength(1);
    const event = audit.events[0]!;
    expect(event).toMatchObject({
      result: 'grant',
      reason: 'Granted',
      subject: `${ISSUER}|${token().subject}`,
      bindingId: 'app-upload',
      bindingVersion: 1,
      accessKeyId: result.credentials.accessKeyId,
      stsRequestId: expect.stringMatching(/^memory-request-/),
      roleSessionName: result.sessionName,
      sourceIp: origin.sourceIp,
      expiresAt: Math.floor(NOW.getTime() / 1000) + 30 * 86400,
    });
    expect(event.tokenSha256).toMatch(/^[0-9a-f]{64}$/);
    const text = JSON.stringify(event);
    expect(text).not.toContain('alice-token');
    expect(text).not.toContain(result.credentials.secretAccessKey);
    expect(text).not.toContain(result.credentials.sessionToken);
  });

  it('audits a bad token as anonymous and throws TokenError', async () => {
    const { broker, audit, vendor } = setup();
    const err = await rejection(broker.vend(req({ rawToken: 'forged' })));
    expect(err).toBeInstanceOf(TokenError);
    expect(audit.events).toMatchObject([
      { result: 'deny', subject: 'anonymous', reason: 'TokenInvalid' },
    ]);
    expect(vendor.calls).toHaveLength(0);
  });

  it('audits a missing token', async () => {
    const { broker, audit } = setup();
    expect(await rejection(broker.vend(req({ rawToken: undefined })))).toMatchObject({
      code: 'TokenMissing',
    });
    expect(audit.events).toMatchObject([{ reason: 'TokenMissing', tokenSha256: undefined }]);
  });

  it('answers RoleNotPermitted for a role not trusted, with the trace only in the audit event', async () => {
    const { broker, audit, vendor } = setup();
    const err = await rejection(broker.vend(req({ role: 'ops-admin' })));
    expect(err).toBeInstanceOf(TrustError);
    expect(err).toMatchObject({ code: 'RoleNotPermitted' });
    expect(String((err as Error).message)).not.toContain('admins');
    expect(audit.events[0]).toMatchObject({
      result: 'deny',
      reason: 'TrustDenied',
      bindingId: 'ops-admin',
    });
    expect(audit.events[0]!.trace.length).toBeGreaterThan(0);
    expect(vendor.calls).toHaveLength(0);
  });

  it('fails closed when the grant cannot be audited: no credentials returned', async () => {
    const { broker, audit } = setup();
    audit.failing = true;
    const err = await rejection(broker.vend(req()));
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'AuditUnavailable' });
  });

  it('maps STS AccessDenied to RoleNotPermitted and audits the precise reason', async () => {
    const { broker, audit, vendor } = setup();
    vendor.fail = new VendError('StsAccessDenied', 'not authorized to perform sts:AssumeRole');
    expect(await rejection(broker.vend(req()))).toMatchObject({ code: 'RoleNotPermitted' });
    expect(audit.events[0]).toMatchObject({ result: 'deny', reason: 'StsAccessDenied' });
  });

  it('passes STS throttling through and audits it as an error', async () => {
    const { broker, audit, vendor } = setup();
    vendor.fail = new VendError('StsThrottled', 'Rate exceeded', { retryAfterSeconds: 2 });
    expect(await rejection(broker.vend(req()))).toMatchObject({
      code: 'StsThrottled',
      retryAfterSeconds: 2,
    });
    expect(audit.events[0]).toMatchObject({ result: 'error', reason: 'StsThrottled' });
  });

  it('fails closed when the binding store is down', async () => {
    const { audit, vendor } = setup();
    const broken = {
      listByIssuer: async () => {
        throw new Error('ECONNREFUSED');
      },
      get: async () => undefined,
      put: async () => {},
      delete: async () => {},
    };
    const broker = createBroker({
      verifier: new MemoryTokenVerifier({ t: token() }),
      bindings: broken,
      vendor,
      audit,
      clock: fixedClock(NOW),
    });
    expect(await rejection(broker.vend(req({ rawToken: 't' })))).toMatchObject({
      name: 'StoreError',
      code: 'StoreUnavailable',
    });
    expect(audit.events[0]).toMatchObject({ result: 'error', reason: 'StoreUnavailable' });
  });

  it('refuses a duration under 900 s with a field', async () => {
    const { broker, audit } = setup();
    expect(await rejection(broker.vend(req({ durationSeconds: 60 })))).toMatchObject({
      code: 'DurationTooShort',
      field: '/durationSeconds',
    });
    expect(audit.events).toHaveLength(1);
  });
});

describe('broker.listRoles', () => {
  it('lists only trusted bindings, grouped by account, with the effective max duration', async () => {
    const { broker } = setup();
    const { accounts } = await broker.listRoles({ rawToken: 'alice-token', origin });
    expect(accounts).toEqual([
      {
        accountId: '111122223333',
        roles: [expect.objectContaining({ bindingId: 'app-upload', maxDurationSeconds: 3600 })],
      },
      {
        accountId: '444455556666',
        roles: [
          expect.objectContaining({
            bindingId: 'eng-read',
            roleName: 'eng-read',
            maxDurationSeconds: 3600,
          }),
        ],
      },
    ]);
  });
});

describe('broker.simulate', () => {
  it('answers the decision with its trace, without STS or audit', async () => {
    const { broker, audit, vendor } = setup();
    const grant = await broker.simulate(req());
    expect(grant).toMatchObject({
      effect: 'grant',
      params: { RoleArn: 'arn:aws:iam::111122223333:role/app-upload' },
    });
    const deny = await broker.simulate(req({ role: 'ops-admin' }));
    expect(deny).toMatchObject({
      effect: 'deny',
      reason: 'TrustDenied',
      trace: [{ bindingId: 'ops-admin', decision: 'ImplicitDeny' }],
    });
    expect(vendor.calls).toHaveLength(0);
    expect(audit.events).toHaveLength(0);
  });
});

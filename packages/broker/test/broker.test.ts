import { describe, expect, it } from 'vitest';
import {
  answerFor,
  createBroker,
  fixedClock,
  type Outcome,
  VendError,
  type VendRequest,
} from '../src/index.js';
import {
  MemoryAuditSink,
  MemoryBindingStore,
  MemoryCredentialVendor,
  MemoryTokenVerifier,
} from '../src/testing.js';
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

/** The value of a grant; fails the test otherwise. */
async function grantOf<T>(p: Promise<Outcome<T>>): Promise<T> {
  const outcome = await p;
  if (outcome.kind !== 'grant') throw new Error(`expected a grant: ${JSON.stringify(outcome)}`);
  return outcome.value;
}

describe('broker.vend', () => {
  it('grants and writes one grant audit event with hashes and key ids, never secrets', async () => {
    const { broker, audit, vendor } = setup();
    const result = await grantOf(broker.vend(req()));
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

  it('audits a bad token as anonymous and denies it at the verify stage', async () => {
    const { broker, audit, vendor } = setup();
    expect(await broker.vend(req({ rawToken: 'forged' }))).toMatchObject({
      kind: 'deny',
      stage: 'verify',
      code: 'TokenInvalid',
    });
    expect(audit.events).toMatchObject([
      { result: 'deny', subject: 'anonymous', reason: 'TokenInvalid' },
    ]);
    expect(vendor.calls).toHaveLength(0);
  });

  it('audits a missing token', async () => {
    const { broker, audit } = setup();
    expect(await broker.vend(req({ rawToken: undefined }))).toMatchObject({
      kind: 'deny',
      code: 'TokenMissing',
    });
    expect(audit.events).toMatchObject([{ reason: 'TokenMissing', tokenSha256: undefined }]);
  });

  it('answers RoleNotPermitted for a role not trusted, with the trace only in the audit event', async () => {
    const { broker, audit, vendor } = setup();
    const outcome = await broker.vend(req({ role: 'ops-admin' }));
    expect(outcome).toMatchObject({ kind: 'deny', stage: 'decide', code: 'TrustDenied' });
    if (outcome.kind !== 'deny') return;
    expect(answerFor(outcome.code, 'caller')).toMatchObject({ code: 'RoleNotPermitted' });
    expect(answerFor(outcome.code, 'caller').message).not.toContain('admins');
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
    expect(await broker.vend(req())).toMatchObject({
      kind: 'failure',
      stage: 'audit',
      code: 'AuditUnavailable',
    });
  });

  it('answers no deny without its record: AuditUnavailable when a deny cannot be stored', async () => {
    const { broker, audit } = setup();
    audit.failing = true;
    for (const request of [req({ rawToken: 'forged' }), req({ role: 'ops-admin' })]) {
      expect(await broker.vend(request)).toMatchObject({
        kind: 'failure',
        stage: 'audit',
        code: 'AuditUnavailable',
      });
    }
  });

  it("logs a grant's access key id, never its secret, when its event cannot be stored", async () => {
    const { audit, vendor, store } = setup();
    const logs: { message: string; data?: Record<string, unknown> }[] = [];
    const broker = createBroker({
      verifier: new MemoryTokenVerifier({ 'alice-token': token() }),
      bindings: store,
      vendor,
      audit,
      clock: fixedClock(NOW),
      log: (_level, message, data) => void logs.push({ message, data }),
    });
    audit.failing = true;
    expect(await broker.vend(req())).toMatchObject({ kind: 'failure', code: 'AuditUnavailable' });
    expect(vendor.calls).toHaveLength(1);
    const unstored = logs.find((l) => l.message.startsWith('audit event not stored'));
    expect(unstored?.data).toMatchObject({
      accessKeyId: expect.stringMatching(/^ASIAMEMORY/),
      reason: 'Granted',
    });
    expect(JSON.stringify(logs)).not.toContain('memory-secret');
    expect(JSON.stringify(logs)).not.toContain('memory-session-token');
  });

  it('maps STS AccessDenied to RoleNotPermitted and audits the precise reason', async () => {
    const { broker, audit, vendor } = setup();
    vendor.fail = new VendError('StsAccessDenied', 'not authorized to perform sts:AssumeRole');
    const outcome = await broker.vend(req());
    expect(outcome).toMatchObject({ kind: 'deny', stage: 'mint', code: 'StsAccessDenied' });
    if (outcome.kind === 'deny')
      expect(answerFor(outcome.code, 'caller').code).toBe('RoleNotPermitted');
    expect(audit.events[0]).toMatchObject({ result: 'deny', reason: 'StsAccessDenied' });
  });

  it('passes STS throttling through and audits it as an error', async () => {
    const { broker, audit, vendor } = setup();
    vendor.fail = new VendError('StsThrottled', 'Rate exceeded', { retryAfterSeconds: 2 });
    expect(await broker.vend(req())).toMatchObject({
      kind: 'failure',
      stage: 'mint',
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
      loadPool: async () => {
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
    expect(await broker.vend(req({ rawToken: 't' }))).toMatchObject({
      kind: 'failure',
      stage: 'load',
      code: 'StoreUnavailable',
    });
    expect(audit.events[0]).toMatchObject({ result: 'error', reason: 'StoreUnavailable' });
  });

  it('refuses a duration under 900 s with a field', async () => {
    const { broker, audit } = setup();
    expect(await broker.vend(req({ durationSeconds: 60 }))).toMatchObject({
      kind: 'deny',
      code: 'DurationTooShort',
      field: '/durationSeconds',
    });
    expect(audit.events).toHaveLength(1);
  });
});

describe('broker.listRoles', () => {
  it('lists only trusted bindings, grouped by account, with the effective max duration', async () => {
    const { broker } = setup();
    const { accounts } = await grantOf(broker.listRoles({ rawToken: 'alice-token', origin }));
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

describe('broker.listRoles records', () => {
  it('one event listing the roles revealed', async () => {
    const { broker, audit } = setup();
    await grantOf(broker.listRoles({ rawToken: 'alice-token', origin }));
    expect(audit.events).toMatchObject([
      {
        action: 'roles',
        result: 'grant',
        reason: 'Granted',
        subject: `${ISSUER}|${token().subject}`,
        rolesRevealed: ['app-upload', 'eng-read'],
      },
    ]);
  });

  it('an event for a refused listing too', async () => {
    const { broker, audit } = setup();
    expect(await broker.listRoles({ rawToken: 'forged', origin })).toMatchObject({
      kind: 'deny',
      code: 'TokenInvalid',
    });
    expect(audit.events).toMatchObject([
      { action: 'roles', result: 'deny', reason: 'TokenInvalid' },
    ]);
  });
});

describe('broker.simulate', () => {
  function adminSetup() {
    const { audit, vendor, store } = setup();
    const admin = token({ claims: { 'cognito:groups': ['tessera-admins'], sub: 'admin-sub' } });
    const broker = createBroker({
      verifier: new MemoryTokenVerifier({ 'alice-token': token(), 'admin-token': admin }),
      bindings: store,
      vendor,
      audit,
      clock: fixedClock(NOW),
      adminGroup: 'tessera-admins',
    });
    return { broker, audit, vendor };
  }
  const someoneElse = {
    sub: 'bob-sub',
    'cognito:username': 'bob',
    'cognito:groups': ['admins'],
    client_id: 'app-client-id',
    token_use: 'access',
  };

  it('lets an administrator decide for other claims, with the full trace, audited as a simulation', async () => {
    const { broker, audit, vendor } = adminSetup();
    const outcome = await broker.simulate({
      ...req({ rawToken: 'admin-token', role: 'ops-admin' }),
      claims: someoneElse,
    });
    expect(outcome).toMatchObject({
      kind: 'grant',
      value: {
        subject: 'bob-sub',
        decided: {
          params: { RoleArn: 'arn:aws:iam::444455556666:role/ops', SourceIdentity: 'bob' },
          trace: [{ bindingId: 'ops-admin', decision: 'Allow', explain: [expect.anything()] }],
        },
      },
    });
    expect(vendor.calls).toHaveLength(0);
    expect(audit.events).toMatchObject([
      {
        action: 'simulate',
        result: 'grant',
        subject: expect.stringMatching(/\|admin-sub$/),
        simulatedSub: 'bob-sub',
      },
    ]);
  });

  it('refuses claims from a caller outside the admin group, and records the attempt', async () => {
    const { broker, audit } = adminSetup();
    expect(await broker.simulate({ ...req(), claims: someoneElse })).toMatchObject({
      kind: 'deny',
      stage: 'verify',
      code: 'AdminRequired',
    });
    expect(audit.events).toMatchObject([{ action: 'simulate', reason: 'AdminRequired' }]);
  });

  it('answers the decision with its trace, without STS or audit (self)', async () => {
    const { broker, audit, vendor } = setup();
    const grant = await broker.simulate(req());
    expect(grant).toMatchObject({
      kind: 'grant',
      value: { decided: { params: { RoleArn: 'arn:aws:iam::111122223333:role/app-upload' } } },
    });
    const deny = await broker.simulate(req({ role: 'ops-admin' }));
    expect(deny).toMatchObject({
      kind: 'deny',
      code: 'TrustDenied',
      trace: [{ bindingId: 'ops-admin', decision: 'ImplicitDeny' }],
    });
    expect(vendor.calls).toHaveLength(0);
    expect(audit.events).toHaveLength(0);
  });
});

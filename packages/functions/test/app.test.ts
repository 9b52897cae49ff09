import { fixedClock, StoreError, VendError } from '@tessera/broker';
import {
  MemoryAuditSink,
  MemoryBindingStore,
  MemoryCredentialVendor,
  MemoryTokenVerifier,
} from '@tessera/broker/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { binding, NOW, token, trustFor } from '../../broker/test/fixtures.js';
import { createApp, type TesseraConfig } from '../src/index.js';
import { apiEvent, lambdaContext } from './events.js';

const config: TesseraConfig = {
  region: 'eu-west-1',
  tables: { bindings: 'b', audit: 'a', subjects: null },
  pools: [{ userPoolId: 'eu-west-1_AbC', clientIds: ['app-client-id'] }],
  adminGroup: 'tessera-admins',
  accountId: '111122223333',
  roleChainingCap: true,
  cache: { bindingsSeconds: 0 },
  storeTimeoutMs: 1000,
  stsTimeoutMs: 1500,
  auditTtlDays: 30,
  subjectTtlDays: 90,
  corsOrigins: ['https://portal.example.com'],
  rateLimits: { perSourceIp: null, perSubject: null },
  accounts: {},
  customAttributes: [],
  console: {
    federationEndpoint: 'https://signin.aws.amazon.com/federation',
    destination: 'https://console.aws.amazon.com/',
    issuer: null,
  },
};

function setup() {
  const audit = new MemoryAuditSink();
  const vendor = new MemoryCredentialVendor(() => NOW);
  const bindings = new MemoryBindingStore([
    binding(),
    binding({
      id: 'ops-admin',
      roleArn: 'arn:aws:iam::444455556666:role/ops',
      trustPolicy: trustFor(['admins']),
      sessionPolicy: null,
      sessionTags: {},
    }),
  ]);
  const verifier = new MemoryTokenVerifier({ 'alice-token': token() });
  const app = createApp(config, { audit, vendor, bindings, verifier, clock: fixedClock(NOW) });
  return { app, audit, vendor, bindings };
}

function problem(res: { body?: string }) {
  return JSON.parse(res.body ?? '{}');
}

afterEach(() => vi.restoreAllMocks());

describe('POST /v1/credentials', () => {
  it('answers credentials, no-store, security headers', async () => {
    const { app, audit } = setup();
    const res = await app.credentials(
      apiEvent('POST', '/v1/credentials', { token: 'alice-token', body: { role: 'app-upload' } }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Cache-Control']).toBe('no-store');
    expect(res.headers?.['Content-Type']).toBe('application/json');
    expect(res.headers?.['Strict-Transport-Security']).toBeDefined();
    const body = JSON.parse(res.body ?? '');
    expect(body).toMatchObject({
      credentials: {
        accessKeyId: expect.any(String),
        secretAccessKey: expect.any(String),
        sessionToken: expect.any(String),
        expiration: expect.any(String),
      },
      roleArn: 'arn:aws:iam::111122223333:role/app-upload',
      durationSeconds: 900,
      clampedBy: 'none',
      sourceIdentity: 'alice',
      sessionName: expect.stringMatching(/^alice-/),
    });
    expect(audit.events).toMatchObject([
      { result: 'grant', sourceIp: '203.0.113.7', userAgent: 'aws-cli/2.17 tests' },
    ]);
  });

  it('answers the credential_process shape', async () => {
    const { app } = setup();
    const res = await app.credentials(
      apiEvent('POST', '/v1/credentials', {
        token: 'alice-token',
        body: { role: 'app-upload' },
        query: { format: 'credential_process' },
      }),
      lambdaContext,
    );
    expect(Object.keys(JSON.parse(res.body ?? '')).sort()).toEqual([
      'AccessKeyId',
      'Expiration',
      'SecretAccessKey',
      'SessionToken',
      'Version',
    ]);
  });

  it.each([
    ['missing', undefined],
    ['forged', 'forged'],
  ])('401 with WWW-Authenticate for a %s token', async (_, tok) => {
    const { app, audit } = setup();
    const res = await app.credentials(
      apiEvent('POST', '/v1/credentials', { token: tok, body: { role: 'app-upload' } }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(401);
    expect(res.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
    expect(res.headers?.['Content-Type']).toBe('application/problem+json');
    expect(problem(res)).toMatchObject({ status: 401, code: expect.stringMatching(/^Token/) });
    expect(audit.events[0]).toMatchObject({ subject: 'anonymous', result: 'deny' });
  });

  it('403 RoleNotPermitted, the same for an unknown role and a role not trusted, without policy text', async () => {
    const { app } = setup();
    const a = await app.credentials(
      apiEvent('POST', '/v1/credentials', { token: 'alice-token', body: { role: 'ops-admin' } }),
      lambdaContext,
    );
    const b = await app.credentials(
      apiEvent('POST', '/v1/credentials', { token: 'alice-token', body: { role: 'no-such-role' } }),
      lambdaContext,
    );
    expect(a.statusCode).toBe(403);
    expect(problem(a)).toEqual(problem(b));
    expect(problem(a).code).toBe('RoleNotPermitted');
    expect(a.body).not.toContain('admins');
    expect(a.body).not.toContain('ops-admin');
  });

  it('400 naming the field for a missing role or unknown field', async () => {
    const { app } = setup();
    const res = await app.credentials(
      apiEvent('POST', '/v1/credentials', { token: 'alice-token', body: { durationSeconds: 900 } }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(400);
    expect(problem(res)).toMatchObject({ code: 'InvalidRequest', field: '/role' });
    const extra = await app.credentials(
      apiEvent('POST', '/v1/credentials', {
        token: 'alice-token',
        body: { role: 'x', admin: true },
      }),
      lambdaContext,
    );
    expect(problem(extra)).toMatchObject({
      code: 'InvalidRequest',
      field: '/admin',
      issues: [{ field: '/admin', code: 'UnknownField' }],
    });
  });

  it('400 for malformed JSON and for prototype keys', async () => {
    const { app } = setup();
    const bad = await app.credentials(
      apiEvent('POST', '/v1/credentials', { token: 'alice-token', rawBody: '{"role":' }),
      lambdaContext,
    );
    expect([bad.statusCode, problem(bad).code]).toEqual([400, 'InvalidJson']);
    const proto = await app.credentials(
      apiEvent('POST', '/v1/credentials', {
        token: 'alice-token',
        rawBody: '{"role":"app-upload","__proto__":{"admin":true}}',
      }),
      lambdaContext,
    );
    expect([proto.statusCode, problem(proto).code]).toEqual([400, 'InvalidJson']);
  });

  it('413 for an oversized body, 415 for a non-JSON content type', async () => {
    const { app } = setup();
    const big = await app.credentials(
      apiEvent('POST', '/v1/credentials', {
        token: 'alice-token',
        body: { role: 'x'.repeat(20_000) },
      }),
      lambdaContext,
    );
    expect([big.statusCode, problem(big).code]).toEqual([413, 'PayloadTooLarge']);
    const text = await app.credentials(
      apiEvent('POST', '/v1/credentials', {
        token: 'alice-token',
        rawBody: 'role=x',
        headers: { 'content-type': 'text/plain' },
      }),
      lambdaContext,
    );
    expect([text.statusCode, problem(text).code]).toEqual([415, 'UnsupportedMediaType']);
  });

  it('422 DurationTooShort naming durationSeconds', async () => {
    const { app } = setup();
    const res = await app.credentials(
      apiEvent('POST', '/v1/credentials', {
        token: 'alice-token',
        body: { role: 'app-upload', durationSeconds: 60 },
      }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(422);
    expect(problem(res)).toMatchObject({ code: 'DurationTooShort', field: '/durationSeconds' });
  });

  it('422 ScopeDownConflict naming policy', async () => {
    const { app } = setup();
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    };
    const res = await app.credentials(
      apiEvent('POST', '/v1/credentials', {
        token: 'alice-token',
        body: { role: 'app-upload', policy },
      }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(422);
    expect(problem(res)).toMatchObject({ code: 'ScopeDownConflict', field: '/policy' });
  });

  it('503 with Retry-After and no internals when STS is throttled or the audit log is down', async () => {
    const { app, vendor, audit } = setup();
    vendor.fail = new VendError('StsThrottled', 'Rate exceeded at sts.internal:443', {
      retryAfterSeconds: 3,
    });
    const res = await app.credentials(
      apiEvent('POST', '/v1/credentials', { token: 'alice-token', body: { role: 'app-upload' } }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBe('3');
    expect(res.body).not.toContain('sts.internal');
    vendor.fail = undefined;
    audit.failing = true;
    const noAudit = await app.credentials(
      apiEvent('POST', '/v1/credentials', { token: 'alice-token', body: { role: 'app-upload' } }),
      lambdaContext,
    );
    expect(noAudit.statusCode).toBe(503);
    expect(noAudit.body).not.toContain('secret');
    expect(problem(noAudit).code).toBe('ServiceUnavailable');
  });

  it('503, not 401, when the event of a refused token cannot be stored (no answer without its record)', async () => {
    const { app, audit } = setup();
    audit.failing = true;
    const res = await app.credentials(
      apiEvent('POST', '/v1/credentials', { token: 'forged', body: { role: 'app-upload' } }),
      lambdaContext,
    );
    expect([res.statusCode, problem(res).code]).toEqual([503, 'ServiceUnavailable']);
    expect(res.headers?.['Retry-After']).toBeDefined();
  });

  it('answers CORS headers for an allowed origin', async () => {
    const { app } = setup();
    const res = await app.credentials(
      apiEvent('POST', '/v1/credentials', {
        token: 'alice-token',
        body: { role: 'app-upload' },
        headers: { origin: 'https://portal.example.com' },
      }),
      lambdaContext,
    );
    expect(res.headers?.['Access-Control-Allow-Origin']).toBe('https://portal.example.com');
    // the portal on its own origin reads these answer headers (the review CSV's next page)
    const exposed = String(res.headers?.['Access-Control-Expose-Headers']).split(',');
    expect(exposed).toEqual(['ETag', 'Location', 'Retry-After', 'X-Next-Cursor']);
  });

  it('never logs the token or the secret', async () => {
    const { app } = setup();
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const logs = vi
      .spyOn(console, 'info')
      .mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
    const res = await app.credentials(
      apiEvent('POST', '/v1/credentials', { token: 'alice-token', body: { role: 'app-upload' } }),
      lambdaContext,
    );
    logs.mockRestore();
    const secret = JSON.parse(res.body ?? '').credentials.secretAccessKey;
    const all = lines.join('\n');
    expect(all).not.toContain('alice-token');
    expect(all).not.toContain(secret);
  });
});

describe('GET /v1/roles', () => {
  it('lists the roles the caller may use, grouped by account', async () => {
    const { app } = setup();
    const res = await app.roles(
      apiEvent('GET', '/v1/roles', { token: 'alice-token' }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body ?? '')).toEqual({
      accounts: [
        {
          accountId: '111122223333',
          accountName: null,
          roles: [
            {
              bindingId: 'app-upload',
              roleArn: 'arn:aws:iam::111122223333:role/app-upload',
              roleName: 'app-upload',
              description: '',
              defaultDurationSeconds: 900,
              maxDurationSeconds: 3600,
            },
          ],
        },
      ],
    });
  });

  it('503 when the binding store is down', async () => {
    const broken = new MemoryBindingStore();
    broken.listByIssuer = async () => {
      throw new StoreError('StoreUnavailable', 'dynamodb.internal refused');
    };
    const app = createApp(config, {
      audit: new MemoryAuditSink(),
      vendor: new MemoryCredentialVendor(),
      bindings: broken,
      verifier: new MemoryTokenVerifier({ t: token() }),
    });
    const res = await app.roles(apiEvent('GET', '/v1/roles', { token: 't' }), lambdaContext);
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBeDefined();
    expect(res.body).not.toContain('dynamodb.internal');
  });
});

describe('GET /healthz', () => {
  it('answers ok', async () => {
    const { app } = setup();
    const res = await app.health(apiEvent('GET', '/healthz'), lambdaContext);
    expect([res.statusCode, JSON.parse(res.body ?? '')]).toEqual([200, { status: 'ok' }]);
  });
});

/**
 * Refusals the HTTP layer answers before the broker runs (body not JSON, too large, wrong content
 * type, wrong shape, a repeated header) are recorded by the broker's own exit: one event each,
 * built from bounded values (code, pointer, the body's hash and length), and a 503 when the event
 * cannot be stored. A refusal the broker decided is not recorded twice.
 */
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { fixedClock } from '@tessera/broker';
import {
  MemoryAuditSink,
  MemoryBindingStore,
  MemoryCredentialVendor,
  MemoryTokenVerifier,
} from '@tessera/broker/testing';
import { describe, expect, it } from 'vitest';
import { binding, NOW, token } from '../../broker/test/fixtures.js';
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
  auditTtlDays: 30,
  subjectTtlDays: 90,
  storeTimeoutMs: 1000,
  stsTimeoutMs: 1500,
  corsOrigins: [],
  rateLimits: { perSourceIp: null, perSubject: null },
  accounts: {},
  customAttributes: [],
  console: {
    federationEndpoint: 'https://signin.aws.amazon.com/federation',
    destination: 'https://console.aws.amazon.com/',
    issuer: null,
  },
};

const MARKER = 'MARKER-7d1f0c';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function setup() {
  const audit = new MemoryAuditSink();
  const app = createApp(config, {
    audit,
    vendor: new MemoryCredentialVendor(() => NOW),
    bindings: new MemoryBindingStore([binding()]),
    verifier: new MemoryTokenVerifier({ 'alice-token': token() }),
    clock: fixedClock(NOW),
    logger: new Logger({ serviceName: 'tessera-tests', logLevel: 'SILENT' }),
  });
  return { app, audit };
}

type Case = {
  name: string;
  rawBody?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
  field: string;
};

const cases: Case[] = [
  { name: 'not JSON', rawBody: `{"role":"${MARKER}"`, status: 400, code: 'InvalidJson', field: '' },
  {
    name: 'a prototype key',
    rawBody: `{"role":"app-upload","__proto__":{"x":"${MARKER}"}}`,
    status: 400,
    code: 'InvalidJson',
    field: '',
  },
  {
    name: 'an unknown field',
    rawBody: `{"role":"app-upload","extra":"${MARKER}"}`,
    status: 400,
    code: 'InvalidRequest',
    field: '/extra',
  },
  {
    name: 'role of the wrong type',
    rawBody: `{"role":["${MARKER}"]}`,
    status: 400,
    code: 'InvalidRequest',
    field: '/role',
  },
  {
    name: 'too large',
    rawBody: JSON.stringify({ role: `${MARKER}${'x'.repeat(20_000)}` }),
    status: 413,
    code: 'PayloadTooLarge',
    field: '',
  },
  {
    name: 'the wrong content type',
    rawBody: `role=${MARKER}`,
    headers: { 'content-type': 'text/plain' },
    status: 415,
    code: 'UnsupportedMediaType',
    field: 'Content-Type',
  },
  {
    name: 'a repeated Content-Type (joined with a comma, as API Gateway does)',
    rawBody: `{"role":"${MARKER}"}`,
    headers: { 'content-type': 'application/json,text/plain' },
    status: 400,
    code: 'InvalidRequest',
    field: 'Content-Type',
  },
  {
    name: 'a repeated Authorization',
    rawBody: `{"role":"${MARKER}"}`,
    headers: { authorization: 'Bearer alice-token,Bearer other' },
    status: 400,
    code: 'InvalidRequest',
    field: 'Authorization',
  },
];

describe('refusals before the broker', () => {
  it.each(cases)('$name: answered with its field, recorded once from bounded values', async (c) => {
    const { app, audit } = setup();
    const res = await app.credentials(
      apiEvent('POST', '/v1/credentials', {
        token: 'alice-token',
        rawBody: c.rawBody,
        ...(c.headers ? { headers: c.headers } : {}),
      }),
      lambdaContext,
    );
    const problem = JSON.parse(res.body ?? '{}');
    expect([res.statusCode, problem.code, problem.field]).toEqual([c.status, c.code, c.field]);
    expect(audit.events).toHaveLength(1);
    const event = audit.events[0]!;
    expect(event).toMatchObject({
      action: 'vend',
      result: 'deny',
      reason: c.code,
      stage: 'verify',
      field: c.field,
      subject: 'anonymous',
      requestId: 'req-1',
      bodySha256: sha256(c.rawBody ?? ''),
      bodyBytes: Buffer.byteLength(c.rawBody ?? ''),
    });
    if (c.headers?.authorization === undefined) {
      expect(event.tokenSha256).toBe(sha256('alice-token'));
    }
    expect(JSON.stringify(event)).not.toContain(MARKER);
  });

  it('answers 503, not the refusal, when its event cannot be stored', async () => {
    const { app, audit } = setup();
    audit.failing = true;
    for (const c of cases) {
      const res = await app.credentials(
        apiEvent('POST', '/v1/credentials', {
          token: 'alice-token',
          rawBody: c.rawBody,
          ...(c.headers ? { headers: c.headers } : {}),
        }),
        lambdaContext,
      );
      expect([c.name, res.statusCode, JSON.parse(res.body ?? '{}').code]).toEqual([
        c.name,
        503,
        'ServiceUnavailable',
      ]);
      expect(res.headers?.['Retry-After']).toBeDefined();
    }
  });

  it('records a refusal on simulate and console under their own action', async () => {
    const { app, audit } = setup();
    for (const [handler, action] of [
      [app.simulate, 'simulate'],
      [app.console, 'console'],
    ] as const) {
      const res = await handler(
        apiEvent('POST', `/v1/${action}`, {
          token: 'alice-token',
          rawBody: `{"role":"app-upload","nope":"${MARKER}"}`,
        }),
        lambdaContext,
      );
      expect([res.statusCode, JSON.parse(res.body ?? '{}').field]).toEqual([400, '/nope']);
    }
    expect(audit.events.map((e) => [e.action, e.reason, e.field])).toEqual([
      ['simulate', 'InvalidRequest', '/nope'],
      ['console', 'InvalidRequest', '/nope'],
    ]);
  });

  it('does not record twice what the broker decided (its exit recorded it)', async () => {
    const { app, audit } = setup();
    const res = await app.credentials(
      apiEvent('POST', '/v1/credentials', {
        token: 'alice-token',
        rawBody: '{"role":"app-upload","durationSeconds":1e400}',
      }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(422);
    expect(audit.events.map((e) => [e.reason, e.field, e.subject])).toEqual([
      ['DurationInvalid', '/durationSeconds', expect.stringMatching(/\|/)],
    ]);
  });

  it('answers a wrong method 405 with Allow and a path under /v1 with no route 404, each recorded as a request', async () => {
    const { app, audit } = setup();
    const wrong = await app.unrouted(
      apiEvent('GET', '/v1/credentials', { token: 'alice-token' }),
      lambdaContext,
    );
    expect([
      wrong.statusCode,
      JSON.parse(wrong.body ?? '{}').code,
      wrong.headers?.['Allow'],
    ]).toEqual([405, 'MethodNotAllowed', 'POST']);
    const none = await app.unrouted(apiEvent('GET', '/v1/nothing-here'), lambdaContext);
    expect([none.statusCode, JSON.parse(none.body ?? '{}').code]).toEqual([404, 'RouteNotFound']);
    expect(audit.events.map((e) => [e.action, e.result, e.reason])).toEqual([
      ['request', 'deny', 'MethodNotAllowed'],
      ['request', 'deny', 'RouteNotFound'],
    ]);
  });

  it('answers a CORS preflight to the catch-all 204 with Allow, recording nothing (it decides nothing)', async () => {
    const { app, audit } = setup();
    const event = apiEvent('GET', '/v1/admin/bindings/x');
    const preflight = {
      ...event,
      requestContext: {
        ...event.requestContext,
        http: { ...event.requestContext.http, method: 'OPTIONS' },
      },
    };
    const res = await app.unrouted(preflight, lambdaContext);
    expect([res.statusCode, res.headers?.['Allow']]).toEqual([204, 'GET, PUT, DELETE']);
    expect(audit.events).toEqual([]);
  });
});

/**
 * The binding-admin routes through their Lambda dispatcher with real API Gateway v2 events, on
 * the real adapters: DynamoDB store and audit sink on dynalite, the Cognito verifier with a
 * hydrated JWKS, and the IAM role inspector against a small server speaking IAM's Query protocol
 * (GetRole). The steps share one table and run in order.
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoAuditSink } from '@tessera/broker/aws';
import { createTables } from '@tessera/broker/provisioning';
import { MemoryAuditSink } from '@tessera/broker/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, clientFor, type RunningServer } from '../../broker/test/dynamo-servers.js';
import { binding, trustFor } from '../../broker/test/fixtures.js';
import {
  adminDispatcher,
  adminLambdaHandler,
  createAdminApp,
  type HttpHandler,
  routes,
  type TesseraConfig,
} from '../src/index.js';
import { apiEvent, lambdaContext } from './events.js';

const POOL = 'eu-west-1_AbC';
const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
const ADMIN_SUB = 'a1b2c3d4-0000-4000-8000-00000000ad01';
const ADMIN_SUBJECT = `${ISSUER}|${ADMIN_SUB}`;
const USER_SUB = 'a1b2c3d4-0000-4000-8000-000000000001';
const ITEM = '/v1/admin/bindings/{id}';
const COLLECTION = '/v1/admin/bindings';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = {
  keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }],
};
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function sign(sub: string, username: string, groups: string[]): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: ISSUER,
    sub,
    client_id: 'admin-client-id',
    token_use: 'access',
    username,
    'cognito:groups': groups,
    jti: `jti-${username}`,
    iat: now - 5,
    exp: now + 3600,
  };
  const head = `${b64({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${b64(claims)}`;
  return `${head}.${createSign('RSA-SHA256').update(head).sign(privateKey).toString('base64url')}`;
}
const adminToken = sign(ADMIN_SUB, 'ada', ['tessera-admins', 'engineers']);
const userToken = sign(USER_SUB, 'alice', ['uploaders']);

/** IAM's GetRole over the Query protocol: the roles it knows, with their MaxSessionDuration. */
const IAM_ROLES: Record<string, number> = { 'app-upload': 7200, ops: 3600 };
const getRoleCalls: string[] = [];
const ROLE_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::media-bucket/uploads/*' },
  ],
};
function iamServer(): Server {
  return createServer(async (req, res) => {
    const chunks: Uint8Array[] = [];
    for await (const c of req) chunks.push(c as Uint8Array);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const name = form.get('RoleName') ?? '';
    const ns = 'https://iam.amazonaws.com/doc/2010-05-08/';
    const max = IAM_ROLES[name];
    const action = form.get('Action');
    if (action === 'GetRole') getRoleCalls.push(name);
    if (max !== undefined && action !== 'GetRole') {
      res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': 'iam-req-2' });
      const result =
        action === 'ListRolePolicies'
          ? '<PolicyNames><member>put-uploads</member></PolicyNames><IsTruncated>false</IsTruncated>'
          : action === 'GetRolePolicy'
            ? `<RoleName>${name}</RoleName><PolicyName>put-uploads</PolicyName><PolicyDocument>${encodeURIComponent(JSON.stringify(ROLE_POLICY))}</PolicyDocument>`
            : '<AttachedPolicies></AttachedPolicies><IsTruncated>false</IsTruncated>';
      res.end(
        `<${action}Response xmlns="${ns}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>iam-req-2</RequestId></ResponseMetadata></${action}Response>`,
      );
      return;
    }
    if (action !== 'GetRole' || max === undefined) {
      res.writeHead(404, { 'content-type': 'text/xml', 'x-amzn-requestid': 'iam-req-404' });
      res.end(
        `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name ${name} cannot be found.</Message></Error><RequestId>iam-req-404</RequestId></ErrorResponse>`,
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': 'iam-req-1' });
    res.end(`<GetRoleResponse xmlns="${ns}"><GetRoleResult><Role><Path>/</Path><RoleName>${name}</RoleName>
<RoleId>AROAEXAMPLE${name.length}</RoleId><Arn>arn:aws:iam::111122223333:role/${name}</Arn>
<CreateDate>2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument>
<MaxSessionDuration>${max}</MaxSessionDuration></Role></GetRoleResult>
<ResponseMetadata><RequestId>iam-req-1</RequestId></ResponseMetadata></GetRoleResponse>`);
  });
}

/** A binding as a PUT body: without the server's fields. */
function document(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const {
    id: _id,
    version: _v,
    updatedAt: _a,
    updatedBy: _b,
    roleMaxSessionDuration: _r,
    roleDescription: _d,
    permissionPolicies: _p,
    ...doc
  } = binding();
  return { ...doc, ...overrides };
}

let dynamo: RunningServer;
let iam: Server;
let config: TesseraConfig;
let handler: HttpHandler;
const logger = new Logger({ serviceName: 'tessera-tests', logLevel: 'SILENT' });

beforeAll(async () => {
  dynamo = await backends[0]!.start();
  const client = clientFor(dynamo.endpoint);
  await createTables(client, { bindings: 'bindings', audit: 'audit', subjects: 'subjects' });
  client.destroy();
  iam = iamServer();
  await new Promise<void>((resolve) => iam.listen(0, '127.0.0.1', () => resolve()));
  config = {
    region: 'eu-west-1',
    tables: { bindings: 'bindings', audit: 'audit', subjects: null },
    pools: [{ userPoolId: POOL, clientIds: ['admin-client-id'], jwks }],
    adminGroup: 'tessera-admins',
    accountId: '111122223333',
    roleChainingCap: true,
    cache: { bindingsSeconds: 30 },
    storeTimeoutMs: 1000,
    stsTimeoutMs: 1500,
    auditTtlDays: 7,
    subjectTtlDays: 90,
    corsOrigins: [],
    rateLimits: { perSourceIp: null, perSubject: null },
    accounts: {},
    customAttributes: [],
    targetRoles: {
      brokerRoleArn: 'arn:aws:iam::111122223333:role/tessera-broker',
      allowed: { path: '/', accounts: ['111122223333'] },
    },
    console: {
      federationEndpoint: 'https://signin.aws.amazon.com/federation',
      destination: 'https://console.aws.amazon.com/',
      issuer: null,
    },
    endpoints: {
      dynamodb: dynamo.endpoint,
      iam: `http://127.0.0.1:${(iam.address() as AddressInfo).port}`,
    },
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
  };
  handler = adminDispatcher(createAdminApp(config, { logger }), logger, []);
});
afterAll(async () => {
  await dynamo?.stop();
  await new Promise<void>((resolve) => iam.close(() => resolve()));
});

type Method = 'GET' | 'PUT' | 'DELETE';
async function call(
  method: Method,
  id: string | undefined,
  options: {
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
    query?: Record<string, string>;
  } = {},
  app: HttpHandler = handler,
) {
  const path = id === undefined ? COLLECTION : `${COLLECTION}/${id}`;
  const res = await app(
    apiEvent(method, path, {
      token: 'token' in options ? options.token : adminToken,
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.query ? { query: options.query } : {}),
      ...(id === undefined ? {} : { route: ITEM, pathParameters: { id } }),
    }),
    lambdaContext,
  );
  return { ...res, json: res.body ? JSON.parse(res.body) : undefined };
}

async function auditOf(subject: string) {
  const client = clientFor(dynamo.endpoint);
  try {
    const events = await new DynamoAuditSink({ client, tableName: 'audit' }).listBySubject(subject);
    return events.map((e) => e as unknown as Record<string, unknown>);
  } finally {
    client.destroy();
  }
}

describe('routes', () => {
  it('serves the admin routes (bindings, what-if, review) from the admin-bindings function', () => {
    const revocations = '/v1/admin/revocations';
    expect(routes.filter((r) => r.function === 'admin-bindings')).toEqual([
      { method: 'GET', path: COLLECTION, handler: 'listBindings', function: 'admin-bindings' },
      { method: 'GET', path: ITEM, handler: 'getBinding', function: 'admin-bindings' },
      { method: 'PUT', path: ITEM, handler: 'putBinding', function: 'admin-bindings' },
      { method: 'DELETE', path: ITEM, handler: 'deleteBinding', function: 'admin-bindings' },
      { method: 'POST', path: '/v1/admin/what-if', handler: 'whatIf', function: 'admin-bindings' },
      { method: 'GET', path: '/v1/admin/review', handler: 'review', function: 'admin-bindings' },
      { method: 'GET', path: revocations, handler: 'listRevocations', function: 'admin-bindings' },
      { method: 'POST', path: revocations, handler: 'addRevocation', function: 'admin-bindings' },
      {
        method: 'DELETE',
        path: `${revocations}/{id}`,
        handler: 'liftRevocation',
        function: 'admin-bindings',
      },
    ]);
  });

  it('answers 404 RouteNotFound for a route key it does not serve', async () => {
    const res = await handler(apiEvent('POST', '/v1/credentials', {}), lambdaContext);
    expect([res.statusCode, JSON.parse(res.body ?? '').code]).toEqual([404, 'RouteNotFound']);
  });

  it('answers 503 at every request when the configuration is missing', async () => {
    const entry = adminLambdaHandler({});
    const res = await entry(apiEvent('GET', COLLECTION, { token: adminToken }), lambdaContext);
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body ?? '').code).toBe('ServiceUnavailable');
  });
});

describe('authorization', () => {
  it('401 with WWW-Authenticate without a token or with a forged one', async () => {
    for (const token of [undefined, `${adminToken.slice(0, -4)}AAAA`]) {
      const res = await call('GET', undefined, { token });
      expect(res.statusCode).toBe(401);
      expect(res.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
      expect(res.json.code).toMatch(/^Token/);
    }
  });

  it('403 AdminRequired for a verified caller outside the admin group; the refused read and write are each audited once', async () => {
    const list = await call('GET', undefined, { token: userToken });
    expect([list.statusCode, list.json.code]).toEqual([403, 'AdminRequired']);
    const put = await call('PUT', 'app-upload', { token: userToken, body: document() });
    expect([put.statusCode, put.json.code]).toEqual([403, 'AdminRequired']);
    expect(put.headers?.['Content-Type']).toBe('application/problem+json');
    expect(getRoleCalls).toEqual([]);
    expect(await auditOf(`${ISSUER}|${USER_SUB}`)).toMatchObject([
      {
        action: 'binding.put',
        result: 'deny',
        reason: 'AdminRequired',
        bindingId: 'app-upload',
        username: 'alice',
      },
      { action: 'binding.read', result: 'deny', reason: 'AdminRequired', username: 'alice' },
    ]);
  });
});

describe('binding lifecycle', () => {
  it('PUT without If-Match creates: 201, ETag "1", Location, the stored binding stamped from IAM', async () => {
    const res = await call('PUT', 'app-upload', { body: document() });
    expect(res.statusCode).toBe(201);
    expect(res.headers?.['ETag']).toBe('"1"');
    expect(res.headers?.['Location']).toBe('/v1/admin/bindings/app-upload');
    expect(res.headers?.['Cache-Control']).toBe('no-store');
    expect(res.json.binding).toMatchObject({
      id: 'app-upload',
      issuer: ISSUER,
      version: 1,
      roleMaxSessionDuration: 7200,
      updatedBy: ADMIN_SUBJECT,
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(res.json.warnings).toEqual([]);
    expect(getRoleCalls).toEqual(['app-upload']);
  });

  it('GET answers the binding with its ETag', async () => {
    const res = await call('GET', 'app-upload');
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['ETag']).toBe('"1"');
    expect(res.json.binding).toMatchObject({ id: 'app-upload', version: 1 });
  });

  it("GET lists the caller's pool by default, or the ?issuer= pool", async () => {
    const res = await call('GET', undefined);
    expect(res.statusCode).toBe(200);
    expect(res.json.issuer).toBe(ISSUER);
    expect(res.json.bindings.map((b: { id: string }) => b.id)).toEqual(['app-upload']);
    const explicit = await call('GET', undefined, { query: { issuer: ISSUER } });
    expect(explicit.json.bindings).toHaveLength(1);
    const other = await call('GET', undefined, {
      query: { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' },
    });
    expect([other.statusCode, other.json.code, other.json.field, other.json.in]).toEqual([
      400,
      'InvalidRequest',
      'issuer',
      'query',
    ]);
  });

  it('PUT over an existing binding without If-Match: 412 BindingExists, nothing replaced', async () => {
    const res = await call('PUT', 'app-upload', {
      body: document({ durationSeconds: { default: 1800, max: 3600 } }),
    });
    expect([res.statusCode, res.json.code]).toEqual([412, 'BindingExists']);
    expect(res.json.title).toBe('Precondition Failed');
    const get = await call('GET', 'app-upload');
    expect(get.json.binding.durationSeconds).toEqual({ default: 900, max: 3600 });
  });

  it('PUT with If-Match: "1" replaces: 200, ETag "2"', async () => {
    const res = await call('PUT', 'app-upload', {
      body: document({ durationSeconds: { default: 1800, max: 3600 } }),
      headers: { 'if-match': '"1"' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['ETag']).toBe('"2"');
    expect(res.headers?.['Location']).toBeUndefined();
    expect(res.json.binding).toMatchObject({
      version: 2,
      durationSeconds: { default: 1800, max: 3600 },
    });
  });

  it('PUT with a stale If-Match: 412 BindingVersionConflict', async () => {
    const res = await call('PUT', 'app-upload', {
      body: document(),
      headers: { 'if-match': '"1"' },
    });
    expect([res.statusCode, res.json.code]).toEqual([412, 'BindingVersionConflict']);
    expect((await call('GET', 'app-upload')).headers?.['ETag']).toBe('"2"');
  });

  it('DELETE without If-Match: 428; stale: 412; current: 204, then GET 404', async () => {
    const none = await call('DELETE', 'app-upload');
    expect([none.statusCode, none.json.code, none.json.field]).toEqual([
      428,
      'PreconditionRequired',
      'If-Match',
    ]);
    const stale = await call('DELETE', 'app-upload', { headers: { 'if-match': '"1"' } });
    expect([stale.statusCode, stale.json.code]).toEqual([412, 'BindingVersionConflict']);
    const done = await call('DELETE', 'app-upload', { headers: { 'if-match': '"2"' } });
    expect(done.statusCode).toBe(204);
    expect(done.body).toBeUndefined();
    const gone = await call('GET', 'app-upload');
    expect([gone.statusCode, gone.json.code]).toEqual([404, 'BindingNotFound']);
    const again = await call('DELETE', 'app-upload', { headers: { 'if-match': '"2"' } });
    expect([again.statusCode, again.json.code]).toEqual([404, 'BindingNotFound']);
  });

  it('audits every write first, with who, the binding and old -> new version', async () => {
    const all = (await auditOf(ADMIN_SUBJECT)).reverse();
    // The write trail (events with a version change); refusals before any attempt are below.
    const events = all.filter((e) => e.previousVersion !== undefined);
    expect(
      events.map((e) => [e.action, e.result, e.reason, e.previousVersion, e.newVersion]),
    ).toEqual([
      ['binding.put', 'grant', 'Granted', null, 1],
      // A write refused by the store: the attempt, then its outcome.
      ['binding.put', 'grant', 'Granted', null, 1],
      ['binding.put', 'deny', 'BindingExists', null, 1],
      ['binding.put', 'grant', 'Granted', 1, 2],
      ['binding.put', 'grant', 'Granted', 1, 2],
      ['binding.put', 'deny', 'BindingVersionConflict', 1, 2],
      // Refused before any attempt (stale If-Match seen on the read): not a write, no trail event.
      ['binding.delete', 'grant', 'Granted', 2, null],
    ]);
    // Refused before any write was attempted: each recorded once, naming the administrator.
    expect(
      all.filter((e) => e.previousVersion === undefined).map((e) => [e.action, e.reason]),
    ).toEqual([
      ['binding.read', 'InvalidRequest'],
      ['binding.delete', 'PreconditionRequired'],
      ['binding.delete', 'BindingVersionConflict'],
      ['binding.read', 'BindingNotFound'],
      ['binding.delete', 'BindingNotFound'],
    ]);
    expect(events[0]).toMatchObject({
      subject: ADMIN_SUBJECT,
      issuer: ISSUER,
      sub: ADMIN_SUB,
      username: 'ada',
      clientId: 'admin-client-id',
      bindingId: 'app-upload',
      roleArn: 'arn:aws:iam::111122223333:role/app-upload',
      tokenSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      sourceIp: '203.0.113.7',
    });
    expect(events.at(-1)).toMatchObject({
      bindingId: 'app-upload',
      roleArn: 'arn:aws:iam::111122223333:role/app-upload',
      detail: 'version 2 -> deleted',
    });
    expect(JSON.stringify(events)).not.toContain(adminToken);
  });
});

describe('validation', () => {
  it('422 BindingInvalid naming the binding field, with every issue', async () => {
    const bad = document({
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [{ ...trustFor(['uploaders']).Statement[0], Effect: 'Permit' }],
      },
      durationSeconds: { default: 7200, max: 3600 },
    });
    const res = await call('PUT', 'bad-binding', { body: bad });
    expect(res.statusCode).toBe(422);
    expect(res.json).toMatchObject({
      code: 'BindingInvalid',
      field: '/trustPolicy/Statement/0/Effect',
      issues: [
        { field: '/trustPolicy/Statement/0/Effect', code: 'InvalidEffect' },
        { field: '/durationSeconds/default', code: 'DefaultAboveMax' },
      ],
    });
  });

  it('422 naming roleArn (RoleNotFound) for a role IAM does not know', async () => {
    const res = await call('PUT', 'ghost', {
      body: document({ roleArn: 'arn:aws:iam::111122223333:role/ghost' }),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json).toMatchObject({
      code: 'BindingInvalid',
      field: '/roleArn',
      issues: [{ field: '/roleArn', code: 'RoleNotFound' }],
    });
    expect(getRoleCalls.at(-1)).toBe('ghost');
    expect((await call('GET', 'ghost')).statusCode).toBe(404);
  });

  it('422 naming issuer for a pool the broker does not trust', async () => {
    const res = await call('PUT', 'elsewhere', {
      body: document({ issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Zzz' }),
    });
    expect(res.json).toMatchObject({
      status: 422,
      code: 'BindingInvalid',
      field: '/issuer',
      issues: [{ field: '/issuer', code: 'IssuerNotConfigured' }],
    });
  });

  it('400 naming the id path parameter or a malformed If-Match header', async () => {
    const id = await call('PUT', 'Not_An_Id', { body: document() });
    expect([id.statusCode, id.json.code, id.json.field, id.json.in]).toEqual([
      400,
      'InvalidRequest',
      'id',
      'path',
    ]);
    const long = await call('GET', 'x'.repeat(65));
    expect([long.statusCode, long.json.field]).toEqual([400, 'id']);
    const etag = await call('PUT', 'app-upload', {
      body: document(),
      headers: { 'if-match': 'W/"1"' },
    });
    expect([etag.statusCode, etag.json.field, etag.json.in]).toEqual([400, 'If-Match', 'header']);
  });

  it('422 naming every problem of a write at once, each by JSON Pointer', async () => {
    const array = await call('PUT', 'app-upload', { body: [document()] });
    expect([array.statusCode, array.json.code, array.json.field]).toEqual([
      422,
      'BindingInvalid',
      '',
    ]);
    // Nothing is stored under this id: server-managed fields cannot be sent, beside other problems.
    const res = await call('PUT', 'app-upload', {
      body: document({ version: 3, updatedBy: 'mallory', enabled: 'yes', extra: 1 }),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json.issues.map((i: { field: string; code: string }) => [i.field, i.code])).toEqual([
      ['/enabled', 'NotABoolean'],
      ['/version', 'ServerFieldChanged'],
      ['/updatedBy', 'ServerFieldChanged'],
      ['/extra', 'UnknownField'],
    ]);
  });

  it('answers validator warnings as {code, path, message}', async () => {
    const res = await call('PUT', 'team-blue', {
      body: document({
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRole',
              Principal: { Federated: `cognito-idp.eu-west-1.amazonaws.com/${POOL}` },
              Condition: { StringEquals: { 'token:custom:team': 'blue' } },
            },
          ],
        },
      }),
    });
    expect(res.statusCode).toBe(201);
    // No custom attribute is configured here: custom:team is unknown to the pool, and the only key checked.
    expect(res.json.warnings).toEqual([
      {
        code: 'UnknownClaimKey',
        path: '/trustPolicy/Statement/0/Condition/StringEquals/token:custom:team',
        message: expect.stringContaining('not a claim'),
      },
      {
        code: 'TrustOnlyUserWritableClaims',
        path: '/trustPolicy/Statement/0',
        message: expect.any(String),
      },
    ]);
  });
});

describe('conditional headers', () => {
  it('If-None-Match: * creates, and refuses an existing binding; other values are 400', async () => {
    const created = await call('PUT', 'ops-readonly', {
      body: document({ roleArn: 'arn:aws:iam::111122223333:role/ops', sessionTags: {} }),
      headers: { 'if-none-match': '*' },
    });
    expect([created.statusCode, created.headers?.['ETag']]).toEqual([201, '"1"']);
    expect(created.json.binding.roleMaxSessionDuration).toBe(3600);
    const again = await call('PUT', 'ops-readonly', {
      body: document({ roleArn: 'arn:aws:iam::111122223333:role/ops', sessionTags: {} }),
      headers: { 'if-none-match': '*' },
    });
    expect([again.statusCode, again.json.code]).toEqual([412, 'BindingExists']);
    const both = await call('PUT', 'ops-readonly', {
      body: document(),
      headers: { 'if-none-match': '*', 'if-match': '"1"' },
    });
    expect([both.statusCode, both.json.field]).toEqual([400, 'If-None-Match']);
  });
});

describe('audit fails closed', () => {
  it('503 and nothing written when the audit log is down', async () => {
    const down = new MemoryAuditSink();
    down.failing = true;
    const app = adminDispatcher(createAdminApp(config, { logger, audit: down }), logger, []);
    const res = await call('PUT', 'no-audit', { body: document() }, app);
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBeDefined();
    expect(res.json.code).toBe('ServiceUnavailable');
    expect((await call('GET', 'no-audit')).statusCode).toBe(404);
    const del = await call('DELETE', 'team-blue', { headers: { 'if-match': '"1"' } }, app);
    expect(del.statusCode).toBe(503);
    expect((await call('GET', 'team-blue')).statusCode).toBe(200);
  });
});

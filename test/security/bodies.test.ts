/**
 * Malformed bodies and headers against the local stack over real HTTP (raw sockets, so a header
 * can repeat and a body can be anything): bad JSON, wrong types, unknown fields, numbers out of
 * range, huge bodies, wrong content types, repeated headers, wrong methods — on /v1/credentials,
 * /v1/simulate, /v1/console, /v1/roles and the admin routes. Each is answered with a 4xx
 * `application/problem+json` carrying a stable code and the field at fault, never credentials,
 * and leaves exactly one audit event (found by the API's request id, which the event records)
 * that holds no value of the body. Also: admin writes naming a role Tessera may not assume (its
 * own, or one outside the configured targets) are refused 422 naming `/roleArn`.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_CONFIG_PATH,
  type LocalStack,
  loadLocalConfig,
  MAX_BODY_BYTES,
  startStack,
} from '@tessera/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanAuditTable, signInIdToken } from '../support/local-stack.js';
import './support/meta.js';

const AUDIT_TABLE = 'tessera-local-audit';
/** Put in bodies' values: no audit event may contain it. */
const MARKER = 'BODY-MARKER-5f2a9c';
const CREDENTIALS = /accessKeyId|AccessKeyId|secretAccessKey|sessionToken|SessionToken|ASIA/;
const bytesOf = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.length);
const bufferOf = (body: string | Buffer | undefined): Buffer =>
  body === undefined ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body) : body;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytesOf(bytes)).digest('hex');

let stack: LocalStack;
let home: string;
let alice: string;
let admin: string;

interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * One HTTP/1.1 request written to a socket as given: headers may repeat, the body is sent as is
 * (with its Content-Length unless `headers` carries one).
 */
function raw(
  method: string,
  path: string,
  headers: readonly (readonly [string, string])[],
  body?: string | Buffer,
): Promise<RawAnswer> {
  const api = new URL(stack.info.api);
  const payload = bufferOf(body);
  const lines = [
    `${method} ${path} HTTP/1.1`,
    `Host: ${api.host}`,
    'Connection: close',
    ...headers.map(([name, value]) => `${name}: ${value}`),
    ...(body === undefined ? [] : [`Content-Length: ${payload.length}`]),
  ];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(api.port), api.hostname);
    const chunks: Uint8Array[] = [];
    socket.on('data', (chunk: Uint8Array) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve(parseAnswer(Buffer.concat(chunks))));
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    // Not end(): a half-closed request is dropped by Node's server; `Connection: close` ends it.
    socket.write(bytesOf(payload));
  });
}

function parseAnswer(bytes: Buffer): RawAnswer {
  const split = bytes.indexOf('\r\n\r\n');
  const head = bytes.subarray(0, split).toString('latin1').split('\r\n');
  const status = Number(head[0]?.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = bytes.subarray(split + 4);
  const length = Number(headers['content-length'] ?? rest.length);
  return { status, headers, body: rest.subarray(0, length).toString('utf8') };
}

const idToken = (username: string) => signInIdToken(stack, username);

const auditEvents = () => scanAuditTable(stack, AUDIT_TABLE);

type Who = 'alice' | 'admin' | 'nobody';

interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly who: Who;
  /** Headers besides Authorization; default one `Content-Type: application/json` with a body. */
  readonly headers?: readonly (readonly [string, string])[];
  /** Repeat the Authorization header (a second, different bearer). */
  readonly twoAuthorizations?: boolean;
  readonly body?: string | Buffer;
  readonly status: number;
  readonly code: string;
  /** The field named (a JSON Pointer into the body, or a header / parameter name); null: none. */
  readonly field: string | null;
  readonly in?: 'header' | 'path' | 'query';
  /** The event's action. */
  readonly action: string;
  /** Refused by the HTTP layer (its event carries the body's hash), not decided by the broker. */
  readonly beforeBroker: boolean;
}

const JSON_TYPE = [['Content-Type', 'application/json']] as const;
const TARGET = 'arn:aws:iam::111111111111:role/eng-readonly';

/** A binding document an administrator may PUT (the seeded eng-readonly's shape). */
function bindingDocument(roleArn: string, overrides: Record<string, unknown> = {}) {
  return {
    roleArn,
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Federated: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Tessera1' },
          Condition: {
            'ForAnyValue:StringEquals': { 'token:cognito:groups': ['engineering'] },
          },
        },
      ],
    },
    sourceIdentity: '${token:cognito:username}',
    durationSeconds: { default: 3600, max: 3600 },
    externalId: null,
    enabled: true,
    ...overrides,
  };
}
const m = (value: unknown) => JSON.stringify(value);
const huge = (bytes: number) => `{"role":"${MARKER}","pad":"${'x'.repeat(bytes)}"}`;

function credentialsCases(): Case[] {
  const vend = { method: 'POST', path: '/v1/credentials', who: 'alice', action: 'vend' } as const;
  const http = { ...vend, beforeBroker: true } as const;
  const broker = { ...vend, beforeBroker: false } as const;
  const outOfRange = ['1e400', '-1e400', '1e200', '1e-200', '1800.5', '-900', '0', '1e30'];
  return [
    {
      ...http,
      name: 'bad JSON',
      body: `{"role":"${MARKER}"`,
      status: 400,
      code: 'InvalidJson',
      field: '',
    },
    { ...http, name: 'empty body', body: '', status: 400, code: 'InvalidJson', field: '' },
    {
      ...http,
      name: 'a bare string',
      body: m(MARKER),
      status: 400,
      code: 'InvalidRequest',
      field: '',
    },
    {
      ...http,
      name: 'a JSON array',
      body: m([MARKER]),
      status: 400,
      code: 'InvalidRequest',
      field: '',
    },
    {
      ...http,
      name: 'a trailing comma',
      body: `{"role":"${MARKER}",}`,
      status: 400,
      code: 'InvalidJson',
      field: '',
    },
    {
      ...http,
      name: 'a __proto__ key',
      body: `{"role":"app-upload","__proto__":{"a":"${MARKER}"}}`,
      status: 400,
      code: 'InvalidJson',
      field: '',
    },
    {
      ...http,
      name: 'role a number',
      body: '{"role":42}',
      status: 400,
      code: 'InvalidRequest',
      field: '/role',
    },
    {
      ...http,
      name: 'role 1e400',
      body: '{"role":1e400}',
      status: 400,
      code: 'InvalidRequest',
      field: '/role',
    },
    {
      ...http,
      name: 'role an object',
      body: m({ role: { a: MARKER } }),
      status: 400,
      code: 'InvalidRequest',
      field: '/role',
    },
    {
      ...http,
      name: 'role null',
      body: '{"role":null}',
      status: 400,
      code: 'InvalidRequest',
      field: '/role',
    },
    {
      ...http,
      name: 'role missing',
      body: '{"durationSeconds":900}',
      status: 400,
      code: 'InvalidRequest',
      field: '/role',
    },
    {
      ...http,
      name: 'an unknown field',
      body: m({ role: 'app-upload', admin: MARKER }),
      status: 400,
      code: 'InvalidRequest',
      field: '/admin',
    },
    {
      ...http,
      name: 'an unknown field with an odd name',
      body: m({ role: 'app-upload', 'a/b~c': MARKER }),
      status: 400,
      code: 'InvalidRequest',
      field: '/a~1b~0c',
    },
    // Not a positive integer, or over 43200: each the broker's DurationInvalid (its exit records it).
    ...outOfRange.map(
      (n): Case => ({
        ...broker,
        name: `durationSeconds ${n}`,
        body: `{"role":"app-upload","durationSeconds":${n}}`,
        status: 422,
        code: 'DurationInvalid',
        field: '/durationSeconds',
      }),
    ),
    {
      ...broker,
      name: 'durationSeconds a string',
      body: m({ role: 'app-upload', durationSeconds: MARKER }),
      status: 422,
      code: 'DurationInvalid',
      field: '/durationSeconds',
    },
    {
      ...http,
      name: 'a body over 16 KiB',
      body: huge(17 * 1024),
      status: 413,
      code: 'PayloadTooLarge',
      field: '',
    },
    {
      ...http,
      name: 'a body of 1 MiB',
      body: huge(1024 * 1024),
      status: 413,
      code: 'PayloadTooLarge',
      field: '',
    },
    {
      ...http,
      name: 'a body of 9 MiB',
      body: huge(9 * 1024 * 1024),
      status: 413,
      code: 'PayloadTooLarge',
      field: '',
    },
    {
      ...http,
      name: 'Content-Type text/plain',
      headers: [['Content-Type', 'text/plain']],
      body: `role=${MARKER}`,
      status: 415,
      code: 'UnsupportedMediaType',
      field: 'Content-Type',
      in: 'header',
    },
    {
      ...http,
      name: 'no Content-Type',
      headers: [],
      body: m({ role: MARKER }),
      status: 415,
      code: 'UnsupportedMediaType',
      field: 'Content-Type',
      in: 'header',
    },
    {
      ...http,
      name: 'Content-Type form',
      headers: [['Content-Type', 'application/x-www-form-urlencoded']],
      body: `role=${MARKER}`,
      status: 415,
      code: 'UnsupportedMediaType',
      field: 'Content-Type',
      in: 'header',
    },
    {
      ...http,
      name: 'Content-Type octet-stream (a base64 body)',
      headers: [['Content-Type', 'application/octet-stream']],
      body: Buffer.from([0xff, 0x00, 0xfe, ...Buffer.from(MARKER)]),
      status: 415,
      code: 'UnsupportedMediaType',
      field: 'Content-Type',
      in: 'header',
    },
    {
      ...http,
      name: 'Content-Type application/jsonx',
      headers: [['Content-Type', 'application/jsonx']],
      body: m({ role: MARKER }),
      status: 415,
      code: 'UnsupportedMediaType',
      field: 'Content-Type',
      in: 'header',
    },
    {
      ...http,
      name: 'two Content-Types that conflict',
      headers: [
        ['Content-Type', 'application/json'],
        ['Content-Type', 'text/plain'],
      ],
      body: m({ role: MARKER }),
      status: 400,
      code: 'InvalidRequest',
      field: 'Content-Type',
      in: 'header',
    },
    {
      ...http,
      name: 'two equal Content-Types',
      headers: [
        ['Content-Type', 'application/json'],
        ['Content-Type', 'application/json'],
      ],
      body: m({ role: MARKER }),
      status: 400,
      code: 'InvalidRequest',
      field: 'Content-Type',
      in: 'header',
    },
    {
      ...http,
      name: 'two Authorization headers',
      twoAuthorizations: true,
      body: m({ role: MARKER }),
      status: 400,
      code: 'InvalidRequest',
      field: 'Authorization',
      in: 'header',
    },
  ];
}

function operatorCases(): Case[] {
  const simulate = {
    method: 'POST',
    path: '/v1/simulate',
    who: 'alice',
    action: 'simulate',
    beforeBroker: true,
  } as const;
  const consoleLink = {
    method: 'POST',
    path: '/v1/console',
    who: 'alice',
    action: 'console',
    beforeBroker: true,
  } as const;
  const roles = {
    method: 'GET',
    path: '/v1/roles',
    who: 'alice',
    action: 'roles',
    beforeBroker: true,
  } as const;
  return [
    {
      ...simulate,
      name: 'simulate: bad JSON',
      body: `{"role":"${MARKER}`,
      status: 400,
      code: 'InvalidJson',
      field: '',
    },
    {
      ...simulate,
      name: 'simulate: an unknown field',
      body: m({ role: 'app-upload', x: MARKER }),
      status: 400,
      code: 'InvalidRequest',
      field: '/x',
    },
    {
      ...simulate,
      name: 'simulate: claims a string',
      body: m({ role: 'app-upload', claims: MARKER }),
      status: 400,
      code: 'InvalidRequest',
      field: '/claims',
    },
    {
      ...simulate,
      name: 'simulate: sourceIp not an address',
      body: m({ role: 'app-upload', sourceIp: MARKER }),
      status: 400,
      code: 'InvalidRequest',
      field: '/sourceIp',
    },
    {
      ...simulate,
      name: 'simulate: role 1e400',
      body: '{"role":1e400}',
      status: 400,
      code: 'InvalidRequest',
      field: '/role',
    },
    {
      ...simulate,
      name: 'simulate: Content-Type text/plain',
      headers: [['Content-Type', 'text/plain']],
      body: MARKER,
      status: 415,
      code: 'UnsupportedMediaType',
      field: 'Content-Type',
      in: 'header',
    },
    {
      ...simulate,
      name: 'simulate: a body over 16 KiB',
      body: huge(20_000),
      status: 413,
      code: 'PayloadTooLarge',
      field: '',
    },
    {
      ...consoleLink,
      name: 'console: bad JSON',
      body: `[${MARKER}`,
      status: 400,
      code: 'InvalidJson',
      field: '',
    },
    {
      ...consoleLink,
      name: 'console: an unknown field',
      body: m({ role: 'app-upload', y: MARKER }),
      status: 400,
      code: 'InvalidRequest',
      field: '/y',
    },
    {
      ...consoleLink,
      name: 'console: role a boolean',
      body: '{"role":true}',
      status: 400,
      code: 'InvalidRequest',
      field: '/role',
    },
    {
      ...consoleLink,
      name: 'console: two Content-Types',
      headers: [
        ['Content-Type', 'application/json'],
        ['Content-Type', 'application/xml'],
      ],
      body: m({ role: MARKER }),
      status: 400,
      code: 'InvalidRequest',
      field: 'Content-Type',
      in: 'header',
    },
    {
      ...roles,
      name: 'roles: two Authorization headers',
      headers: [],
      twoAuthorizations: true,
      status: 400,
      code: 'InvalidRequest',
      field: 'Authorization',
      in: 'header',
    },
  ];
}

function adminCases(): Case[] {
  const put = {
    method: 'PUT',
    path: '/v1/admin/bindings/bodies-x',
    who: 'admin',
    action: 'binding.put',
    beforeBroker: true,
  } as const;
  const del = {
    method: 'DELETE',
    path: '/v1/admin/bindings/app-upload',
    who: 'admin',
    action: 'binding.delete',
    beforeBroker: true,
  } as const;
  const read = { method: 'GET', who: 'admin', action: 'binding.read', beforeBroker: true } as const;
  return [
    {
      ...put,
      name: 'admin PUT: bad JSON',
      body: `{"roleArn":"${MARKER}"`,
      status: 400,
      code: 'InvalidJson',
      field: '',
    },
    {
      ...put,
      name: 'admin PUT: Content-Type text/plain',
      headers: [['Content-Type', 'text/plain']],
      body: MARKER,
      status: 415,
      code: 'UnsupportedMediaType',
      field: 'Content-Type',
      in: 'header',
    },
    {
      ...put,
      name: 'admin PUT: a body over 16 KiB',
      body: huge(17 * 1024),
      status: 413,
      code: 'PayloadTooLarge',
      field: '',
    },
    {
      ...put,
      name: 'admin PUT: durationSeconds.default 1e400',
      body: m(bindingDocument(TARGET, { sourceIdentity: MARKER })).replace(
        '"durationSeconds":{"default":3600,"max":3600}',
        '"durationSeconds":{"default":1e400,"max":3600}',
      ),
      status: 422,
      code: 'BindingInvalid',
      field: '/durationSeconds/default',
    },
    {
      ...put,
      name: 'admin PUT: roleArn a number',
      body: `{"roleArn":1e200,"description":"${MARKER}"}`,
      status: 422,
      code: 'BindingInvalid',
      field: '/roleArn',
    },
    {
      ...put,
      name: 'admin PUT: a JSON array',
      body: m([MARKER]),
      status: 422,
      code: 'BindingInvalid',
      field: '',
    },
    {
      ...put,
      name: 'admin PUT: If-Match not an ETag',
      headers: [...JSON_TYPE, ['If-Match', MARKER]],
      body: m({ description: MARKER }),
      status: 400,
      code: 'InvalidRequest',
      field: 'If-Match',
      in: 'header',
    },
    {
      ...put,
      name: 'admin PUT: If-None-Match not *',
      headers: [...JSON_TYPE, ['If-None-Match', '"3"']],
      body: m({ description: MARKER }),
      status: 400,
      code: 'InvalidRequest',
      field: 'If-None-Match',
      in: 'header',
    },
    {
      ...put,
      name: 'admin PUT: two Authorization headers',
      twoAuthorizations: true,
      body: m({ description: MARKER }),
      status: 400,
      code: 'InvalidRequest',
      field: 'Authorization',
      in: 'header',
    },
    {
      ...put,
      name: 'admin PUT: an id that is not one',
      path: '/v1/admin/bindings/NOT_AN_ID',
      body: m({ description: MARKER }),
      status: 400,
      code: 'InvalidRequest',
      field: 'id',
      in: 'path',
    },
    {
      ...del,
      name: 'admin DELETE: no If-Match',
      headers: [],
      status: 428,
      code: 'PreconditionRequired',
      field: 'If-Match',
      in: 'header',
    },
    {
      ...del,
      name: 'admin DELETE: two If-Match headers',
      headers: [
        ['If-Match', '"1"'],
        ['If-Match', '"2"'],
      ],
      status: 400,
      code: 'InvalidRequest',
      field: 'If-Match',
      in: 'header',
    },
    {
      ...read,
      name: 'admin GET: an issuer not configured',
      path: `/v1/admin/bindings?issuer=${MARKER}`,
      headers: [],
      status: 400,
      code: 'InvalidRequest',
      field: 'issuer',
      in: 'query',
    },
    {
      ...read,
      name: 'admin GET: an id that is not one',
      path: '/v1/admin/bindings/Bad%20Id',
      headers: [],
      status: 400,
      code: 'InvalidRequest',
      field: 'id',
      in: 'path',
    },
  ];
}

function methodCases(): Case[] {
  const any = {
    who: 'alice',
    action: 'request',
    beforeBroker: true,
    field: null,
    headers: [],
  } as const;
  return [
    {
      ...any,
      name: 'GET /v1/credentials',
      method: 'GET',
      path: '/v1/credentials',
      status: 405,
      code: 'MethodNotAllowed',
    },
    {
      ...any,
      name: 'PUT /v1/credentials with a body',
      method: 'PUT',
      path: '/v1/credentials',
      headers: JSON_TYPE,
      body: m({ role: MARKER }),
      status: 405,
      code: 'MethodNotAllowed',
    },
    {
      ...any,
      name: 'DELETE /v1/roles',
      method: 'DELETE',
      path: '/v1/roles',
      status: 405,
      code: 'MethodNotAllowed',
    },
    {
      ...any,
      name: 'POST /v1/admin/bindings/x',
      method: 'POST',
      path: '/v1/admin/bindings/x',
      headers: JSON_TYPE,
      body: m({ a: MARKER }),
      status: 405,
      code: 'MethodNotAllowed',
    },
    {
      ...any,
      name: 'PATCH /v1/simulate',
      method: 'PATCH',
      path: '/v1/simulate',
      status: 405,
      code: 'MethodNotAllowed',
    },
    {
      ...any,
      name: 'GET /v1/no-such-route',
      method: 'GET',
      path: `/v1/${MARKER}`,
      status: 404,
      code: 'RouteNotFound',
    },
  ];
}

const ALLOW: Readonly<Record<string, string>> = {
  'GET /v1/credentials': 'POST',
  'PUT /v1/credentials with a body': 'POST',
  'DELETE /v1/roles': 'GET',
  'POST /v1/admin/bindings/x': 'GET, PUT, DELETE',
  'PATCH /v1/simulate': 'POST',
};

function send(c: Case): Promise<RawAnswer> {
  const bearer = c.who === 'alice' ? alice : c.who === 'admin' ? admin : undefined;
  const auth: [string, string][] =
    bearer === undefined ? [] : [['Authorization', `Bearer ${bearer}`]];
  if (c.twoAuthorizations) auth.push(['Authorization', `Bearer ${admin}`]);
  const headers = c.headers ?? (c.body === undefined ? [] : JSON_TYPE);
  return raw(
    c.method,
    c.path,
    [...auth, ['User-Agent', 'tessera-bodies-suite'], ...headers],
    c.body,
  );
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'tessera-bodies-'));
  const config = loadLocalConfig(DEFAULT_CONFIG_PATH);
  // Targets: the in-account roles only; partner-audit (another account) exists in the local IAM
  // but is not a role this broker may assume.
  const targets = ['app-upload', 'eng-readonly', 'eng-workday'].map(
    (name) => `arn:aws:iam::111111111111:role/${name}`,
  );
  stack = await startStack({
    home,
    ports: 0,
    config: {
      ...config,
      targetRoles: { arns: targets },
      bindings: config.bindings.filter((b) => b['id'] !== 'partner-audit'),
    },
  });
  [alice, admin] = await Promise.all([idToken('alice'), idToken('admin')]);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('malformed bodies and headers', () => {
  const all = () => [...credentialsCases(), ...operatorCases(), ...adminCases(), ...methodCases()];

  it('covers every kind of bad input named by the issue, on every route', () => {
    const names = all().map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(60);
    const paths = new Set(
      all().map((c) => c.path.split('?')[0]!.replace(/bindings\/.*/, 'bindings/{id}')),
    );
    for (const route of [
      '/v1/credentials',
      '/v1/simulate',
      '/v1/console',
      '/v1/roles',
      '/v1/admin/bindings',
      '/v1/admin/bindings/{id}',
    ]) {
      expect(paths).toContain(route);
    }
  });

  it('answers each with a 4xx problem naming its field and no credentials, and records exactly one event holding no body value', async ({
    task,
  }) => {
    const answers: { c: Case; res: RawAnswer }[] = [];
    for (const c of all()) answers.push({ c, res: await send(c) });
    task.meta.security = {
      suite: 'bodies',
      runs: answers.length,
      refused: answers.filter(({ res }) => res.status >= 400 && res.status < 500).length,
    };
    const events = await auditEvents();
    const wrong = answers.flatMap(({ c, res }) => {
      const problem = JSON.parse(res.body || '{}') as Record<string, unknown>;
      const recorded = events.filter((e) => e['requestId'] === res.headers['apigw-requestid']);
      const event = recorded[0] ?? {};
      const payload = bufferOf(c.body);
      const got = {
        status: res.status,
        type: res.headers['content-type'],
        code: problem['code'],
        field: problem['field'] ?? null,
        in: problem['in'],
        allow: res.headers['allow'],
        credentials: CREDENTIALS.test(res.body),
        events: recorded.length,
        result: event['result'],
        reason: event['reason'],
        action: event['action'],
        eventField: event['field'] ?? null,
        bodyValueInEvent: JSON.stringify(recorded).includes(MARKER),
        bodySha256: c.beforeBroker && payload.length > 0 ? event['bodySha256'] : undefined,
        bodyBytes: c.beforeBroker && payload.length > 0 ? event['bodyBytes'] : undefined,
      };
      const want = {
        status: c.status,
        type: 'application/problem+json',
        code: c.code,
        field: c.field,
        in: c.in,
        allow: ALLOW[c.name],
        credentials: false,
        events: 1,
        result: 'deny',
        reason: c.code,
        action: c.action,
        eventField: c.field,
        bodyValueInEvent: false,
        bodySha256: c.beforeBroker && payload.length > 0 ? sha256(payload) : undefined,
        bodyBytes: c.beforeBroker && payload.length > 0 ? payload.length : undefined,
      };
      return JSON.stringify(got) === JSON.stringify(want) ? [] : [{ name: c.name, got, want }];
    });
    expect(wrong).toEqual([]);
  }, 180_000);

  it('leaves a body over API Gateway’s own 10 MiB cap to the API layer: 413, before any function runs, so no event', async () => {
    const before = (await auditEvents()).length;
    const res = await raw(
      'POST',
      '/v1/credentials',
      [['Authorization', `Bearer ${alice}`], ...JSON_TYPE],
      huge(MAX_BODY_BYTES + 1),
    );
    expect([res.status, JSON.parse(res.body).code]).toEqual([413, 'PayloadTooLarge']);
    expect(await auditEvents()).toHaveLength(before);
  }, 60_000);
});

describe('admin writes for roles Tessera may not assume', () => {
  async function put(id: string, roleArn: string): Promise<RawAnswer> {
    return raw(
      'PUT',
      `/v1/admin/bindings/${id}`,
      [['Authorization', `Bearer ${admin}`], ...JSON_TYPE],
      JSON.stringify(bindingDocument(roleArn)),
    );
  }

  it('refuses the broker’s own role and a role outside the targets with 422 RoleNotTargetable at /roleArn, stores nothing, records one event naming the administrator', async () => {
    const cases = [
      ['bodies-broker', 'arn:aws:iam::111111111111:role/tessera-broker'],
      ['bodies-partner', 'arn:aws:iam::222222222222:role/partner-audit'],
      ['bodies-unknown', 'arn:aws:iam::111111111111:role/not-a-target'],
    ] as const;
    const answers = [];
    for (const [id, roleArn] of cases) answers.push(await put(id, roleArn));
    const events = await auditEvents();
    for (const [i, res] of answers.entries()) {
      const problem = JSON.parse(res.body) as Record<string, unknown>;
      expect([res.status, problem['code'], problem['field']]).toEqual([
        422,
        'RoleNotTargetable',
        '/roleArn',
      ]);
      const recorded = events.filter((e) => e['requestId'] === res.headers['apigw-requestid']);
      // Who tried, and on which binding: the token was verified before the write was refused.
      expect(
        recorded.map((e) => [
          e['action'],
          e['result'],
          e['reason'],
          e['field'],
          e['username'],
          e['bindingId'],
        ]),
      ).toEqual([['binding.put', 'deny', 'RoleNotTargetable', '/roleArn', 'admin', cases[i]![0]]]);
      const stored = await raw('GET', `/v1/admin/bindings/${cases[i]![0]}`, [
        ['Authorization', `Bearer ${admin}`],
      ]);
      expect(stored.status).toBe(404);
    }
  });

  it('still saves a binding for a configured target role', async () => {
    const res = await put('bodies-allowed', TARGET);
    expect(res.status).toBe(201);
    const stored = await raw('GET', '/v1/admin/bindings/bodies-allowed', [
      ['Authorization', `Bearer ${admin}`],
    ]);
    expect(JSON.parse(stored.body).binding.roleArn).toBe(
      'arn:aws:iam::111111111111:role/eng-readonly',
    );
  });
});

/**
 * Operating Tessera, end to end through the local stack with real HTTP: simulate (a refusal
 * explained to the caller by key and operator, to an administrator with the expected values;
 * made-up claims; "can this session do X"), audit queries (complete, ordered pages without
 * duplicates, never a Scan), console sign-in links through the federation stand-in, roles with
 * account names and descriptions, the trust-policy vocabulary on binding writes, and the API
 * emulation's source IP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startStack } from '@tessera/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInIdToken } from './support/local-stack.js';

let stack: LocalStack;
let home: string;
let api: string;
let now = Date.now();
const storeOps: string[] = [];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'tessera-operate-'));
  stack = await startStack({
    home,
    ports: 0,
    clock: () => now,
    onStoreRequest: (op) => storeOps.push(op),
  });
  api = stack.info.api;
});

afterAll(async () => {
  await stack?.stop();
  rmSync(home, { recursive: true, force: true });
});

const idToken = (username: string, client = 'app') => signInIdToken(stack, username, client);

async function call(
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: test answers are read field by field
  return { res, json: (text ? JSON.parse(text) : {}) as any };
}

describe('POST /v1/simulate', () => {
  it("explains erin's refusal of partner-audit to her by key and operator, without expected values", async () => {
    const erin = await idToken('erin');
    const { res, json } = await call('POST', '/v1/simulate', erin, { role: 'partner-audit' });
    expect(res.status).toBe(200);
    expect(json.decision).toBe('deny');
    expect(json.reasons).toEqual([
      {
        code: 'ConditionNotMet',
        bindingId: 'partner-audit',
        policy: 'trust',
        statement: 0,
        element: 'Condition',
        key: 'token:cognito:groups',
        operator: 'ForAnyValue:StringEquals',
      },
    ]);
    expect(json.trace).toBeUndefined();
    expect(JSON.stringify(json)).not.toContain('auditors');
  });

  it('shows the administrator the expected values and the whole trace for the same refusal', async () => {
    const admin = await idToken('admin');
    const erinClaims = {
      sub: 'erin-sub',
      'cognito:username': 'erin',
      'cognito:groups': ['engineering'],
      aud: stack.info.issuer.clients.app,
    };
    const { res, json } = await call('POST', '/v1/simulate', admin, {
      role: 'partner-audit',
      claims: erinClaims,
    });
    expect(res.status).toBe(200);
    expect(json.decision).toBe('deny');
    expect(json.reasons[0].key).toBe('token:cognito:groups');
    expect(json.reasons[0].detail).toContain('"engineering"');
    expect(json.reasons[0].detail).toContain('"auditors"');
    expect(json.trace[0]).toMatchObject({ bindingId: 'partner-audit', decision: 'ImplicitDeny' });
  });

  it('lets an administrator simulate made-up claims: an auditor would get partner-audit', async () => {
    const admin = await idToken('admin');
    const { json } = await call('POST', '/v1/simulate', admin, {
      role: 'partner-audit',
      claims: { sub: 'made-up', 'cognito:username': 'zoe', 'cognito:groups': ['auditors'] },
      durationSeconds: 7200,
    });
    expect(json).toMatchObject({
      decision: 'allow',
      bindingId: 'partner-audit',
      roleArn: 'arn:aws:iam::222222222222:role/partner-audit',
      durationSeconds: 3600,
      clampedBy: 'binding-max',
      sourceIdentity: 'zoe',
      sessionPolicy: null,
    });
  });

  it('refuses made-up claims from a caller who is not an administrator', async () => {
    const erin = await idToken('erin');
    const { res, json } = await call('POST', '/v1/simulate', erin, {
      role: 'partner-audit',
      claims: { 'cognito:groups': ['auditors'] },
    });
    expect(res.status).toBe(403);
    expect(json.code).toBe('AdminRequired');
  });

  it("answers no to an app-upload session's PutObject under someone else's prefix, naming the failing statement", async () => {
    const alice = await idToken('alice');
    const sub = JSON.parse(Buffer.from(alice.split('.')[1]!, 'base64url').toString()).sub;
    const { json } = await call('POST', '/v1/simulate', alice, {
      role: 'app-upload',
      check: [
        {
          action: 's3:PutObject',
          resource: `arn:aws:s3:::tessera-local-media/uploads/${sub}/a.jpg`,
        },
        {
          action: 's3:PutObject',
          resource: 'arn:aws:s3:::tessera-local-media/uploads/someone-else/a.jpg',
        },
        {
          action: 's3:GetObject',
          resource: `arn:aws:s3:::tessera-local-media/uploads/${sub}/a.jpg`,
        },
      ],
    });
    expect(json.decision).toBe('allow');
    expect(json.durationSeconds).toBe(900);
    expect(json.sessionPolicy.Statement[0].Resource).toBe(
      `arn:aws:s3:::tessera-local-media/uploads/${sub}/*`,
    );
    const [own, other, read] = json.checks;
    expect(own).toMatchObject({ decision: 'allow' });
    expect(other.decision).toBe('deny');
    // The role's own policy is ABAC (uploads/${aws:PrincipalTag/sub}/*, the session tag `sub`):
    // its statement is the one that fails, on the resource.
    expect(other.reasons).toEqual([
      { code: 'RolePoliciesDoNotAllow' },
      expect.objectContaining({
        code: 'ResourceNotMatched',
        policy: 'put-uploads',
        statement: 0,
        sid: 'UploadToOwnPrefix',
        element: 'Resource',
      }),
    ]);
    expect(read.decision).toBe('deny');
    expect(read.reasons[0]).toEqual({ code: 'RolePoliciesDoNotAllow' });
  });

  it('names an invalid check by its JSON Pointer', async () => {
    const alice = await idToken('alice');
    const { res, json } = await call('POST', '/v1/simulate', alice, {
      role: 'app-upload',
      check: [{ action: 's3:PutObject' }],
    });
    expect(res.status).toBe(400);
    expect(json).toMatchObject({ code: 'InvalidRequest', field: '/check/0/resource' });
  });
});

describe('GET /v1/roles', () => {
  it('answers account names beside account ids, and role descriptions', async () => {
    const olga = await idToken('olga');
    const { json } = await call('GET', '/v1/roles', olga);
    // olga (auditors, signed in with the app client) may use app-upload and partner-audit.
    expect(json.accounts).toEqual([
      {
        accountId: '111111111111',
        accountName: 'main',
        roles: [
          expect.objectContaining({
            bindingId: 'app-upload',
            description: 'Job 1: app users upload media under their own prefix.',
          }),
        ],
      },
      {
        accountId: '222222222222',
        accountName: 'partner',
        roles: [
          expect.objectContaining({
            bindingId: 'partner-audit',
            description:
              "Job 3: a partner account's audit role, trusting the broker with an ExternalId.",
          }),
        ],
      },
    ]);
  });
});

describe('POST /v1/console', () => {
  it('gives a sign-in URL the federation stand-in accepts, and refuses after the session expires', async () => {
    const erin = await idToken('erin');
    const { res, json } = await call('POST', '/v1/console', erin, { role: 'eng-readonly' });
    expect(res.status).toBe(200);
    expect(Object.keys(json).sort()).toEqual(['expiresAt', 'roleArn', 'url']);
    expect(json.roleArn).toBe('arn:aws:iam::111111111111:role/eng-readonly');
    const url = new URL(json.url);
    expect(`${url.origin}${url.pathname}`).toBe(stack.info.federation);
    expect(url.searchParams.get('Action')).toBe('login');
    expect(url.searchParams.get('Issuer')).toBe('http://127.0.0.1:8787/');
    expect(url.searchParams.get('Destination')).toBe(
      'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1',
    );
    const page = await fetch(json.url);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('arn:aws:iam::111111111111:role/eng-readonly');
    expect(html).toContain('assumed-role/eng-readonly/erin');

    now += 3601 * 1000; // the 1-hour role-chained session is over
    try {
      const expired = await fetch(json.url);
      expect(expired.status).toBe(400);
      expect(await expired.text()).toContain('expired');
    } finally {
      now = Date.now();
    }
  });

  it('is audited as a console grant', async () => {
    const admin = await idToken('admin');
    const { json } = await call('GET', '/v1/audit?binding=eng-readonly&result=grant', admin);
    expect(json.events[0]).toMatchObject({
      action: 'console',
      result: 'grant',
      bindingId: 'eng-readonly',
    });
    expect(json.events[0].accessKeyId).toMatch(/^ASIA/);
  });

  it('refuses a destination outside the AWS console', async () => {
    const erin = await idToken('erin');
    const { res, json } = await call('POST', '/v1/console', erin, {
      role: 'eng-readonly',
      destination: 'https://evil.example.com/',
    });
    expect(res.status).toBe(400);
    expect(json.field).toBe('/destination');
  });
});

describe('GET /v1/audit', () => {
  it('pages completely, newest first, without duplicates across cursors, and issues no Scan', async () => {
    const alice = await idToken('alice');
    for (let i = 0; i < 7; i++) {
      const { res } = await call('POST', '/v1/credentials', alice, { role: 'app-upload' });
      expect(res.status).toBe(200);
    }
    const admin = await idToken('admin');
    storeOps.length = 0;
    const seen: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const q = `/v1/audit?binding=app-upload&result=grant&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const { res, json } = await call('GET', q, admin);
      expect(res.status).toBe(200);
      seen.push(...json.events);
      cursor = json.cursor;
      pages += 1;
      if (cursor === undefined) expect(json.events.length).toBeLessThanOrEqual(3);
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen.map((e) => e.eventId)).size).toBe(7);
    const times = seen.map((e) => String(e.at));
    expect([...times].sort().reverse()).toEqual(times);
    for (const e of seen) expect(e).toMatchObject({ result: 'grant', bindingId: 'app-upload' });
    expect(storeOps.length).toBeGreaterThan(0);
    expect(storeOps.every((op) => op === 'DynamoDB_20120810.Query')).toBe(true);

    // The same pages by subject (the table key), by role (an index), by time alone (days).
    for (const q of [
      `subject=${encodeURIComponent(String(seen[0]!.subject))}&result=grant`,
      `roleArn=${encodeURIComponent('arn:aws:iam::111111111111:role/app-upload')}`,
      `from=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}`,
    ]) {
      const { json } = await call('GET', `/v1/audit?${q}&limit=200`, admin);
      const ids = new Set(json.events.map((e: { eventId: string }) => e.eventId));
      for (const e of seen) expect(ids.has(e.eventId)).toBe(true);
    }
    expect(storeOps.some((op) => op.endsWith('.Scan'))).toBe(false);
  });

  it('refuses a cursor issued for another filter', async () => {
    const admin = await idToken('admin');
    const first = await call('GET', '/v1/audit?binding=app-upload&limit=1', admin);
    const { res, json } = await call(
      'GET',
      `/v1/audit?binding=eng-readonly&limit=1&cursor=${encodeURIComponent(first.json.cursor)}`,
      admin,
    );
    expect(res.status).toBe(400);
    expect(json.field).toBe('cursor');
  });

  it('is for administrators; /v1/audit/me shows a caller their own grants only', async () => {
    const alice = await idToken('alice');
    expect((await call('GET', '/v1/audit', alice)).res.status).toBe(403);
    const { json } = await call('GET', '/v1/audit/me?limit=200', alice);
    expect(json.events.length).toBeGreaterThanOrEqual(7);
    for (const e of json.events) {
      expect(e.result).toBe('grant');
      expect(e.username).toBe('alice');
      expect(e.accessKeyId).toMatch(/^ASIA/);
      expect(e.trace).toBeUndefined();
    }
    expect((await call('GET', '/v1/audit/me?subject=x', alice)).res.status).toBe(400);
  });
});

describe('binding writes know the trust-policy vocabulary', () => {
  const binding = (action: string, key: string) => ({
    issuer: stack.info.issuer.url,
    roleArn: 'arn:aws:iam::111111111111:role/eng-readonly',
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: action,
          Principal: { Federated: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Tessera1' },
          Condition: { 'ForAnyValue:StringEquals': { [key]: ['engineering'] } },
        },
      ],
    },
    durationSeconds: { default: 900, max: 3600 },
    externalId: null,
  });

  it('refuses a misspelled STS action with "did you mean"', async () => {
    const admin = await idToken('admin');
    const { res, json } = await call(
      'PUT',
      '/v1/admin/bindings/vocab-action',
      admin,
      binding('sts:AssumeRoel', 'token:cognito:groups'),
    );
    expect(res.status).toBe(422);
    expect(json.issues).toContainEqual(
      expect.objectContaining({
        field: '/trustPolicy/Statement/0/Action',
        code: 'UnknownTrustAction',
        message: expect.stringContaining('did you mean "sts:AssumeRole"'),
      }),
    );
  });

  it('warns about a misspelled claim key with "did you mean", and snapshots the role policies', async () => {
    const admin = await idToken('admin');
    const { res, json } = await call(
      'PUT',
      '/v1/admin/bindings/vocab-key',
      admin,
      binding('sts:AssumeRole', 'token:cognito:grups'),
    );
    expect(res.status).toBe(201);
    expect(json.warnings).toEqual([
      expect.objectContaining({
        code: 'UnknownClaimKey',
        path: '/trustPolicy/Statement/0/Condition/ForAnyValue:StringEquals/token:cognito:grups',
        message: expect.stringContaining('did you mean "token:cognito:groups"'),
      }),
    ]);
    const snapshot = json.binding.permissionPolicies;
    expect(snapshot.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(
      snapshot.policies.map((p: { kind: string; name: string }) => `${p.kind}:${p.name}`),
    ).toEqual(['inline:read-only', 'managed:tessera-local-cloudwatch-read']);
    expect(json.binding.roleDescription).toBe(
      'Job 2: engineers read, SourceIdentity names the person.',
    );
  });

  it('refuses a trust policy that checks only claims users can write', async () => {
    const admin = await idToken('admin');
    const { res, json } = await call('PUT', '/v1/admin/bindings/vocab-writable', admin, {
      ...binding('sts:AssumeRole', 'token:custom:team'),
    });
    expect(res.status).toBe(422);
    expect(json.issues).toContainEqual(
      expect.objectContaining({
        code: 'TrustOnlyUserWritableClaims',
        field: '/trustPolicy/Statement/0',
      }),
    );
  });
});

describe('the API emulation', () => {
  it('takes the source IP from the TCP peer: X-Forwarded-For never becomes aws:SourceIp', async () => {
    const admin = await idToken('admin');
    const { json } = await call(
      'POST',
      '/v1/simulate',
      admin,
      {
        role: 'eng-readonly',
        claims: { 'cognito:groups': ['engineering'], 'cognito:username': 'x' },
      },
      { 'x-forwarded-for': '203.0.113.9' },
    );
    expect(JSON.stringify(json.trace)).not.toContain('203.0.113.9');
    const alice = await idToken('alice');
    await call(
      'POST',
      '/v1/credentials',
      alice,
      { role: 'app-upload' },
      { 'x-forwarded-for': '203.0.113.9' },
    );
    const { json: audit } = await call('GET', '/v1/audit/me?limit=1', alice);
    expect(audit.events[0].sourceIp).toBe('127.0.0.1');
  });

  it('answers without headers whose value is "undefined"', async () => {
    const res = await fetch(`${api}/healthz`);
    for (const [name, value] of res.headers) expect(`${name}: ${value}`).not.toMatch(/undefined/);
    expect(res.headers.get('server')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

/**
 * Faults through the local stack, each failing closed and recovering by itself. The broker's
 * traffic to STS, the store and the pool's JWKS goes through fault-injecting proxies
 * (support/fault-proxy.ts: real HTTP servers forwarding to the real local services), which the
 * tests turn to refusing, slow or answering in the service's place, then back to passing. No
 * mocks: the handlers, the SDK clients, dynalite, the local STS and issuer are the real ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { type LocalStack, startStack } from '@tessera/local';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FaultProxy, type Seen, startFaultProxy, stsError } from './support/fault-proxy.js';

const AUDIT_TABLE = 'tessera-local-audit';
const BINDINGS_TABLE = 'tessera-local-bindings';
const STORE_TIMEOUT_MS = 300;
const STS_TIMEOUT_MS = 300;
const LEEWAY = 5;

let stack: LocalStack;
let home: string;
const proxies: Partial<Record<'sts' | 'dynamodb' | 'jwks', FaultProxy>> = {};

function proxy(name: 'sts' | 'dynamodb' | 'jwks'): FaultProxy {
  const p = proxies[name];
  if (!p) throw new Error(`no ${name} proxy`);
  return p;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'tessera-faults-'));
  const route = (name: 'sts' | 'dynamodb' | 'jwks') => async (url: string) => {
    proxies[name] = await startFaultProxy(url);
    return proxies[name].url;
  };
  stack = await startStack({
    home,
    ports: 0,
    env: {
      TESSERA_STORE_TIMEOUT_MS: String(STORE_TIMEOUT_MS),
      TESSERA_STS_TIMEOUT_MS: String(STS_TIMEOUT_MS),
      TESSERA_BINDINGS_CACHE_SECONDS: '0',
    },
    brokerRoutes: { sts: route('sts'), dynamodb: route('dynamodb'), jwks: route('jwks') },
  });
});

afterEach(() => {
  for (const p of Object.values(proxies)) p.plan = () => ({ kind: 'pass' });
});

afterAll(async () => {
  await stack?.stop();
  for (const p of Object.values(proxies)) await p.close();
  rmSync(home, { recursive: true, force: true });
});

/** The store as an operator sees it: directly, never through the proxy. */
function store(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: stack.info.region,
      endpoint: stack.info.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
}

async function eventsOf(userAgent: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await store().send(
      new ScanCommand({ TableName: AUDIT_TABLE, ExclusiveStartKey: start }),
    );
    out.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return out.filter((e) => e.userAgent === userAgent);
}

async function idToken(username: string): Promise<string> {
  const user = stack.pool.user(username)!;
  const client = stack.pool.client(stack.info.issuer.clients.app!)!;
  return (await stack.pool.mint(user, client, { scope: 'openid', withRefresh: false })).idToken;
}

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: Record<string, unknown>;
}

async function vend(token: string, userAgent: string, role = 'app-upload'): Promise<Answer> {
  const res = await fetch(`${stack.info.api}/v1/credentials`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'user-agent': userAgent,
    },
    body: JSON.stringify({ role }),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

/** A 503 that says when to come back and carries nothing else. */
function expectUnavailable(answer: Answer): void {
  expect(answer.status).toBe(503);
  expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(answer.body).not.toHaveProperty('credentials');
  expect(answer.body).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
}

const isAssumeRole = (s: Seen) => s.body.includes('Action=AssumeRole');
const isAuditPut = (s: Seen) =>
  String(s.headers['x-amz-target']).endsWith('.PutItem') && s.body.includes(AUDIT_TABLE);

/** What the functions' logger printed while `run` ran (the operator's view: stdout and stderr). */
async function logsDuring(run: () => Promise<void>): Promise<string> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines.join('');
}

describe('faults, each failing closed and recovering by itself', () => {
  it('store unreachable: 503 with Retry-After and no credentials; serves and records again once back', async () => {
    const token = await idToken('alice');
    proxy('dynamodb').plan = () => ({ kind: 'drop' });
    expectUnavailable(await vend(token, 'faults/store-down'));
    proxy('dynamodb').plan = () => ({ kind: 'pass' });
    const back = await vend(token, 'faults/store-back');
    expect(back.status).toBe(200);
    expect((await eventsOf('faults/store-back')).map((e) => e.reason)).toEqual(['Granted']);
  });

  it('store slow: an attempt over TESSERA_STORE_TIMEOUT_MS is abandoned (the SDK retries), then 503; recovers', async () => {
    const token = await idToken('alice');
    const dynamo = proxy('dynamodb');
    const before = dynamo.seen.length;
    dynamo.plan = () => ({ kind: 'delay', ms: STORE_TIMEOUT_MS * 5 });
    expectUnavailable(await vend(token, 'faults/store-slow'));
    // the load's attempts and the audit write's attempts each timed out
    expect(dynamo.seen.length - before).toBeGreaterThanOrEqual(4);
    dynamo.plan = () => ({ kind: 'pass' });
    expect((await vend(token, 'faults/store-fast')).status).toBe(200);
    expect((await eventsOf('faults/store-fast')).map((e) => e.reason)).toEqual(['Granted']);
  });

  it('STS throttling: jittered retries succeed; throttled past the retries is 503 StsThrottled, recorded; recovers', async () => {
    const token = await idToken('alice');
    const sts = proxy('sts');
    // two throttled answers, then STS answers
    let throttled = 0;
    sts.plan = (s) =>
      isAssumeRole(s) && throttled++ < 2
        ? stsError(400, 'Throttling', 'Rate exceeded')
        : { kind: 'pass' };
    let from = sts.seen.length;
    expect((await vend(token, 'faults/sts-throttled-twice')).status).toBe(200);
    const retried = sts.seen.slice(from).filter(isAssumeRole);
    expect(retried).toHaveLength(3);
    // throttled on every attempt: the SDK's 4 attempts, then 503
    sts.plan = (s) =>
      isAssumeRole(s) ? stsError(400, 'Throttling', 'Rate exceeded') : { kind: 'pass' };
    from = sts.seen.length;
    expectUnavailable(await vend(token, 'faults/sts-throttled'));
    const exhausted = sts.seen.slice(from).filter(isAssumeRole);
    expect(exhausted).toHaveLength(4);
    expect(await eventsOf('faults/sts-throttled')).toMatchObject([
      { result: 'error', reason: 'StsThrottled', stage: 'mint' },
    ]);
    // backoff with full jitter: each wait random within the SDK's exponential cap (throttling
    // base 500 ms: at most 1 s, 2 s, 4 s), so the waits are not one fixed schedule
    const gaps = [retried, exhausted].flatMap((attempts) =>
      attempts.slice(1).map((a, i) => a.at - attempts[i]!.at),
    );
    expect(gaps).toHaveLength(5);
    gaps.forEach((gap, i) => {
      expect(gap).toBeLessThanOrEqual(2 ** ((i < 2 ? i : i - 2) + 1) * 500 + 250);
    });
    expect(new Set(gaps).size).toBeGreaterThan(1);
    sts.plan = () => ({ kind: 'pass' });
    expect((await vend(token, 'faults/sts-back')).status).toBe(200);
  }, 60_000);

  it('STS slow: an attempt over TESSERA_STS_TIMEOUT_MS is abandoned, 4 attempts, then 503 StsUnavailable, recorded; recovers', async () => {
    const token = await idToken('alice');
    const sts = proxy('sts');
    sts.plan = (s) =>
      isAssumeRole(s) ? { kind: 'delay', ms: STS_TIMEOUT_MS * 5 } : { kind: 'pass' };
    const from = sts.seen.length;
    expectUnavailable(await vend(token, 'faults/sts-slow'));
    expect(sts.seen.slice(from).filter(isAssumeRole)).toHaveLength(4);
    expect(await eventsOf('faults/sts-slow')).toMatchObject([
      { result: 'error', reason: 'StsUnavailable', stage: 'mint' },
    ]);
    sts.plan = () => ({ kind: 'pass' });
    expect((await vend(token, 'faults/sts-fast')).status).toBe(200);
  });

  it('STS AccessDenied: the caller gets RoleNotPermitted, the administrator reads STS’s reason in the audit event', async () => {
    const token = await idToken('alice');
    const reason =
      'User: arn:aws:sts::111111111111:assumed-role/tessera-broker/tessera-local is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/app-upload';
    proxy('sts').plan = (s) =>
      isAssumeRole(s) ? stsError(403, 'AccessDenied', reason) : { kind: 'pass' };
    const refused = await vend(token, 'faults/sts-denied');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'RoleNotPermitted' });
    expect(JSON.stringify(refused.body)).not.toContain('tessera-broker');
    const admin = await idToken('admin');
    const sub = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
    const subject = encodeURIComponent(`${stack.info.issuer.url}|${sub}`);
    const res = await fetch(`${stack.info.api}/v1/audit?subject=${subject}&result=deny&limit=5`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.status).toBe(200);
    const { events } = (await res.json()) as { events: Record<string, unknown>[] };
    const event = events.find((e) => e.reason === 'StsAccessDenied');
    expect(event).toMatchObject({ result: 'deny', reason: 'StsAccessDenied', stage: 'mint' });
    expect(String(event?.detail)).toContain('is not authorized to perform: sts:AssumeRole');
    proxy('sts').plan = () => ({ kind: 'pass' });
    expect((await vend(token, 'faults/sts-allowed')).status).toBe(200);
  });

  it('JWKS endpoint down: tokens of cached keys still verify, a new key is 503 (not a grant) until it is back', async () => {
    const before = await idToken('alice');
    proxy('jwks').plan = () => ({ kind: 'drop' });
    expect((await vend(before, 'faults/jwks-cached')).status).toBe(200);
    await stack.keys.rotate();
    const after = await idToken('alice');
    expect(after).not.toBe(before);
    expectUnavailable(await vend(after, 'faults/jwks-down'));
    expect(await eventsOf('faults/jwks-down')).toMatchObject([
      { result: 'error', reason: 'JwksUnavailable' },
    ]);
    proxy('jwks').plan = () => ({ kind: 'pass' });
    expect((await vend(after, 'faults/jwks-back')).status).toBe(200);
    expect((await vend(before, 'faults/jwks-old-key')).status).toBe(200);
  });

  it('a malformed binding in the table is skipped and reported; the others keep working', async () => {
    const issuer = stack.info.issuer.url;
    await store().send(
      new PutCommand({
        TableName: BINDINGS_TABLE,
        Item: {
          issuer,
          id: 'broken',
          roleArn: 'arn:aws:iam::111111111111:role/app-upload',
          trustPolicy: { Statement: 'allow everyone' },
          version: 1,
        },
      }),
    );
    try {
      const token = await idToken('alice');
      let good: Answer | undefined;
      let broken: Answer | undefined;
      let roles: Record<string, unknown> | undefined;
      const logs = await logsDuring(async () => {
        good = await vend(token, 'faults/binding-good');
        broken = await vend(token, 'faults/binding-broken', 'broken');
        const res = await fetch(`${stack.info.api}/v1/roles`, {
          headers: { authorization: `Bearer ${token}` },
        });
        roles = (await res.json()) as Record<string, unknown>;
      });
      expect(good?.status).toBe(200);
      expect(broken?.status).toBe(403);
      expect(broken?.body).toMatchObject({ code: 'RoleNotPermitted' });
      expect(JSON.stringify(roles)).toContain('app-upload');
      expect(JSON.stringify(roles)).not.toContain('broken');
      const reported = logs
        .split('\n')
        .filter((l) => l.includes('stored binding is invalid'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(reported.length).toBeGreaterThan(0);
      expect(reported[0]).toMatchObject({ level: 'ERROR', bindingId: 'broken' });
    } finally {
      await store().send(
        new DeleteCommand({ TableName: BINDINGS_TABLE, Key: { issuer, id: 'broken' } }),
      );
    }
  });

  it('audit write failure: grants, denies and bad tokens all answer 503, nothing without its record; recovers', async () => {
    const token = await idToken('alice');
    const sts = proxy('sts');
    proxy('dynamodb').plan = (s) => (isAuditPut(s) ? { kind: 'drop' } : { kind: 'pass' });
    const stsBefore = sts.seen.filter(isAssumeRole).length;
    let grant: Answer | undefined;
    const logs = await logsDuring(async () => {
      grant = await vend(token, 'faults/audit-grant');
    });
    expectUnavailable(grant!);
    // STS minted the session; the operator's log names its access key id to revoke
    expect(sts.seen.filter(isAssumeRole).length).toBe(stsBefore + 1);
    expect(logs).toMatch(/audit event not stored; answered 503.*"accessKeyId":"ASIA/);
    expectUnavailable(await vend(token, 'faults/audit-deny', 'eng-readonly'));
    expectUnavailable(await vend('not-a-token', 'faults/audit-bad-token'));
    proxy('dynamodb').plan = () => ({ kind: 'pass' });
    expect((await vend(token, 'faults/audit-back')).status).toBe(200);
    expect((await eventsOf('faults/audit-back')).map((e) => e.reason)).toEqual(['Granted']);
    for (const ua of ['faults/audit-grant', 'faults/audit-deny', 'faults/audit-bad-token'])
      expect(await eventsOf(ua)).toEqual([]);
  });

  it(`clock skew: exp, nbf and iat within the ${LEEWAY} s leeway are accepted, beyond it refused`, async () => {
    const minted = await idToken('alice');
    const claims = JSON.parse(Buffer.from(minted.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const { kid, key } = stack.keys.active();
    const sign = (overrides: Record<string, number>) =>
      new SignJWT({ ...claims, ...overrides }).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
    const now = Math.floor(Date.now() / 1000);
    // 3 s from the edge on either side: the run itself takes well under that
    const cases: [string, Record<string, number>, number][] = [
      ['exp 2 s ago', { iat: now - 600, exp: now - (LEEWAY - 3) }, 200],
      ['exp 8 s ago', { iat: now - 600, exp: now - (LEEWAY + 3) }, 401],
      ['nbf in 2 s', { nbf: now + (LEEWAY - 3) }, 200],
      ['nbf in 8 s', { nbf: now + (LEEWAY + 3) }, 401],
      ['iat in 2 s', { iat: now + (LEEWAY - 3), exp: now + 600 }, 200],
      ['iat in 8 s', { iat: now + (LEEWAY + 3), exp: now + 600 }, 401],
    ];
    const got: [string, number][] = [];
    for (const [name, overrides] of cases) {
      got.push([name, (await vend(await sign(overrides), `faults/skew/${name}`)).status]);
    }
    expect(got).toEqual(cases.map(([name, , status]) => [name, status]));
    for (const [name] of cases) expect(await eventsOf(`faults/skew/${name}`)).toHaveLength(1);
  });
});

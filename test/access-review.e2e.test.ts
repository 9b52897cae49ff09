/**
 * Issue 17, what-if and access review, end to end through the local stack with real HTTP and the
 * embedded store (dynalite): vends record each subject's request context in the subjects table;
 * `POST /v1/admin/what-if` re-evaluates a trust change for every recorded subject (erin loses
 * eng-readonly when the `engineering` group is dropped, with the failing condition); `GET
 * /v1/admin/review` lists who can assume what with the last use from the audit log (olga on
 * partner-audit), as JSON and as CSV read back by Python's csv module, paged completely; a
 * revocation (`POST /v1/admin/revocations`, the kill switch) takes erin out of both answers until
 * it is lifted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoSubjectStore } from '@tessera/broker/aws';
import { type LocalStack, startStack } from '@tessera/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInIdToken } from './support/local-stack.js';

let stack: LocalStack;
let home: string;
let api: string;
const tokens: Record<string, string> = {};
const subs: Record<string, string> = {};

const idToken = (username: string) => signInIdToken(stack, username, 'cli');

function subOf(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')).sub;
}

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined;
  // biome-ignore lint/suspicious/noExplicitAny: test answers are read field by field
  return { res, text, json: json as any };
}

const issuer = () => stack.info.issuer.url;

function csvRows(text: string): Record<string, string>[] {
  const script =
    'import csv,io,json,sys; print(json.dumps(list(csv.DictReader(io.StringIO(sys.stdin.read(), newline="")))))';
  return JSON.parse(execFileSync('python3', ['-c', script], { input: text }).toString());
}
const subjectKey = (username: string) => `${issuer()}|${subs[username]}`;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'tessera-review-'));
  stack = await startStack({ home, ports: 0 });
  api = stack.info.api;
  for (const u of ['alice', 'erin', 'olga', 'admin']) {
    tokens[u] = await idToken(u);
    subs[u] = subOf(tokens[u]!);
  }
  const vends: [string, string, number][] = [
    ['erin', 'eng-readonly', 200],
    ['olga', 'partner-audit', 200],
    ['alice', 'eng-readonly', 403],
  ];
  for (const [user, role, status] of vends) {
    const { res } = await call('POST', '/v1/credentials', tokens[user]!, { role });
    expect(res.status, `${user} vends ${role}`).toBe(status);
  }
});

afterAll(async () => {
  await stack?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('the subjects table', () => {
  it("records erin's last vend context (her verified groups) with a 90-day TTL", async () => {
    const client = new DynamoDBClient({
      region: stack.info.region,
      endpoint: stack.info.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const store = new DynamoSubjectStore({ client, tableName: 'tessera-local-subjects' });
    const page = await store.page(issuer(), { limit: 10 });
    client.destroy();
    const erin = page.subjects.find((s) => s.sub === subs['erin']);
    expect(page.subjects.map((s) => s.username).sort()).toEqual(['alice', 'erin', 'olga']);
    expect(erin?.claims['cognito:groups']).toEqual(['engineering']);
    expect(erin?.claims['cognito:username']).toBe('erin');
    expect([erin?.lastAction, erin?.lastResult, erin?.lastBindingId]).toEqual([
      'vend',
      'grant',
      'eng-readonly',
    ]);
    const days = (erin!.expiresAt - Date.parse(erin!.lastSeenAt) / 1000) / 86_400;
    expect(Math.round(days)).toBe(90);
    const alice = page.subjects.find((s) => s.username === 'alice');
    expect([alice?.lastResult, alice?.lastBindingId]).toEqual(['deny', 'eng-readonly']);
  });
});

describe('POST /v1/admin/what-if', () => {
  it('lists erin as losing eng-readonly when the engineering group is dropped, with the failing condition', async () => {
    const { json: stored } = await call('GET', '/v1/admin/bindings/eng-readonly', tokens['admin']!);
    const binding = stored.binding;
    const statement = binding.trustPolicy.Statement[0];
    const proposed = {
      ...binding,
      trustPolicy: {
        ...binding.trustPolicy,
        Statement: [
          {
            ...statement,
            Condition: { 'ForAnyValue:StringEquals': { 'token:cognito:groups': ['platform'] } },
          },
        ],
      },
    };
    const { res, json } = await call('POST', '/v1/admin/what-if', tokens['admin']!, {
      put: [proposed],
    });
    expect(res.status).toBe(200);
    expect(json.subjectsEvaluated).toBe(3);
    const impact = json.bindings.find((b: { bindingId: string }) => b.bindingId === 'eng-readonly');
    expect(impact.change).toBe('update');
    expect(impact.gains).toEqual([]);
    expect(impact.loses.map((l: { username: string }) => l.username)).toEqual(['erin']);
    const [reason] = impact.loses[0].reasons;
    expect(reason).toMatchObject({
      code: 'ConditionNotMet',
      policy: 'trust',
      statement: 0,
      key: 'token:cognito:groups',
      operator: 'ForAnyValue:StringEquals',
    });
    expect(impact.loses[0].subject).toBe(subjectKey('erin'));
    // A question: nothing was written.
    const { json: after } = await call('GET', '/v1/admin/bindings/eng-readonly', tokens['admin']!);
    expect(after.binding.version).toBe(binding.version);
  });

  it('names gains with the condition met, and removals, and audits the question', async () => {
    const { json: stored } = await call(
      'GET',
      '/v1/admin/bindings/partner-audit',
      tokens['admin']!,
    );
    const binding = stored.binding;
    const statement = binding.trustPolicy.Statement[0];
    const widened = {
      ...binding,
      trustPolicy: {
        ...binding.trustPolicy,
        Statement: [
          {
            ...statement,
            Condition: {
              'ForAnyValue:StringEquals': { 'token:cognito:groups': ['auditors', 'engineering'] },
            },
          },
        ],
      },
    };
    const { res, json } = await call('POST', '/v1/admin/what-if', tokens['admin']!, {
      put: [widened],
      remove: ['eng-workday'],
    });
    expect(res.status).toBe(200);
    const [partner, workday] = json.bindings;
    expect(partner.bindingId).toBe('partner-audit');
    expect(partner.gains.map((g: { username: string }) => g.username)).toEqual(['erin']);
    expect(partner.gains[0].reasons[0]).toMatchObject({
      code: 'ConditionMet',
      key: 'token:cognito:groups',
    });
    expect([partner.gainCount, partner.loseCount, partner.keeps]).toEqual([1, 0, 1]); // olga keeps
    expect([workday.bindingId, workday.change]).toEqual(['eng-workday', 'remove']);
    expect(workday.loses.map((l: { username: string }) => l.username)).toEqual(['erin']);
    expect(workday.loses[0].reasons).toEqual([{ code: 'BindingRemoved' }]);
    const audit = await call(
      'GET',
      `/v1/audit?subject=${encodeURIComponent(subjectKey('admin'))}`,
      tokens['admin']!,
    );
    const asked = audit.json.events.filter((e: { action: string }) => e.action === 'what-if');
    expect(asked.length).toBe(2);
    expect(asked[0].detail).toBe(
      'put partner-audit; remove eng-workday: 1 gain, 1 lose, 3 subjects',
    );
  });

  it('answers problems by JSON Pointer, and refuses callers outside the admin group', async () => {
    const { json: stored } = await call('GET', '/v1/admin/bindings/eng-readonly', tokens['admin']!);
    const broken = structuredClone(stored.binding);
    broken.trustPolicy.Statement[0].Effect = 'Allw';
    const bad = await call('POST', '/v1/admin/what-if', tokens['admin']!, {
      put: [broken],
      remove: ['no-such-binding'],
    });
    expect(bad.res.status).toBe(400);
    expect(bad.res.headers.get('content-type')).toContain('application/problem+json');
    const fields = bad.json.issues.map((i: { field: string }) => i.field);
    expect(fields).toContain('/put/0/trustPolicy/Statement/0/Effect');
    expect(fields).toContain('/remove/0');
    const notAdmin = await call('POST', '/v1/admin/what-if', tokens['erin']!, {
      remove: ['eng-readonly'],
    });
    expect([notAdmin.res.status, notAdmin.json.code]).toEqual([403, 'AdminRequired']);
    const audit = await call(
      'GET',
      `/v1/audit?subject=${encodeURIComponent(subjectKey('erin'))}`,
      tokens['admin']!,
    );
    const refused = audit.json.events.filter((e: { action: string }) => e.action === 'what-if');
    expect(refused.map((e: { result: string; reason: string }) => [e.result, e.reason])).toEqual([
      ['deny', 'AdminRequired'],
    ]);
  });
});

describe('GET /v1/admin/review', () => {
  async function olgaLastGrant(): Promise<string> {
    const audit = await call(
      'GET',
      `/v1/audit?subject=${encodeURIComponent(subjectKey('olga'))}&result=grant`,
      tokens['admin']!,
    );
    const vends = audit.json.events.filter(
      (e: { bindingId: string }) => e.bindingId === 'partner-audit',
    );
    return vends[0].at;
  }

  it('lists olga on partner-audit with her last use, from both sides', async () => {
    const { res, json } = await call('GET', '/v1/admin/review', tokens['admin']!);
    expect(res.status).toBe(200);
    const lastUse = await olgaLastGrant();
    const partner = json.bindings.find(
      (b: { bindingId: string }) => b.bindingId === 'partner-audit',
    );
    expect(partner.subjects).toEqual([
      expect.objectContaining({ username: 'olga', lastUsedAt: lastUse, stale: false }),
    ]);
    const erin = json.subjects.find((s: { username: string }) => s.username === 'erin');
    expect(erin.bindings.map((b: { bindingId: string }) => b.bindingId)).toEqual([
      'eng-readonly',
      'eng-workday',
    ]);
    // erin may assume eng-workday but never did: stale access stands out.
    expect(erin.bindings[1]).toMatchObject({ lastUsedAt: null, stale: true });
    const alice = json.subjects.find((s: { username: string }) => s.username === 'alice');
    expect(alice.bindings).toEqual([]);
    expect(json.cursor).toBeUndefined();
  });

  it('answers CSV that a CSV reader parses back into the same rows', async () => {
    const { res, text } = await call('GET', '/v1/admin/review?format=csv', tokens['admin']!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = JSON.parse(
      execFileSync(
        'python3',
        [
          '-c',
          'import csv,io,json,sys; print(json.dumps(list(csv.DictReader(io.StringIO(sys.stdin.read(), newline="")))))',
        ],
        { input: text },
      ).toString(),
    ) as Record<string, string>[];
    const olga = rows.find((r) => r['username'] === 'olga');
    expect(olga).toEqual({
      binding_id: 'partner-audit',
      role_arn: 'arn:aws:iam::222222222222:role/partner-audit',
      subject: subjectKey('olga'),
      sub: subs['olga'],
      username: 'olga',
      last_seen_at: expect.any(String),
      last_used_at: await olgaLastGrant(),
      stale: 'false',
      revoked: '',
    });
    expect(rows.map((r) => `${r['binding_id']}:${r['username']}`).sort()).toEqual([
      'eng-readonly:erin',
      'eng-workday:erin',
      'partner-audit:olga',
    ]);
  });

  it('pages through every subject once, JSON and CSV alike, and refuses a foreign cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const q = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const { res, json } = await call('GET', `/v1/admin/review?limit=1${q}`, tokens['admin']!);
      expect(res.status).toBe(200);
      expect(json.subjects.length).toBe(1);
      seen.push(json.subjects[0].username);
      cursor = json.cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen.sort()).toEqual(['alice', 'erin', 'olga']);
    expect(pages).toBe(3);

    const csvUsers: string[] = [];
    let next: string | null = null;
    let csvPages = 0;
    do {
      const q: string = next ? `&cursor=${encodeURIComponent(next)}` : '';
      const { res, text } = await call(
        'GET',
        `/v1/admin/review?format=csv&limit=2${q}`,
        tokens['admin']!,
      );
      csvUsers.push(
        ...text
          .trim()
          .split('\r\n')
          .slice(1)
          .map((l) => l.split(',')[4]!),
      );
      next = res.headers.get('x-next-cursor');
      csvPages += 1;
    } while (next && csvPages < 10);
    expect(csvPages).toBe(2);
    expect(csvUsers.sort()).toEqual(['erin', 'erin', 'olga']);

    const bad = await call('GET', '/v1/admin/review?cursor=bm90LWEtY3Vyc29y', tokens['admin']!);
    expect([bad.res.status, bad.json.field, bad.json.in]).toEqual([400, 'cursor', 'query']);
  });
});

describe('the review and what-if under a revocation (the kill switch)', () => {
  const byId = (id: string) => (b: { bindingId: string }) => b.bindingId === id;
  const byName = (name: string) => (s: { username: string }) => s.username === name;

  it('shows erin revoked, not able to assume eng-readonly, and lifting restores her access', async () => {
    const add = await call('POST', '/v1/admin/revocations', tokens['admin']!, {
      username: 'erin',
      reason: 'laptop stolen',
    });
    expect(add.res.status).toBe(201);
    const { id } = add.json.revocation;
    const marker = { revocationId: id, reason: 'laptop stolen', until: null };

    const { res, json } = await call('GET', '/v1/admin/review', tokens['admin']!);
    expect(res.status).toBe(200);
    const erin = json.subjects.find(byName('erin'));
    expect(erin).toMatchObject({ revoked: marker, bindings: [] });
    expect(erin.revokedBindings.map((b: { bindingId: string }) => b.bindingId)).toEqual([
      'eng-readonly',
      'eng-workday',
    ]);
    const eng = json.bindings.find(byId('eng-readonly'));
    expect(eng.subjects.map((s: { username: string }) => s.username)).not.toContain('erin');
    expect(eng.revokedSubjects).toEqual([
      expect.objectContaining({ username: 'erin', revoked: marker }),
    ]);
    expect(json.subjects.find(byName('olga')).revoked).toBeNull();

    const csv = await call('GET', '/v1/admin/review?format=csv', tokens['admin']!);
    const rows = csvRows(csv.text);
    expect(rows.map((r) => `${r['binding_id']}:${r['username']}:${r['revoked']}`).sort()).toEqual([
      `eng-readonly:erin:${id}`,
      `eng-workday:erin:${id}`,
      'partner-audit:olga:',
    ]);

    // What-if: a revoked subject neither gains nor keeps access.
    const { json: stored } = await call('GET', '/v1/admin/bindings/eng-readonly', tokens['admin']!);
    const same = await call('POST', '/v1/admin/what-if', tokens['admin']!, {
      put: [stored.binding],
    });
    const impact = same.json.bindings.find(byId('eng-readonly'));
    expect([impact.keeps, impact.gainCount, impact.loseCount]).toEqual([0, 0, 0]);

    const lift = await call('DELETE', `/v1/admin/revocations/${id}`, tokens['admin']!);
    expect(lift.res.status).toBe(200);
    const after = await call('GET', '/v1/admin/review', tokens['admin']!);
    const lifted = after.json.subjects.find(byName('erin'));
    expect(lifted).toMatchObject({ revoked: null, revokedBindings: [] });
    expect(lifted.bindings.map((b: { bindingId: string }) => b.bindingId)).toEqual([
      'eng-readonly',
      'eng-workday',
    ]);
    const again = await call('POST', '/v1/admin/what-if', tokens['admin']!, {
      put: [stored.binding],
    });
    expect(again.json.bindings.find(byId('eng-readonly')).keeps).toBe(1);
  });
});

/**
 * Following a credential, end to end through the local stack with real clients: alice vends
 * app-upload, uploads twice with boto3 and is refused once under another prefix; the trail of her
 * grant (`GET /v1/audit/{eventId}/trail`) lists exactly those calls as the local CloudTrail recorded
 * them, the AWS CLI's `lookup-events` by her key answers the same events, no secret is in any
 * record, the trail survives a restart of the stack, and `GET /v1/audit/trail` finds the grant by
 * her username and by her subject. olga's partner-audit grant is searched in the partner account
 * through its trail-reader role; without that role, the answer names the account as not searched.
 * `tessera audit trail` shows the same, by event id and by --subject.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DEFAULT_CONFIG_PATH, type LocalStack, parseLocalConfig, startStack } from '@tessera/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  awsCli,
  boto3,
  type ClientEnv,
  clientEnv,
  credentialVars,
} from '../packages/local/test/clients/run.js';
import { cliEnv, tessera } from './cli-helpers.js';
import { signInIdToken } from './support/local-stack.js';

let home: string;
let stack: LocalStack;
let env: ClientEnv;
const secrets: string[] = [];

interface Vend {
  readonly token: string;
  readonly sub: string;
  readonly body: {
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
    sourceIdentity: string;
  };
}

const idToken = (username: string, client = 'app') => signInIdToken(stack, username, client);

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
async function get(path: string, token: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${stack.info.api}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, json: await res.json() };
}

async function vend(username: string, role: string, client = 'app'): Promise<Vend> {
  const token = await idToken(username, client);
  const res = await fetch(`${stack.info.api}/v1/credentials`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as Vend['body'];
  secrets.push(body.credentials.secretAccessKey, body.credentials.sessionToken);
  const sub = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')).sub;
  return { token, sub, body };
}

let alice: Vend;
let grantId: string;
const BUCKET = 'tessera-local-media';

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'tessera-trail-e2e-'));
  stack = await startStack({ home, ports: 0 });
  env = clientEnv(home, '[default]\nregion = eu-west-1\n');
  alice = await vend('alice', 'app-upload');
  const credentials = alice.body.credentials;
  const put = (key: string) =>
    boto3(env, {
      service: 's3',
      endpoint: stack.info.s3,
      region: stack.info.region,
      operation: 'put_object',
      params: { Bucket: BUCKET, Key: key, Body: `hello ${key}` },
      credentials,
    });
  expect((await put(`uploads/${alice.sub}/one.txt`)).ok).toBe(true);
  expect((await put(`uploads/${alice.sub}/two.txt`)).ok).toBe(true);
  expect(await put('uploads/someone-else/three.txt')).toMatchObject({
    ok: false,
    code: 'AccessDenied',
  });
  const admin = await idToken('admin');
  const { json } = await get(
    `/v1/audit?result=grant&binding=app-upload&subject=${encodeURIComponent(
      `${stack.info.issuer.url}|${alice.sub}`,
    )}`,
    admin,
  );
  grantId = json.events.find(
    (e: { accessKeyId?: string }) => e.accessKeyId === credentials.accessKeyId,
  ).eventId;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(home, { recursive: true, force: true });
});

interface Entry {
  eventId: string;
  action: string;
  result: 'allowed' | 'denied';
  errorCode?: string;
  sourceIdentity?: string;
  accessKeyId?: string;
  sourceIp?: string;
  resources: string[];
}

/** The S3 calls of a trail, each reduced to what the test checks. */
function s3Calls(entries: Entry[]) {
  return entries
    .filter((e) => e.action.startsWith('s3:'))
    .map((e) => ({
      action: e.action,
      result: e.result,
      errorCode: e.errorCode ?? null,
      object: e.resources.find((r) => r.includes('/uploads/')),
      sourceIdentity: e.sourceIdentity,
      accessKeyId: e.accessKeyId,
      sourceIp: e.sourceIp,
    }));
}

function expectAlicesUploads(entries: Entry[]) {
  const who = {
    sourceIdentity: 'alice',
    accessKeyId: alice.body.credentials.accessKeyId,
    sourceIp: '127.0.0.1',
  };
  expect(s3Calls(entries)).toEqual([
    {
      action: 's3:PutObject',
      result: 'allowed',
      errorCode: null,
      object: `arn:aws:s3:::${BUCKET}/uploads/${alice.sub}/one.txt`,
      ...who,
    },
    {
      action: 's3:PutObject',
      result: 'allowed',
      errorCode: null,
      object: `arn:aws:s3:::${BUCKET}/uploads/${alice.sub}/two.txt`,
      ...who,
    },
    {
      action: 's3:PutObject',
      result: 'denied',
      errorCode: 'AccessDenied',
      object: `arn:aws:s3:::${BUCKET}/uploads/someone-else/three.txt`,
      ...who,
    },
  ]);
}

describe('GET /v1/audit/{eventId}/trail', () => {
  it("lists alice's two uploads and the refusal with her SourceIdentity, key id, source IP and object keys", async () => {
    expect(alice.body.sourceIdentity).toBe('alice');
    const { status, json } = await get(`/v1/audit/${grantId}/trail`, await idToken('admin'));
    expect(status).toBe(200);
    expect(json.event).toMatchObject({
      eventId: grantId,
      result: 'grant',
      bindingId: 'app-upload',
    });
    expect(json.trail.lookup).toMatchObject({
      accountId: '111111111111',
      accessKeyId: alice.body.credentials.accessKeyId,
    });
    expect(json.trail.searchedAccounts).toEqual(['111111111111']);
    expect(json.trail.notSearched).toEqual([]);
    expect(json.trail.coverage.map((c: { events: string; searched: boolean }) => c)).toEqual([
      expect.objectContaining({ events: 'management', searched: true }),
      expect.objectContaining({ events: 'data', searched: true }),
    ]);
    expectAlicesUploads(json.trail.entries);
  });

  it('answers the same events as `aws cloudtrail lookup-events` by her access key id', async () => {
    const { json } = await get(`/v1/audit/${grantId}/trail`, await idToken('admin'));
    const developer = stack.info.iamUsers.find((u) => u.name === 'developer')!;
    const out = await awsCli(
      env,
      [
        'cloudtrail',
        'lookup-events',
        '--lookup-attributes',
        `AttributeKey=AccessKeyId,AttributeValue=${alice.body.credentials.accessKeyId}`,
        '--endpoint-url',
        stack.info.cloudtrail,
        '--region',
        stack.info.region,
      ],
      credentialVars(developer),
    );
    expect(out.exitCode, out.stderr).toBe(0);
    const events = JSON.parse(out.stdout).Events as { EventId: string }[];
    expect(events.map((e) => e.EventId).sort()).toEqual(
      json.trail.entries.map((e: Entry) => e.eventId).sort(),
    );
    expect(events.length).toBe(3);
  });

  it('keeps no secret in any recorded event', async () => {
    const broker = await stack.brokerCredentials();
    const developer = stack.info.iamUsers.find((u) => u.name === 'developer')!;
    const recorded = readFileSync(join(home, 'cloudtrail', 'events.jsonl'), 'utf8');
    const known = [
      ...secrets,
      broker.secretAccessKey,
      broker.sessionToken,
      developer.secretAccessKey,
    ];
    expect(recorded).toContain(alice.body.credentials.accessKeyId);
    for (const secret of known) expect(recorded).not.toContain(secret);
  });

  it("searches olga's partner-audit grant in the partner account through its trail reader", async () => {
    const olga = await vend('olga', 'partner-audit');
    const { credentials } = olga.body;
    const { accessKeyId, secretAccessKey, sessionToken } = credentials;
    const sts = new STSClient({
      region: stack.info.region,
      endpoint: stack.info.sts,
      credentials: { accessKeyId, secretAccessKey, sessionToken },
    });
    await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    const admin = await idToken('admin');
    const { json: page } = await get('/v1/audit/trail?username=olga', admin);
    const grant = page.grants.find(
      (g: { event: { accessKeyId: string } }) => g.event.accessKeyId === credentials.accessKeyId,
    );
    expect(grant.trail.searchedAccounts).toEqual(['222222222222']);
    expect(grant.trail.entries.map((e: Entry) => [e.action, e.sourceIdentity])).toEqual([
      ['sts:GetCallerIdentity', 'olga'],
    ]);
  });

  it('refuses a bad event id (naming it), an unknown one (404), a non-administrator (403)', async () => {
    const admin = await idToken('admin');
    const bad = await get('/v1/audit/not%20an%20id/trail', admin);
    expect(bad).toMatchObject({
      status: 400,
      json: { code: 'InvalidRequest', field: 'eventId', in: 'path' },
    });
    expect(await get('/v1/audit/0f0e0d0c-0000-4000-8000-000000000000/trail', admin)).toMatchObject({
      status: 404,
      json: { code: 'AuditEventNotFound' },
    });
    expect(await get(`/v1/audit/${grantId}/trail`, alice.token)).toMatchObject({
      status: 403,
      json: { code: 'AdminRequired' },
    });
  });
});

describe('GET /v1/audit/trail', () => {
  it('finds her grant with its trail by username and by subject', async () => {
    const admin = await idToken('admin');
    const since = new Date(Date.now() - 3_600_000).toISOString();
    for (const query of [
      'username=alice',
      `subject=${encodeURIComponent(`${stack.info.issuer.url}|${alice.sub}`)}`,
    ]) {
      const { status, json } = await get(
        `/v1/audit/trail?${query}&from=${encodeURIComponent(since)}`,
        admin,
      );
      expect(status).toBe(200);
      expect(json.grants.map((g: { event: { eventId: string } }) => g.event.eventId)).toEqual([
        grantId,
      ]);
      expectAlicesUploads(json.grants[0].trail.entries);
      expect(json.coverage.length).toBe(2);
    }
  });

  it('names the query parameter at fault', async () => {
    const admin = await idToken('admin');
    const cases: [string, string][] = [
      ['', 'subject'],
      ['username=alice&subject=x%7Cy', 'username'],
      ['username=alice&limit=21', 'limit'],
      ['username=alice&from=yesterday', 'from'],
      ['username=alice&colour=red', 'colour'],
    ];
    for (const [query, field] of cases) {
      expect(await get(`/v1/audit/trail?${query}`, admin)).toMatchObject({
        status: 400,
        json: { code: 'InvalidRequest', field, in: 'query' },
      });
    }
  });
});

describe('tessera audit trail', () => {
  it('shows the trail of one grant by its event id, and of alice by --subject alice --since 1h', async () => {
    const admin = cliEnv(join(home, 'cli-admin'), home);
    const password = stack.info.users.find((u) => u.username === 'admin')!.password;
    const login = await tessera(
      admin,
      ['login', '--username', 'admin', '--password-stdin'],
      `${password}\n`,
    );
    expect(login.code, login.stderr).toBe(0);
    const one = await tessera(admin, ['audit', 'trail', grantId, '--json']);
    expect(one.code, one.stderr).toBe(0);
    expectAlicesUploads(JSON.parse(one.stdout).trail.entries);
    const bySubject = await tessera(admin, [
      'audit',
      'trail',
      '--subject',
      'alice',
      '--since',
      '1h',
      '--json',
    ]);
    expect(bySubject.code, bySubject.stderr).toBe(0);
    const page = JSON.parse(bySubject.stdout);
    expect(page.grants.map((g: { event: { eventId: string } }) => g.event.eventId)).toEqual([
      grantId,
    ]);
    expectAlicesUploads(page.grants[0].trail.entries);
    const text = await tessera(admin, ['audit', 'trail', grantId]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`uploads/${alice.sub}/one.txt`);
    expect(text.stdout).toContain('denied (AccessDenied)');
    expect(text.stdout).toContain('searched: data events');
    const usage = await tessera(admin, ['audit', 'trail']);
    expect(usage.code).not.toBe(0);
    expect(usage.stderr).toContain('UsageError');
  });
});

describe('an account without a trail reader', () => {
  it("names the partner account as not searched for olga's grant, and lists no call", async () => {
    const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
    raw.roles = raw.roles.filter((r: { name: string }) => r.name !== 'tessera-trail-reader');
    const otherHome = mkdtempSync(join(tmpdir(), 'tessera-trail-noreader-'));
    const main = stack;
    stack = await startStack({
      home: otherHome,
      ports: 0,
      config: parseLocalConfig(raw, 'test config'),
    });
    try {
      const olga = await vend('olga', 'partner-audit');
      const admin = await idToken('admin');
      const { json } = await get('/v1/audit/trail?username=olga', admin);
      const grant = json.grants.find(
        (g: { event: { accessKeyId: string } }) =>
          g.event.accessKeyId === olga.body.credentials.accessKeyId,
      );
      expect(grant.trail).toMatchObject({
        searchedAccounts: [],
        notSearched: [{ accountId: '222222222222', reason: 'AccountNotSearchable' }],
        entries: [],
      });
    } finally {
      await stack.stop();
      stack = main;
      rmSync(otherHome, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('after a restart of the local stack', () => {
  it('the trail of her grant still lists the same calls', async () => {
    await stack.stop();
    stack = await startStack({ home, ports: 0 });
    const { status, json } = await get(`/v1/audit/${grantId}/trail`, await idToken('admin'));
    expect(status).toBe(200);
    expectAlicesUploads(json.trail.entries);
  }, 60_000);
});

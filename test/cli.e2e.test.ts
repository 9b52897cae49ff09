/**
 * The `tessera` CLI end to end: the built bin against the local stack, with the real AWS CLI
 * (Debian's awscli) and boto3 reading the profiles `tessera configure` writes, the binding files
 * applied through the admin API, the browser login driven in Chromium through the local
 * issuer's login page to the CLI's loopback redirect, and `tessera exec -- aws s3 cp` against the
 * local S3 (job 1); simulate, console --print and audit against the issue-16 routes.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_CONFIG_PATH, type LocalStack, parseLocalConfig, startStack } from '@tessera/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCli,
  type CliEnv,
  cliEnv,
  freePort,
  REPO,
  run,
  tessera,
  tool,
} from './cli-helpers.js';

const AWS = tool('/usr/bin/aws', 'aws');
const PYTHON = tool('/usr/bin/python3', 'python3');
const FIXTURES = join(REPO, 'test/fixtures/bindings');
const BUCKET = 'tessera-local-media';
const DEVELOPER = 'arn:aws:iam::111111111111:user/developer';

let stack: LocalStack;
let root: string;
let erin: CliEnv;
let admin: CliEnv;
let callbackPort: number;

const password = (username: string) =>
  stack.info.users.find((u) => u.username === username)!.password;

async function auditEvents(): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: stack.info.region,
      endpoint: stack.info.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: 'tessera-local-audit', ExclusiveStartKey: start }),
    );
    out.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey;
  } while (start);
  doc.destroy();
  return out;
}

/** Vends granted to a user for a binding, counted from the audit log. */
async function grants(username: string, bindingId: string): Promise<number> {
  return (await auditEvents()).filter(
    (e) =>
      e.action === 'vend' &&
      e.result === 'grant' &&
      e.username === username &&
      e.bindingId === bindingId,
  ).length;
}

beforeAll(async () => {
  buildCli();
  root = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  callbackPort = await freePort();
  const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
  // The CLI's app client registers a loopback callback on a port free for this run (Cognito
  // matches redirect URIs exactly, port included).
  const cli = raw.clients.find((c: { name: string }) => c.name === 'cli');
  cli.callbackUrls = [`http://127.0.0.1:${callbackPort}/callback`];
  // The IAM user `developer` may read the media bucket (as in the local S3's tests): the S3 test
  // reads back what alice's session wrote.
  raw.buckets[0].policy.Statement.push({
    Sid: 'DeveloperReads',
    Effect: 'Allow',
    Principal: { AWS: DEVELOPER },
    Action: 's3:GetObject',
    Resource: `arn:aws:s3:::${BUCKET}/*`,
  });
  stack = await startStack({
    home: join(root, 'stack'),
    ports: 0,
    config: parseLocalConfig(raw, 'test config'),
  });
  erin = cliEnv(join(root, 'erin'), stack.home);
  admin = cliEnv(join(root, 'admin'), stack.home);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('tessera login, configure and the AWS CLI', () => {
  it('signs erin in with --password-stdin and names her in whoami', async () => {
    const login = await tessera(
      erin,
      ['login', '--username', 'erin', '--password-stdin'],
      `${password('erin')}\n`,
    );
    expect(login.stderr).toContain('Signed in as erin');
    expect(login.code).toBe(0);
    const who = await tessera(erin, ['whoami', '--json']);
    expect(who.code).toBe(0);
    const body = JSON.parse(who.stdout);
    expect(body.username).toBe('erin');
    expect(body.groups).toEqual(['engineering']);
    expect(Date.parse(body.tokenExpiresAt)).toBeGreaterThan(Date.now());
  });

  it('refuses a wrong password with exit 3 and the code NotAuthorized', async () => {
    const other = cliEnv(join(root, 'wrong'), stack.home);
    const res = await tessera(other, ['login', '--username', 'erin', '--password-stdin'], 'nope\n');
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('tessera: NotAuthorized:');
    const who = await tessera(other, ['whoami']);
    expect(who.code).toBe(3);
    expect(who.stderr).toContain('NotLoggedIn');
  });

  it('configure writes one profile per role, keeps other profiles, and is idempotent', async () => {
    writeFileSync(erin.env.AWS_CONFIG_FILE!, '[profile mine]\nregion = us-east-2\noutput = text\n');
    const first = await tessera(erin, ['configure', '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      changed: true,
      // erin (engineering) may use the AssumeRole and the web-identity employee bindings.
      profiles: [
        { profile: 'eng-readonly', role: 'eng-readonly' },
        { profile: 'eng-workday', role: 'eng-workday' },
      ],
    });
    const text = readFileSync(erin.env.AWS_CONFIG_FILE!, 'utf8');
    expect(text).toContain('[profile mine]\nregion = us-east-2\noutput = text\n');
    expect(text).toContain(
      '[profile eng-readonly]\ncredential_process = tessera credentials --role eng-readonly\nregion = eu-west-1\n',
    );
    const second = await tessera(erin, ['configure', '--json']);
    expect(JSON.parse(second.stdout).changed).toBe(false);
    expect(readFileSync(erin.env.AWS_CONFIG_FILE!, 'utf8')).toBe(text);
  });

  it('aws sts get-caller-identity --profile names erin’s assumed-role session; the second call is served from the cache', async () => {
    const before = await grants('erin', 'eng-readonly');
    const call = () =>
      run(
        AWS,
        [
          'sts',
          'get-caller-identity',
          '--profile',
          'eng-readonly',
          '--endpoint-url',
          stack.info.sts,
          '--output',
          'json',
        ],
        erin.env,
      );
    const first = await call();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const identity = JSON.parse(first.stdout);
    expect(identity.Arn).toMatch(
      /^arn:aws:sts::111111111111:assumed-role\/eng-readonly\/erin-[0-9a-f]{10}$/,
    );
    expect(await grants('erin', 'eng-readonly')).toBe(before + 1);

    const second = await call();
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).Arn).toBe(identity.Arn);
    // No second vend: the credential came from tessera's cache.
    expect(await grants('erin', 'eng-readonly')).toBe(before + 1);
  });

  it('boto3 reads the same profile (credential_process) and gets the same cached session', async () => {
    const before = await grants('erin', 'eng-readonly');
    const script = [
      'import boto3, json, sys',
      `s = boto3.Session(profile_name="eng-readonly")`,
      `print(json.dumps(s.client("sts", endpoint_url=sys.argv[1]).get_caller_identity()["Arn"]))`,
    ].join('\n');
    const res = await run(PYTHON, ['-c', script, stack.info.sts], erin.env);
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout)).toMatch(/assumed-role\/eng-readonly\/erin-/);
    expect(await grants('erin', 'eng-readonly')).toBe(before);
  });

  it('credentials answers the credential_process JSON and exec runs a command with the role', async () => {
    const creds = await tessera(erin, ['credentials', '--role', 'eng-readonly']);
    const body = JSON.parse(creds.stdout);
    expect(body).toMatchObject({ Version: 1, AccessKeyId: expect.stringMatching(/^ASIA/) });
    expect(Date.parse(body.Expiration)).toBeGreaterThan(Date.now() + 5 * 60_000);
    const exec = await tessera(erin, [
      'exec',
      '--role',
      'eng-readonly',
      '--',
      AWS,
      'sts',
      'get-caller-identity',
      '--endpoint-url',
      stack.info.sts,
      '--output',
      'json',
    ]);
    expect(exec.code).toBe(0);
    expect(JSON.parse(exec.stdout).Arn).toMatch(/assumed-role\/eng-readonly\/erin-/);
  });

  it('a role erin may not use exits 4 with RoleNotPermitted and a hint', async () => {
    const res = await tessera(erin, ['credentials', '--role', 'partner-audit']);
    expect(res.code).toBe(4);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/^tessera: RoleNotPermitted: /);
    expect(res.stderr).toContain('hint: tessera roles');
  });
});

describe('tessera bindings (the trust table as code)', () => {
  beforeAll(async () => {
    const login = await tessera(
      admin,
      ['login', '--username', 'admin', '--password-stdin'],
      password('admin'),
    );
    expect(login.code).toBe(0);
  });

  it('validate passes the fixture folder offline and names each problem of a bad file with its field', async () => {
    const ok = await tessera(admin, ['bindings', 'validate', FIXTURES]);
    expect(ok.stdout).toContain('2 binding file(s) valid');
    expect(ok.code).toBe(0);
    const bad = join(root, 'bad-bindings');
    cpSync(FIXTURES, bad, { recursive: true });
    writeFileSync(
      join(bad, 'cli-eng-b.json'),
      readFileSync(join(FIXTURES, 'cli-eng-b.json'), 'utf8').replace('"Allow"', '"Alow"'),
    );
    const res = await tessera(admin, ['bindings', 'validate', bad]);
    expect(res.code).toBe(6);
    expect(res.stderr).toContain('cli-eng-b.json: /trustPolicy/Statement/0/Effect:');
  });

  it('diff shows who would gain access beside the textual diff (what-if): erin, by her group', async () => {
    // erin vended eng-readonly above: the subjects table holds her groups.
    const text = await tessera(admin, ['bindings', 'diff', FIXTURES]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      '+ cli-eng-a (new)\n    impact: 1 gain, 0 lose, 0 keep\n      + erin gains: ConditionMet token:cognito:groups ForAnyValue:StringEquals',
    );
    const json = await tessera(admin, ['bindings', 'diff', FIXTURES, '--json']);
    const [a] = JSON.parse(json.stdout) as {
      id: string;
      impact: { gains: { username: string }[] };
    }[];
    expect([a?.id, a?.impact.gains.map((g) => g.username)]).toEqual(['cli-eng-a', ['erin']]);
    const asked = (await auditEvents()).filter((e) => e.action === 'what-if');
    expect(asked.length).toBe(2);
  });

  it('apply creates the bindings, a second apply changes nothing, and diff is empty after it', async () => {
    const before = await tessera(admin, ['bindings', 'diff', FIXTURES, '--json', '--no-impact']);
    expect(JSON.parse(before.stdout)).toEqual([
      { id: 'cli-eng-a', kind: 'create' },
      { id: 'cli-eng-b', kind: 'create' },
    ]);
    const first = await tessera(admin, ['bindings', 'apply', FIXTURES, '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).results).toEqual([
      { id: 'cli-eng-a', action: 'created', version: 1 },
      { id: 'cli-eng-b', action: 'created', version: 1 },
    ]);
    const second = await tessera(admin, ['bindings', 'apply', FIXTURES, '--json']);
    expect(JSON.parse(second.stdout).results).toEqual([
      { id: 'cli-eng-a', action: 'unchanged', version: 1 },
      { id: 'cli-eng-b', action: 'unchanged', version: 1 },
    ]);
    const diff = await tessera(admin, ['bindings', 'diff', FIXTURES, '--exit-code']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('No changes');
    const writes = (await auditEvents()).filter((e) => e.action === 'binding.put');
    expect(writes.map((e) => e.bindingId).sort()).toEqual(['cli-eng-a', 'cli-eng-b']);
  });

  it('diff shows a changed field, apply writes only that binding', async () => {
    const dir = join(root, 'changed');
    cpSync(FIXTURES, dir, { recursive: true });
    const file = join(dir, 'cli-eng-a.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('default: 900', 'default: 1800'));
    const diff = await tessera(admin, ['bindings', 'diff', dir]);
    expect(diff.stdout).toContain(
      '~ cli-eng-a (version 1)\n    durationSeconds/default: 900 -> 1800',
    );
    expect(diff.stdout).not.toContain('cli-eng-b');
    const apply = await tessera(admin, ['bindings', 'apply', dir, '--json']);
    expect(JSON.parse(apply.stdout).results).toEqual([
      { id: 'cli-eng-a', action: 'updated', version: 2 },
      { id: 'cli-eng-b', action: 'unchanged', version: 1 },
    ]);
  });

  it('a stale file (written from an older version) stops apply with the 412 conflict, before later files', async () => {
    const dir = join(root, 'stale');
    cpSync(FIXTURES, dir, { recursive: true });
    const got = await tessera(admin, ['bindings', 'get', 'cli-eng-b']);
    expect(got.stdout).toContain('version: 1');
    // Someone else changes cli-eng-b (now version 2) after the file was fetched.
    const other = join(root, 'other');
    cpSync(FIXTURES, other, { recursive: true });
    const otherFile = join(other, 'cli-eng-b.json');
    writeFileSync(otherFile, readFileSync(otherFile, 'utf8').replace('"audit"', '"audit-2"'));
    expect((await tessera(admin, ['bindings', 'apply', other])).code).toBe(0);
    // The stale file (version 1) with its own change, and a new binding after it.
    writeFileSync(join(dir, 'cli-eng-b.yaml'), got.stdout.replace('team: audit', 'team: audit-3'));
    rmSync(join(dir, 'cli-eng-b.json'));
    writeFileSync(
      join(dir, 'cli-eng-c.yaml'),
      readFileSync(join(FIXTURES, 'cli-eng-a.yaml'), 'utf8'),
    );
    const res = await tessera(admin, ['bindings', 'apply', dir]);
    expect(res.code).toBe(5);
    expect(res.stderr).toMatch(/^tessera: BindingVersionConflict: /m);
    const list = JSON.parse((await tessera(admin, ['bindings', 'list', '--json'])).stdout) as {
      id: string;
      sessionTags: Record<string, string>;
    }[];
    expect(list.find((b) => b.id === 'cli-eng-b')?.sessionTags).toEqual({ team: 'audit-2' });
    expect(list.map((b) => b.id)).not.toContain('cli-eng-c');
  });

  it('a non-administrator is refused with exit 4 (AdminRequired)', async () => {
    const res = await tessera(erin, ['bindings', 'apply', FIXTURES]);
    expect(res.code).toBe(4);
    expect(res.stderr).toContain('tessera: AdminRequired:');
  });
});

describe('tessera review (issue 17)', () => {
  it('lists who can assume each binding with the last use, as a table and as CSV; erin is refused', async () => {
    const table = await tessera(admin, ['review']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/eng-readonly\s*│\s*erin\s*│\s*\d{4}-\d{2}-\d{2}T/);
    const csv = await tessera(admin, ['review', '--format', 'csv', '--by', 'subject']);
    const rows = JSON.parse(
      execFileSync(
        PYTHON,
        [
          '-c',
          'import csv,io,json,sys; print(json.dumps(list(csv.DictReader(io.StringIO(sys.stdin.read(), newline="")))))',
        ],
        { input: csv.stdout },
      ).toString(),
    ) as Record<string, string>[];
    const erinRow = rows.find(
      (r) => r['username'] === 'erin' && r['binding_id'] === 'eng-readonly',
    );
    expect(erinRow?.['stale']).toBe('false');
    expect(Date.parse(erinRow?.['last_used_at'] ?? '')).not.toBeNaN();
    const refused = await tessera(erin, ['review']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('tessera: AdminRequired:');
  });
});

describe('tessera simulate, console and audit (issue 16)', () => {
  it("simulate explains erin's refusal of partner-audit by key and operator, without expected values", async () => {
    const res = await tessera(erin, ['simulate', '--role', 'partner-audit', '--json']);
    expect(res.code).toBe(0);
    const answer = JSON.parse(res.stdout);
    expect(answer.decision).toBe('deny');
    expect(answer.reasons).toEqual([
      expect.objectContaining({
        code: 'ConditionNotMet',
        bindingId: 'partner-audit',
        key: 'token:cognito:groups',
        operator: 'ForAnyValue:StringEquals',
      }),
    ]);
    expect(res.stdout).not.toContain('auditors');
    const words = await tessera(erin, ['simulate', '--role', 'partner-audit']);
    expect(words.code).toBe(0);
    expect(words.stdout).toContain('DENIED: you may not use partner-audit.');
    expect(words.stdout).toContain(
      'condition ForAnyValue:StringEquals on token:cognito:groups is not met',
    );
  });

  it('console --print gives a sign-in URL the local federation stand-in accepts', async () => {
    const res = await tessera(erin, ['console', '--role', 'eng-readonly', '--print']);
    expect(res.code).toBe(0);
    const url = new URL(res.stdout.trim());
    expect(`${url.origin}${url.pathname}`).toBe(stack.info.federation);
    expect(url.searchParams.get('Action')).toBe('login');
    const page = await fetch(url);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('arn:aws:iam::111111111111:role/eng-readonly');
    expect(html).toContain('assumed-role/eng-readonly/erin');
  });

  it("audit --subject --since (an administrator) lists erin's events newest first, her console grant among them; erin is refused", async () => {
    const who = JSON.parse((await tessera(erin, ['whoami', '--json'])).stdout);
    const subject = `${who.issuer}|${who.subject}`;
    const res = await tessera(admin, [
      'audit',
      '--subject',
      subject,
      '--since',
      '1h',
      '--limit',
      '1000',
      '--json',
    ]);
    expect(res.code).toBe(0);
    const { events } = JSON.parse(res.stdout) as { events: Record<string, unknown>[] };
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e.subject).toBe(subject);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    const times = events.map((e) => String(e.at));
    expect([...times].sort().reverse()).toEqual(times);
    const consoleGrant = events.find((e) => e.action === 'console' && e.result === 'grant');
    expect(consoleGrant).toMatchObject({ bindingId: 'eng-readonly' });
    expect(consoleGrant?.accessKeyId).toMatch(/^ASIA/);
    // The same question by role: every event names that role.
    const byRole = await tessera(admin, [
      'audit',
      '--role',
      'arn:aws:iam::111111111111:role/eng-readonly',
      '--since',
      '7d',
      '--json',
    ]);
    expect(byRole.code).toBe(0);
    const roleEvents = JSON.parse(byRole.stdout).events as Record<string, unknown>[];
    expect(roleEvents.length).toBeGreaterThan(0);
    for (const e of roleEvents)
      expect(e.roleArn).toBe('arn:aws:iam::111111111111:role/eng-readonly');
    const refused = await tessera(erin, ['audit', '--since', '1h']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('tessera: AdminRequired:');
  });
});

describe('tessera login in the browser', () => {
  it('signs in through the local issuer’s login page to the loopback redirect (Chromium)', {
    timeout: 120_000,
  }, async () => {
    const { chromium } = await import('playwright-core');
    const alice = cliEnv(join(root, 'alice'), stack.home);
    let resolveUrl: (url: string) => void = () => undefined;
    const urlSeen = new Promise<string>((r) => {
      resolveUrl = r;
    });
    const login = tessera(
      alice,
      ['login', '--no-browser', '--timeout', '60'],
      undefined,
      (chunk) => {
        const url = /(http:\/\/\S+\/oauth2\/authorize\S+)/.exec(chunk)?.[1];
        if (url) resolveUrl(url);
      },
    );
    const url = new URL(await urlSeen);
    expect(url.searchParams.get('redirect_uri')).toBe(`http://127.0.0.1:${callbackPort}/callback`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    const context = await chromium.launchPersistentContext(join(root, 'chromium-profile'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await context.newPage();
      await page.goto(url.toString());
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill(password('alice'));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`http://127.0.0.1:${callbackPort}/callback?**`);
      expect(await page.getByRole('heading').textContent()).toBe('Signed in');
    } finally {
      await context.close();
    }
    const done = await login;
    expect(done.stderr).toContain('Signed in as alice');
    expect(done.code).toBe(0);
    const who = JSON.parse((await tessera(alice, ['whoami', '--json'])).stdout);
    expect(who).toMatchObject({ username: 'alice', canRefresh: true });
  });
});

describe('tessera exec with the local S3 (job 1)', () => {
  it('alice’s app-upload session writes with aws s3 cp under uploads/<her sub>/ and is refused elsewhere', async () => {
    const base = cliEnv(join(root, 'alice-app'), stack.home);
    // The app-upload binding trusts the app's client only: alice signs in with it (a profile).
    const configDir = join(base.env.XDG_CONFIG_HOME!, 'tessera');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(
      join(configDir, 'config.json'),
      JSON.stringify({
        profiles: {
          app: {
            api: stack.info.api,
            issuer: stack.info.issuer.url,
            region: stack.info.region,
            clientId: stack.info.issuer.clients.app,
            cognitoIdp: stack.info.cognitoIdp,
            tokenUse: 'id',
          },
        },
      }),
    );
    const alice: CliEnv = { dir: base.dir, env: { ...base.env, TESSERA_PROFILE: 'app' } };
    const login = await tessera(
      alice,
      ['login', '--username', 'alice', '--password-stdin'],
      `${password('alice')}\n`,
    );
    expect(login.code).toBe(0);
    const sub = JSON.parse((await tessera(alice, ['whoami', '--json'])).stdout).subject as string;
    expect(sub).toMatch(/^[\w-]+$/);
    const file = join(alice.dir, 'note.txt');
    writeFileSync(file, 'uploaded through tessera exec');
    const cp = (key: string) =>
      tessera(alice, [
        'exec',
        '--role',
        'app-upload',
        '--',
        AWS,
        's3',
        'cp',
        file,
        `s3://${BUCKET}/${key}`,
        '--endpoint-url',
        stack.info.s3,
        '--no-progress',
      ]);

    const own = await cp(`uploads/${sub}/note.txt`);
    expect(own.stderr).toBe('');
    expect(own.code).toBe(0);
    const elsewhere = await cp('uploads/someone-else/note.txt');
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.stderr).toContain('AccessDenied');

    const dev = stack.info.iamUsers.find((u) => u.name === 'developer')!;
    const s3 = new S3Client({
      region: stack.info.region,
      endpoint: stack.info.s3,
      forcePathStyle: true,
      credentials: { accessKeyId: dev.accessKeyId, secretAccessKey: dev.secretAccessKey },
    });
    const got = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: `uploads/${sub}/note.txt` }),
    );
    expect(await got.Body!.transformToString()).toBe('uploaded through tessera exec');
    s3.destroy();
  });
});

describe('tessera revocations (the kill switch)', () => {
  it('add cuts erin off — her cached session is refused by the local S3 through the AWS CLI, a new vend exits 4 — list shows it, lift restores new vends', async () => {
    const login = await tessera(
      admin,
      ['login', '--username', 'admin', '--password-stdin'],
      password('admin'),
    );
    expect(login.code).toBe(0);
    const ls = () =>
      tessera(erin, [
        'exec',
        '--role',
        'eng-readonly',
        '--',
        AWS,
        's3',
        'ls',
        `s3://${BUCKET}`,
        '--endpoint-url',
        stack.info.s3,
      ]);
    expect((await ls()).code).toBe(0);

    const add = await tessera(admin, [
      'revocations',
      'add',
      '--username',
      'erin',
      '--reason',
      'laptop stolen',
      '--json',
    ]);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const written = JSON.parse(add.stdout);
    expect(written.revocation).toMatchObject({ username: 'erin', state: 'active' });
    expect(written.accountsNotUpdated).toEqual([]);

    // The session the CLI cached before the revocation: denied by the role's managed policy.
    const denied = await ls();
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('AccessDenied');
    // A new vend (another duration: not the cached one) is refused.
    const vend = await tessera(erin, [
      'credentials',
      '--role',
      'eng-readonly',
      '--duration',
      '1800',
    ]);
    expect(vend.code).toBe(4);
    expect(vend.stderr).toMatch(/^tessera: RoleNotPermitted: /);

    const list = await tessera(admin, ['revocations', 'list']);
    expect(list.stdout).toContain(written.revocation.id);
    expect(list.stdout).toContain('laptop stolen');

    const lift = await tessera(admin, ['revocations', 'lift', written.revocation.id]);
    expect(lift.code).toBe(0);
    expect(lift.stdout).toContain(`lifted erin (revocation ${written.revocation.id}, lifted)`);
    const again = await tessera(erin, [
      'credentials',
      '--role',
      'eng-readonly',
      '--duration',
      '1800',
    ]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ Version: 1 });
  });
});

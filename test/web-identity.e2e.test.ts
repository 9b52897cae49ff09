/**
 * End to end, the web-identity vendor: erin's vend for `eng-workday` goes through the real handler,
 * Tessera signs a web-identity token with the stack's key file, the local STS validates it against
 * the discovery document and JWKS the local API serves and evaluates the role's trust policy, and
 * the session lasts a working day — the role-chaining cap does not apply. Bindings of this file
 * only: an AssumeRole binding on a 12-hour role (the cap clamps), a web-identity binding on a
 * 2-hour role (the role's maximum clamps) and one on a role whose trust does not name the provider.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_CONFIG_PATH, type LocalStack, parseLocalConfig, startStack } from '@tessera/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInIdToken } from './support/local-stack.js';

const POOL_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Tessera1';
const ENGINEERS = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { Federated: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Tessera1' },
      Condition: { 'ForAnyValue:StringEquals': { 'token:cognito:groups': ['engineering'] } },
    },
  ],
};
const binding = (id: string, vendor: string, role: string, max: number) => ({
  id,
  vendor,
  issuer: POOL_ISSUER,
  roleArn: `arn:aws:iam::111111111111:role/${role}`,
  trustPolicy: ENGINEERS,
  sourceIdentity: '${token:cognito:username}',
  durationSeconds: { default: 3600, max },
  externalId: null,
  enabled: true,
});

function config() {
  const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
  const workday = raw.roles.find((r: { name: string }) => r.name === 'eng-workday');
  raw.roles.push({ ...workday, name: 'eng-short', maxSessionDuration: 7200 });
  raw.bindings.push(
    binding('eng-readonly-long', 'assume-role', 'eng-readonly', 43_200),
    binding('eng-short', 'web-identity', 'eng-short', 43_200),
    binding('eng-readonly-wi', 'web-identity', 'eng-readonly', 43_200),
  );
  return parseLocalConfig(raw, 'web-identity e2e config');
}

/** The answer of POST /v1/credentials (or its problem): only the fields these tests read. */
interface Vended {
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken: string;
    readonly expiration: string;
  };
  readonly durationSeconds: number;
  readonly clampedBy: string;
  readonly sourceIdentity: string;
  readonly sessionName: string;
  readonly code?: string;
}

let stack: LocalStack;
let home: string;

const idToken = (username: string) => signInIdToken(stack, username, 'cli');

async function vend(token: string, body: unknown) {
  const res = await fetch(`${stack.info.api}/v1/credentials`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Vended };
}

async function auditEvents(): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: stack.info.region,
      endpoint: stack.info.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const page = await doc.send(new ScanCommand({ TableName: 'tessera-local-audit' }));
  return (page.Items ?? []) as Record<string, unknown>[];
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'tessera-wi-e2e-'));
  stack = await startStack({ home, ports: 0, config: config(), writeInfo: false });
});
afterAll(async () => {
  await stack?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('the web-identity vendor, end to end', () => {
  it('gives a console link from an 8-hour web-identity session an 8-hour console session, an AssumeRole one at most an hour', async () => {
    const token = await idToken('erin');
    const link = async (role: string) => {
      const res = await fetch(`${stack.info.api}/v1/console`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role }),
      });
      expect(res.status).toBe(200);
      const { url } = (await res.json()) as { url: string };
      const page = await (await fetch(url)).text();
      return Date.parse(/<dd id="expires">([^<]+)<\/dd>/.exec(page)?.[1] ?? '') - Date.now();
    };
    expect(await link('eng-workday')).toBeGreaterThan(28_800_000 - 60_000);
    expect(await link('eng-readonly')).toBeLessThanOrEqual(3_600_000);
  });

  it('erin gets an 8-hour eng-workday session that STS recognises, her username as SourceIdentity', async () => {
    const before = Date.now();
    const { status, json } = await vend(await idToken('erin'), { role: 'eng-workday' });
    expect(status).toBe(200);
    expect(json.durationSeconds).toBe(28_800);
    expect(json.clampedBy).toBe('none');
    expect(json.sourceIdentity).toBe('erin');
    const lasts = Date.parse(json.credentials.expiration) - before;
    expect(lasts).toBeGreaterThan(28_800_000 - 10_000);
    expect(lasts).toBeLessThanOrEqual(28_800_000 + 1_000);
    const sts = new STSClient({
      region: stack.info.region,
      endpoint: stack.info.sts,
      credentials: {
        accessKeyId: json.credentials.accessKeyId,
        secretAccessKey: json.credentials.secretAccessKey,
        sessionToken: json.credentials.sessionToken,
      },
    });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::111111111111:assumed-role/eng-workday/${json.sessionName}`);
  });

  it('the audit event of the grant records the vendor and the web-identity token id (jti)', async () => {
    const { json } = await vend(await idToken('erin'), { role: 'eng-workday' });
    const events = await auditEvents();
    const grant = events.find((e) => e['accessKeyId'] === json.credentials.accessKeyId)!;
    expect(grant).toMatchObject({
      result: 'grant',
      bindingId: 'eng-workday',
      vendor: 'web-identity',
    });
    expect(grant['webIdentityTokenId']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const other = events.filter((e) => e['webIdentityTokenId'] === grant['webIdentityTokenId']);
    expect(other).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(json.credentials.secretAccessKey);
  });

  it('the chaining clamp no longer applies: 12 h through web identity, 1 h through AssumeRole', async () => {
    const token = await idToken('erin');
    const web = await vend(token, { role: 'eng-workday', durationSeconds: 43_200 });
    expect(web.json).toMatchObject({ durationSeconds: 43_200, clampedBy: 'none' });
    const chained = await vend(token, { role: 'eng-readonly-long', durationSeconds: 43_200 });
    expect(chained.json).toMatchObject({ durationSeconds: 3600, clampedBy: 'role-chaining' });
    const short = await vend(token, { role: 'eng-short', durationSeconds: 43_200 });
    expect(short.json).toMatchObject({ durationSeconds: 7200, clampedBy: 'role-max' });
  });

  it('a web-identity binding on a role whose trust does not name the provider is refused (403)', async () => {
    const { status, json } = await vend(await idToken('erin'), { role: 'eng-readonly-wi' });
    expect(status).toBe(403);
    expect(json.code).toBe('RoleNotPermitted');
    expect(json.credentials).toBeUndefined();
    const events = await auditEvents();
    expect(
      events.some((e) => e['bindingId'] === 'eng-readonly-wi' && e['reason'] === 'StsAccessDenied'),
    ).toBe(true);
  });

  it("GET /v1/roles shows each role's real maximum (12 h through web identity, 1 h chained)", async () => {
    const res = await fetch(`${stack.info.api}/v1/roles`, {
      headers: { authorization: `Bearer ${await idToken('erin')}` },
    });
    const { accounts } = (await res.json()) as {
      accounts: { roles: { bindingId: string; maxDurationSeconds: number }[] }[];
    };
    const max = Object.fromEntries(
      accounts.flatMap((a) => a.roles).map((r) => [r.bindingId, r.maxDurationSeconds]),
    );
    expect(max).toMatchObject({
      'eng-workday': 43_200,
      'eng-short': 7200,
      'eng-readonly': 3600,
      'eng-readonly-long': 3600,
    });
  });

  it("the AWS CLI and boto3 use erin's 8-hour web-identity session against the local STS", async () => {
    const { json } = await vend(await idToken('erin'), { role: 'eng-workday' });
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: json.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: json.credentials.secretAccessKey,
      AWS_SESSION_TOKEN: json.credentials.sessionToken,
      AWS_DEFAULT_REGION: stack.info.region,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
    // Asynchronous: the stack answers from this process, so a blocking spawn would deadlock.
    const run = async (file: string, args: string[]) =>
      (await promisify(execFile)(file, args, { env, encoding: 'utf8' })).stdout;
    const arn = `arn:aws:sts::111111111111:assumed-role/eng-workday/${json.sessionName}`;
    const cli = JSON.parse(
      await run('aws', [
        'sts',
        'get-caller-identity',
        '--endpoint-url',
        stack.info.sts,
        '--output',
        'json',
      ]),
    ) as { Arn: string };
    expect(cli.Arn).toBe(arn);
    const py = await run('python3', [
      '-c',
      "import sys, boto3; print(boto3.client('sts', endpoint_url=sys.argv[1]).get_caller_identity()['Arn'])",
      stack.info.sts,
    ]);
    expect(py.trim()).toBe(arn);
  }, 60_000);
});

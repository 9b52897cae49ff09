/**
 * End to end through the local stack: real HTTP API emulation over the real handlers, the real
 * Cognito-shaped issuer, the real SDK clients against the local STS and the embedded store.
 * Covers the three jobs of DESIGN.md and every way a vend must be refused.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createApp, loadConfig } from '@tessera/functions';
import { DEFAULT_CONFIG_PATH, type LocalStack, parseLocalConfig, startStack } from '@tessera/local';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TEAM_BINDING = {
  id: 'team-share',
  issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Tessera1',
  roleArn: 'arn:aws:iam::111111111111:role/eng-readonly',
  trustPolicy: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Federated: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Tessera1' },
        Condition: { 'ForAnyValue:StringEquals': { 'token:cognito:groups': ['engineering'] } },
      },
    ],
  },
  sessionPolicy: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::tessera-local-media/teams/${token:custom:team}/*',
      },
    ],
  },
  sessionTags: { team: '${token:custom:team}' },
  durationSeconds: { default: 900, max: 3600 },
  externalId: null,
  enabled: true,
};

/** The default local config plus users whose self-writable attribute tries to widen a policy. */
function configWithHostileUsers() {
  const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
  raw.users.push(
    { username: 'tom', groups: ['engineering'], attributes: { 'custom:team': 'blue' } },
    { username: 'mallory', groups: ['engineering'], attributes: { 'custom:team': '*' } },
    { username: 'trudy', groups: ['engineering'], attributes: { 'custom:team': 'a/../../b' } },
    { username: 'sybil', groups: ['engineering'], attributes: { 'custom:team': 'blue/secret' } },
    {
      username: 'quinn',
      groups: ['engineering'],
      attributes: { 'custom:team': 'x"},{"Effect":"Allow' },
    },
  );
  raw.bindings.push(TEAM_BINDING);
  raw.buckets[0].policy.Statement.push(
    {
      // The IAM user seeds the team folders the scoping tests read.
      Sid: 'DeveloperSeedsTeams',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111111111111:user/developer' },
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::tessera-local-media/teams/*',
    },
    {
      // Only a session tagged team=blue reads teams/blue/: proves the tag, not only the policy.
      Sid: 'BlueNeedsTheBlueTag',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::tessera-local-media/teams/blue/*',
      Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'blue' } },
    },
  );
  return parseLocalConfig(raw, 'e2e config');
}

const BUCKET = 'tessera-local-media';

function s3As(credentials: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}) {
  return new S3Client({
    region: stack.info.region,
    endpoint: stack.info.s3,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials,
  });
}

/** The S3 error code a refused call answers (fails the test when it succeeds). */
async function s3Refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    if (err instanceof S3ServiceException) return err.name;
    throw err;
  }
  throw new Error('the S3 call succeeded; it should have been refused');
}

function sessionCredentials(json: Record<string, unknown>) {
  const c = json.credentials as Record<string, string>;
  return {
    accessKeyId: c.accessKeyId!,
    secretAccessKey: c.secretAccessKey!,
    sessionToken: c.sessionToken!,
  };
}

function subOf(idToken: string): string {
  return (
    JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }
  ).sub;
}

let stack: LocalStack;
let home: string;
let api: string;

async function signIn(username: string, client = 'app'): Promise<{ id: string; access: string }> {
  const user = stack.info.users.find((u) => u.username === username);
  if (!user) throw new Error(`no user ${username}`);
  const idp = new CognitoIdentityProviderClient({
    region: stack.info.region,
    endpoint: stack.info.cognitoIdp,
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  });
  const out = await idp.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: stack.info.issuer.clients[client],
      AuthParameters: { USERNAME: username, PASSWORD: user.password },
    }),
  );
  return { id: out.AuthenticationResult!.IdToken!, access: out.AuthenticationResult!.AccessToken! };
}

async function vend(token: string, body: unknown, query = '') {
  const res = await fetch(`${api}/v1/credentials${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { res, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

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
      new ScanCommand({ TableName: auditTableName(), ExclusiveStartKey: start }),
    );
    out.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

function auditTableName(): string {
  return 'tessera-local-audit';
}

async function forgedToken(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const { kid, key } = stack.keys.active();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: stack.info.issuer.url,
    token_use: 'id',
    aud: stack.info.issuer.clients.app,
    sub: '00000000-0000-4000-8000-000000000000',
    'cognito:username': 'alice',
    iat: now,
    exp: now + 600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid, ...header })
    .sign(key);
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'tessera-e2e-'));
  stack = await startStack({ home, ports: 0, config: configWithHostileUsers() });
  api = stack.info.api;
});

afterAll(async () => {
  await stack?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('the three jobs', () => {
  it('job 1: alice gets upload credentials scoped to her prefix for 15 minutes', async () => {
    const { id } = await signIn('alice', 'app');
    const { res, json } = await vend(id, { role: 'app-upload' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(json.durationSeconds).toBe(900);
    const creds = json.credentials as Record<string, string>;
    expect(creds.accessKeyId).toMatch(/^ASIA/);

    const sts = new STSClient({
      region: stack.info.region,
      endpoint: stack.info.sts,
      credentials: {
        accessKeyId: creds.accessKeyId!,
        secretAccessKey: creds.secretAccessKey!,
        sessionToken: creds.sessionToken!,
      },
    });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::111111111111:assumed-role/app-upload/${json.sessionName}`);
    expect(json.sourceIdentity).toBe('alice');

    // Her prefix, through the local S3: she writes under uploads/<her sub>/ and nowhere else.
    const s3 = s3As(sessionCredentials(json));
    const own = `uploads/${subOf(id)}/photo.jpg`;
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: own, Body: 'jpeg' }));
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const bob = 'uploads/00000000-0000-4000-8000-000000000000/photo.jpg';
    expect(
      await s3Refusal(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: bob, Body: 'x' }))),
    ).toBe('AccessDenied');
    expect(
      await s3Refusal(
        s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'photo.jpg', Body: 'x' })),
      ),
    ).toBe('AccessDenied');
    expect(await s3Refusal(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: own })))).toBe(
      'AccessDenied',
    );
    expect(await s3Refusal(s3.send(new ListObjectsV2Command({ Bucket: BUCKET })))).toBe(
      'AccessDenied',
    );
  });

  it('job 2: erin (engineering) gets the read-only role with her username as SourceIdentity', async () => {
    const { id } = await signIn('erin', 'cli');
    const { res, json } = await vend(id, { role: 'eng-readonly' }, '?format=credential_process');
    expect(res.status).toBe(200);
    expect(json.Version).toBe(1);
    expect(String(json.AccessKeyId)).toMatch(/^ASIA/);
    expect(typeof json.SessionToken).toBe('string');
    expect(new Date(String(json.Expiration)).getTime()).toBeGreaterThan(Date.now());

    const full = await vend(id, { role: 'eng-readonly' });
    expect(full.json.sourceIdentity).toBe('erin');
    expect(String(full.json.sessionName)).toMatch(/^erin/);
  });

  it('job 3: olga (auditors) gets the partner-account role; erin does not', async () => {
    const olga = await signIn('olga', 'portal');
    const granted = await vend(olga.id, { role: 'partner-audit' });
    expect(granted.res.status).toBe(200);
    expect(granted.json.roleArn).toBe('arn:aws:iam::222222222222:role/partner-audit');

    const erin = await signIn('erin', 'portal');
    const refused = await vend(erin.id, { role: 'partner-audit' });
    expect(refused.res.status).toBe(403);
    expect(refused.res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('lists the roles a caller may use, grouped by account', async () => {
    const { id } = await signIn('olga', 'portal');
    const res = await fetch(`${api}/v1/roles`, { headers: { authorization: `Bearer ${id}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('partner-audit');
    expect(text).toContain('222222222222');
    expect(text).not.toContain('eng-readonly');
  });
});

describe('refusals', () => {
  it('a wrong group and a wrong client are refused with 403', async () => {
    const alice = await signIn('alice', 'app');
    expect((await vend(alice.id, { role: 'eng-readonly' })).res.status).toBe(403);
    const aliceCli = await signIn('alice', 'cli');
    expect((await vend(aliceCli.id, { role: 'app-upload' })).res.status).toBe(403);
  });

  it('an unknown role answers exactly like a refused one', async () => {
    const { id } = await signIn('alice', 'app');
    const unknown = await vend(id, { role: 'no-such-role' });
    const refused = await vend(id, { role: 'eng-readonly' });
    expect(unknown.res.status).toBe(403);
    expect(unknown.json.code).toBe(refused.json.code);
    expect(unknown.json.detail).toBe(refused.json.detail);
  });

  it.each([
    ['expired', { exp: Math.floor(Date.now() / 1000) - 3600, iat: 0 }, {}],
    ['wrong token_use', { token_use: 'access', client_id: 'x' }, {}],
    ['another issuer', { iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' }, {}],
    ['another audience', { aud: 'some-other-client' }, {}],
  ])('a %s token is refused with 401 invalid_token', async (_name, claims, header) => {
    const token = await forgedToken(claims, header);
    const { res, json } = await vend(token, { role: 'app-upload' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(typeof json.code).toBe('string');
  });

  it('a tampered token and an alg:none token are refused with 401', async () => {
    const { id } = await signIn('alice', 'app');
    const [h, p, s] = id.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    claims['cognito:groups'] = ['auditors'];
    const tampered = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    expect((await vend(tampered, { role: 'partner-audit' })).res.status).toBe(401);

    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    expect((await vend(none, { role: 'partner-audit' })).res.status).toBe(401);
    expect((await vend('', { role: 'app-upload' })).res.status).toBe(401);
  });

  it('a missing role field is a 400 naming it by JSON Pointer', async () => {
    const { id } = await signIn('alice', 'app');
    const { res, json } = await vend(id, { durationSeconds: 900 });
    expect(res.status).toBe(400);
    expect(json).toMatchObject({
      code: 'InvalidRequest',
      field: '/role',
      issues: [{ field: '/role', code: 'Required' }],
    });
  });
});

describe('scoping', () => {
  it('renders a safe claim into the session policy and tags', async () => {
    const dev = stack.info.iamUsers.find((u) => u.name === 'developer')!;
    const seeder = s3As({ accessKeyId: dev.accessKeyId, secretAccessKey: dev.secretAccessKey });
    for (const Key of ['teams/blue/plan.txt', 'teams/red/plan.txt', 'teams/blue-secret/plan.txt']) {
      await seeder.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: Key }));
    }
    const { id } = await signIn('tom', 'cli');
    const { res, json } = await vend(id, { role: 'team-share' });
    expect(res.status).toBe(200);

    // Through S3: the rendered session policy reaches teams/blue/ (the bucket policy also requires
    // the rendered tag team=blue there), and no other team's folder, nor a look-alike prefix.
    const s3 = s3As(sessionCredentials(json));
    const mine = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'teams/blue/plan.txt' }),
    );
    expect(await mine.Body!.transformToString()).toBe('teams/blue/plan.txt');
    for (const Key of ['teams/red/plan.txt', 'teams/blue-secret/plan.txt']) {
      expect(await s3Refusal(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key })))).toBe(
        'AccessDenied',
      );
    }
    expect(
      await s3Refusal(
        s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'teams/blue/new.txt', Body: 'x' })),
      ),
    ).toBe('AccessDenied');
  });

  it.each([
    ['mallory', 'a wildcard'],
    ['trudy', 'a path traversal'],
    ['sybil', 'a path separator reaching into a sub-prefix'],
    ['quinn', 'a JSON break-out'],
  ])('refuses %s, whose claim carries %s, instead of widening the policy', async (user) => {
    const { id } = await signIn(user, 'cli');
    const { res, json } = await vend(id, { role: 'team-share' });
    expect(res.status).toBe(403);
    expect(json.credentials).toBeUndefined();
    expect(typeof json.code).toBe('string');
  });

  it('clamps the duration and names the bound that clamped it', async () => {
    const { id } = await signIn('tom', 'cli');
    const { res, json } = await vend(id, { role: 'team-share', durationSeconds: 7200 });
    expect(res.status).toBe(200);
    expect(json.durationSeconds).toBe(3600);
    expect(json.clampedBy).toBe('binding-max');

    const app = await signIn('alice', 'app');
    const upload = await vend(app.id, { role: 'app-upload', durationSeconds: 3600 });
    expect(upload.json.durationSeconds).toBe(900);
    expect(upload.json.clampedBy).not.toBe('none');
  });
});

describe('audit', () => {
  it('stores an event for every grant and every deny, with hashes and keys, never the token', async () => {
    const alice = await signIn('alice', 'app');
    const grant = await vend(alice.id, { role: 'app-upload' });
    const deny = await vend(alice.id, { role: 'partner-audit' });
    expect(grant.res.status).toBe(200);
    expect(deny.res.status).toBe(403);

    const events = await auditEvents();
    const text = JSON.stringify(events);
    expect(text).not.toContain(alice.id);
    expect(text).not.toContain((grant.json.credentials as Record<string, string>).secretAccessKey);
    const keyId = (grant.json.credentials as Record<string, string>).accessKeyId!;
    const granted = events.filter((e) => JSON.stringify(e).includes(keyId));
    expect(granted).toHaveLength(1);
    expect(JSON.stringify(granted[0])).toContain('app-upload');
    const denied = events.filter(
      (e) => JSON.stringify(e).includes('partner-audit') && !JSON.stringify(e).includes('ASIA'),
    );
    expect(denied.length).toBeGreaterThanOrEqual(1);
    // Every vend attempt made by this file left an event: at least one per request above.
    expect(events.length).toBeGreaterThanOrEqual(20);
  });
});

/** The same handlers the stack serves, wired to a broken store or audit table. */
function appWith(broken: { dynamodb?: string; auditTable?: string }) {
  const config = loadConfig({
    AWS_REGION: stack.info.region,
    TESSERA_BINDINGS_TABLE: 'tessera-local-bindings',
    TESSERA_AUDIT_TABLE: broken.auditTable ?? 'tessera-local-audit',
    TESSERA_SUBJECTS_TABLE: 'tessera-local-subjects',
    TESSERA_POOLS: JSON.stringify([
      {
        userPoolId: stack.info.issuer.userPoolId,
        clientIds: Object.values(stack.info.issuer.clients),
        tokenUse: 'id',
        jwksUri: stack.info.issuer.jwks,
        jwks: stack.keys.jwks(),
      },
    ]),
  });
  return createApp({
    ...config,
    endpoints: { sts: stack.info.sts, dynamodb: broken.dynamodb ?? stack.info.dynamodb },
    credentials: () => stack.brokerCredentials(),
  });
}

function credentialsEvent(token: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /v1/credentials',
    rawPath: '/v1/credentials',
    rawQueryString: '',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requestContext: {
      accountId: '111111111111',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: {
        method: 'POST',
        path: '/v1/credentials',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'e2e',
      },
      requestId: `e2e-${Math.random()}`,
      routeKey: 'POST /v1/credentials',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: JSON.stringify({ role: 'app-upload' }),
    isBase64Encoded: false,
  };
}

const lambdaContext = {
  awsRequestId: 'e2e',
  functionName: 'credentials',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

describe('fail closed', () => {
  it('an unreachable store answers 503 with Retry-After, never credentials', async () => {
    const app = appWith({ dynamodb: 'http://127.0.0.1:9' });
    const { id } = await signIn('alice', 'app');
    const out = await app.credentials(credentialsEvent(id), lambdaContext);
    expect(out.statusCode).toBe(503);
    expect(out.headers?.['retry-after'] ?? out.headers?.['Retry-After']).toBeDefined();
    expect(String(out.body)).not.toContain('secretAccessKey');
  });

  it('a grant whose audit event cannot be stored is not returned', async () => {
    const app = appWith({ auditTable: 'no-such-audit-table' });
    const { id } = await signIn('alice', 'app');
    const out = await app.credentials(credentialsEvent(id), lambdaContext);
    expect(out.statusCode).toBe(503);
    expect(String(out.body)).not.toContain('secretAccessKey');
    expect(String(out.body)).not.toContain('ASIA');
  });
});

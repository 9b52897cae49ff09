/**
 * @tessera/client against the local stack: sign-in (password, PKCE code flow, refresh), typed
 * errors, and fromTessera() as the credential provider of a real AWS SDK client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  authorizationRequest,
  completeAuthorization,
  LoginError,
  MemoryStorage,
  type PoolConfig,
  passwordLogin,
  Session,
  TesseraApi,
  TesseraApiError,
  unverifiedClaims,
} from '@tessera/client';
import { fromTessera } from '@tessera/client/credentials';
import { type LocalStack, startStack } from '@tessera/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: LocalStack;
let home: string;
let pool: PoolConfig;

const password = (u: string) => stack.info.users.find((x) => x.username === u)!.password;

async function vends(username: string, bindingId: string): Promise<number> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: stack.info.region,
      endpoint: stack.info.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const page = await doc.send(new ScanCommand({ TableName: 'tessera-local-audit' }));
  doc.destroy();
  return (page.Items ?? []).filter(
    (e) =>
      e.action === 'vend' &&
      e.result === 'grant' &&
      e.username === username &&
      e.bindingId === bindingId,
  ).length;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'tessera-client-e2e-'));
  stack = await startStack({ home, ports: 0 });
  pool = {
    issuer: stack.info.issuer.url,
    region: stack.info.region,
    clientId: stack.info.issuer.clients.app!,
    cognitoIdp: stack.info.cognitoIdp,
    hostedUi: stack.info.oauth2,
    tokenUse: 'id',
  };
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('fromTessera with the AWS SDK', () => {
  it('signs alice in, and the STS client runs as her app-upload session; concurrent resolutions vend once', async () => {
    const session = new Session({ pool, storage: new MemoryStorage() });
    await session.save(await passwordLogin(pool, 'alice', password('alice')));
    const provider = fromTessera({
      api: stack.info.api,
      role: 'app-upload',
      token: () => session.token(),
    });
    const before = await vends('alice', 'app-upload');
    const resolved = await Promise.all(Array.from({ length: 5 }, () => provider()));
    expect(new Set(resolved.map((c) => c.accessKeyId)).size).toBe(1);
    expect(resolved[0]!.expiration).toBeInstanceOf(Date);
    expect(resolved[0]!.expiration!.getTime()).toBeGreaterThan(Date.now() + 5 * 60_000);
    expect(await vends('alice', 'app-upload')).toBe(before + 1);

    const sts = new STSClient({
      region: stack.info.region,
      endpoint: stack.info.sts,
      credentials: provider,
    });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toMatch(
      /^arn:aws:sts::111111111111:assumed-role\/app-upload\/alice-[0-9a-f]{10}$/,
    );
    expect(await vends('alice', 'app-upload')).toBe(before + 1);
    sts.destroy();
  });

  it('a role the user may not use is a TesseraApiError with its code and status', async () => {
    const tokens = await passwordLogin(pool, 'alice', password('alice'));
    const api = new TesseraApi({ api: stack.info.api, token: async () => tokens.idToken });
    const err = await api.credentials({ role: 'eng-readonly' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TesseraApiError);
    expect(err).toMatchObject({ status: 403, code: 'RoleNotPermitted' });
  });

  it('a wrong password is LoginError NotAuthorized', async () => {
    await expect(passwordLogin(pool, 'alice', 'wrong')).rejects.toMatchObject({
      name: 'LoginError',
      code: 'NotAuthorized',
    });
  });
});

describe('Session', () => {
  it('refreshes expired tokens once for concurrent callers, keeping the refresh token', async () => {
    const storage = new MemoryStorage();
    const session = new Session({ pool, storage });
    const tokens = await passwordLogin(pool, 'erin', password('erin'));
    await session.save({ ...tokens, expiresAt: Date.now() - 1000 });
    const fresh = await Promise.all([session.token(), session.token(), session.token()]);
    expect(new Set(fresh).size).toBe(1);
    expect(fresh[0]).not.toBe(tokens.idToken);
    expect(unverifiedClaims(fresh[0]!)['cognito:username']).toBe('erin');
    const stored = await session.load();
    expect(stored?.refreshToken).toBe(tokens.refreshToken);
    expect(stored!.expiresAt).toBeGreaterThan(Date.now());
  });

  it('without a stored session, token() is NotLoggedIn', async () => {
    const session = new Session({ pool, storage: new MemoryStorage() });
    await expect(session.token()).rejects.toMatchObject({ code: 'NotLoggedIn' });
  });
});

describe('the authorization code flow with PKCE', () => {
  const redirectUri = 'http://127.0.0.1:3000/callback';

  async function signInAt(url: string, username: string): Promise<URL> {
    const params = new URL(url).searchParams;
    const form = new URLSearchParams(params);
    form.set('username', username);
    form.set('password', password(username));
    const res = await fetch(`${stack.info.oauth2}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  }

  it('exchanges the code with the verifier for tokens naming the user', async () => {
    const request = await authorizationRequest(pool, redirectUri);
    const back = await signInAt(request.url, 'olga');
    const tokens = await completeAuthorization(pool, request, back);
    expect(unverifiedClaims(tokens.idToken)['cognito:username']).toBe('olga');
    expect(tokens.refreshToken).toBeDefined();
  });

  it('refuses an answer whose state is not this login’s (StateMismatch), and a code redeemed twice', async () => {
    const request = await authorizationRequest(pool, redirectUri);
    const other = await authorizationRequest(pool, redirectUri);
    const back = await signInAt(other.url, 'olga');
    const err = await completeAuthorization(pool, request, back).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoginError);
    expect(err).toMatchObject({ code: 'StateMismatch' });
    await completeAuthorization(pool, other, back);
    await expect(completeAuthorization(pool, other, back)).rejects.toMatchObject({
      code: 'TokenRequestFailed',
    });
  });
});

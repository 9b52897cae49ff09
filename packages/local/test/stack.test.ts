import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startStack } from '../src/index.js';
import { jsonObject, signIn, tempHome } from './helpers.js';

interface VendBody {
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  readonly roleArn: string;
  readonly durationSeconds: number;
  readonly sourceIdentity?: string;
}

describe('startStack', () => {
  const { home, cleanup } = tempHome();
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startStack({ home, ports: 0 });
  });
  afterAll(async () => {
    await stack?.stop();
    cleanup();
  });

  it('writes local.json with the documented shape', () => {
    const info = JSON.parse(readFileSync(join(home, 'local.json'), 'utf8'));
    expect(info).toMatchObject({
      api: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      issuer: {
        url: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Tessera1',
        userPoolId: 'eu-west-1_Tessera1',
        jwks: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json$/),
        clients: { app: expect.any(String), cli: expect.any(String), portal: expect.any(String) },
      },
      cognitoIdp: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      sts: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      iam: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      dynamodb: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      s3: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      buckets: ['tessera-local-media'],
      region: 'eu-west-1',
      bindings: ['app-upload', 'eng-readonly', 'eng-workday', 'partner-audit'],
    });
    expect(info.users.map((u: { username: string }) => u.username)).toEqual([
      'alice',
      'erin',
      'olga',
      'admin',
    ]);
    for (const u of info.users) expect(u.password).toMatch(/^.{16,}$/);
  });

  it('serves the health route through the real handler', async () => {
    const res = await fetch(`${stack.info.api}/healthz`);
    expect(res.status).toBe(200);
  });

  it('vends app-upload credentials to alice that STS recognises as an assumed-role session', async () => {
    const alice = stack.info.users.find((u) => u.username === 'alice')!;
    const { body } = await signIn(
      stack.info.cognitoIdp,
      stack.info.issuer.clients.app!,
      'alice',
      alice.password,
    );
    const token = body.AuthenticationResult.IdToken as string;
    const res = await fetch(`${stack.info.api}/v1/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'app-upload' }),
    });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const vended = JSON.parse(text);
    const creds = vended.credentials ?? vended;
    const sts = new STSClient({
      region: 'eu-west-1',
      endpoint: stack.info.sts,
      credentials: {
        accessKeyId: creds.accessKeyId ?? creds.AccessKeyId,
        secretAccessKey: creds.secretAccessKey ?? creds.SecretAccessKey,
        sessionToken: creds.sessionToken ?? creds.SessionToken,
      },
    });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toMatch(/^arn:aws:sts::111111111111:assumed-role\/app-upload\//);
  });

  async function vend(username: string, role: string) {
    const user = stack.info.users.find((u) => u.username === username)!;
    const { body } = await signIn(
      stack.info.cognitoIdp,
      stack.info.issuer.clients.app!,
      username,
      user.password,
    );
    const res = await fetch(`${stack.info.api}/v1/credentials`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${body.AuthenticationResult.IdToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ role }),
    });
    return { status: res.status, body: (await res.json()) as VendBody };
  }

  it('vends eng-readonly to erin with her username as SourceIdentity, capped at one hour', async () => {
    const { status, body } = await vend('erin', 'eng-readonly');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      roleArn: 'arn:aws:iam::111111111111:role/eng-readonly',
      sourceIdentity: 'erin',
    });
    expect(body.durationSeconds).toBeLessThanOrEqual(3600);
  });

  it('vends partner-audit (cross-account, ExternalId) to olga, and refuses it to alice', async () => {
    const olga = await vend('olga', 'partner-audit');
    expect(olga.status).toBe(200);
    const { accessKeyId, secretAccessKey, sessionToken } = olga.body.credentials;
    const sts = new STSClient({
      region: 'eu-west-1',
      endpoint: stack.info.sts,
      credentials: { accessKeyId, secretAccessKey, sessionToken },
    });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toMatch(/^arn:aws:sts::222222222222:assumed-role\/partner-audit\//);
    const alice = await vend('alice', 'partner-audit');
    expect(alice.status).toBe(403);
  });

  it('lists the roles a caller may use', async () => {
    const erin = stack.info.users.find((u) => u.username === 'erin')!;
    const { body } = await signIn(
      stack.info.cognitoIdp,
      stack.info.issuer.clients.app!,
      'erin',
      erin.password,
    );
    const res = await fetch(`${stack.info.api}/v1/roles`, {
      headers: { authorization: `Bearer ${body.AuthenticationResult.IdToken}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('eng-readonly');
    expect(text).not.toContain('partner-audit');
  });

  it('answers unknown routes with a 404 problem and wrong methods with 405', async () => {
    const missing = await fetch(`${stack.info.api}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect((await jsonObject(missing)).code).toBe('RouteNotFound');
    const wrong = await fetch(`${stack.info.api}/v1/credentials`);
    expect(wrong.status).toBe(405);
    expect((await jsonObject(wrong)).code).toBe('MethodNotAllowed');
  });

  it('removes local.json on stop and keeps state for the next start', async () => {
    const password = stack.info.users[0]!.password;
    await stack.stop();
    expect(existsSync(join(home, 'local.json'))).toBe(false);
    stack = await startStack({ home, ports: 0 });
    expect(stack.info.users[0]!.password).toBe(password);
  });
});

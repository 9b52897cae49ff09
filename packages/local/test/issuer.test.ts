import { createHash, randomBytes } from 'node:crypto';
import {
  AuthFlowType,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import {
  CognitoJwtInvalidTokenUseError,
  JwtExpiredError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
} from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH, KeyRing, loadLocalConfig, UserPool } from '../src/index.js';
import { MAX_CODES } from '../src/issuer/pool.js';
import { type IssuerServer, startIssuer } from '../src/issuer/server.js';
import { loadOrCreateSecrets } from '../src/state.js';
import { jsonObject, tempHome } from './helpers.js';

const config = loadLocalConfig(DEFAULT_CONFIG_PATH);
const APP = config.clients.find((c) => c.name === 'app')!;
const ISS = `https://cognito-idp.eu-west-1.amazonaws.com/${config.userPoolId}`;

describe('the Cognito-shaped issuer', () => {
  const { home, cleanup } = tempHome();
  let keys: KeyRing;
  let pool: UserPool;
  let issuer: IssuerServer;
  let password: string;

  /** The production verifier, unchanged; only the JWKS address is pointed at the local issuer. */
  const verifier = (tokenUse: 'id' | 'access') =>
    CognitoJwtVerifier.create(
      { userPoolId: config.userPoolId, tokenUse, clientId: APP.clientId },
      {
        jwksCache: new SimpleJwksCache({
          fetcher: {
            fetch: async () => (await fetch(issuer.jwksUrl)).arrayBuffer(),
          },
        }),
      },
    );

  const idp = () =>
    new CognitoIdentityProviderClient({
      region: 'eu-west-1',
      endpoint: issuer.url,
      credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
      maxAttempts: 1,
    });

  beforeAll(async () => {
    const secrets = loadOrCreateSecrets(home, config);
    password = secrets.users.alice!.password;
    keys = await KeyRing.open(home);
    pool = new UserPool(config, secrets.users, keys);
    issuer = await startIssuer(pool, keys, { port: 0, fallbackToRandom: false });
  });
  afterAll(async () => {
    await issuer?.close();
    cleanup();
  });

  it('serves the JWKS and OpenID discovery at the root and under the pool id', async () => {
    const jwks = await jsonObject(await fetch(issuer.jwksUrl));
    expect(jwks.keys?.[0]).toMatchObject({
      kty: 'RSA',
      alg: 'RS256',
      use: 'sig',
      kid: expect.any(String),
      e: 'AQAB',
    });
    expect(jwks.keys?.[0]?.d).toBeUndefined();
    const under = await (
      await fetch(`${issuer.url}/${config.userPoolId}/.well-known/jwks.json`)
    ).json();
    expect(under).toEqual(jwks);
    const discovery = await jsonObject(
      await fetch(`${issuer.url}/${config.userPoolId}/.well-known/openid-configuration`),
    );
    expect(discovery.issuer).toBe(ISS);
    expect(discovery.token_endpoint).toBe(`${issuer.url}/oauth2/token`);
  });

  it('signs in with USER_PASSWORD_AUTH through the real CognitoIdentityProviderClient', async () => {
    const out = await idp().send(
      new InitiateAuthCommand({
        AuthFlow: AuthFlowType.USER_PASSWORD_AUTH,
        ClientId: APP.clientId,
        AuthParameters: { USERNAME: 'alice', PASSWORD: password },
      }),
    );
    expect(out.AuthenticationResult).toMatchObject({ TokenType: 'Bearer', ExpiresIn: 3600 });
    const id = await verifier('id').verify(out.AuthenticationResult!.IdToken!);
    expect(id).toMatchObject({
      iss: ISS,
      aud: APP.clientId,
      token_use: 'id',
      'cognito:username': 'alice',
      email: 'alice@example.com',
      email_verified: true,
      sub: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    for (const claim of ['auth_time', 'exp', 'iat', 'jti', 'origin_jti', 'event_id'])
      expect(id).toHaveProperty(claim);
    const access = await verifier('access').verify(out.AuthenticationResult!.AccessToken!);
    expect(access).toMatchObject({
      token_use: 'access',
      client_id: APP.clientId,
      username: 'alice',
      scope: 'aws.cognito.signin.user.admin',
      sub: id.sub,
    });

    const refreshed = await idp().send(
      new InitiateAuthCommand({
        AuthFlow: AuthFlowType.REFRESH_TOKEN_AUTH,
        ClientId: APP.clientId,
        AuthParameters: { REFRESH_TOKEN: out.AuthenticationResult!.RefreshToken! },
      }),
    );
    expect(refreshed.AuthenticationResult?.RefreshToken).toBeUndefined();
    const again = await verifier('id').verify(refreshed.AuthenticationResult!.IdToken!);
    expect(again.origin_jti).toBe(id.origin_jti);
  });

  it('carries cognito:groups for users in groups', async () => {
    const erin = pool.user('erin')!;
    const tokens = await pool.mint(erin, APP, { scope: 'openid', withRefresh: false });
    const claims = await verifier('id').verify(tokens.idToken);
    expect(claims['cognito:groups']).toEqual(['engineering']);
  });

  it('answers Cognito error types: wrong password and unknown user read the same', async () => {
    const attempt = (USERNAME: string, PASSWORD: string, ClientId = APP.clientId) =>
      idp().send(
        new InitiateAuthCommand({
          AuthFlow: AuthFlowType.USER_PASSWORD_AUTH,
          ClientId,
          AuthParameters: { USERNAME, PASSWORD },
        }),
      );
    await expect(attempt('alice', 'wrong')).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    await expect(attempt('nobody', 'wrong')).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    await expect(attempt('alice', password, 'unknownclient')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(
      idp().send(
        new InitiateAuthCommand({
          AuthFlow: AuthFlowType.REFRESH_TOKEN_AUTH,
          ClientId: APP.clientId,
          AuthParameters: { REFRESH_TOKEN: 'forged' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('the real verifier refuses tampered, unsigned, expired and wrong-use tokens', async () => {
    const alice = pool.user('alice')!;
    const { idToken, accessToken } = await pool.mint(alice, APP, {
      scope: 'openid',
      withRefresh: false,
    });
    const [h, p, s] = idToken.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload['cognito:groups'] = ['tessera-admins'];
    const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    await expect(verifier('id').verify(tampered)).rejects.toBeInstanceOf(JwtInvalidSignatureError);

    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: JSON.parse(Buffer.from(h, 'base64url').toString()).kid })).toString('base64url')}.${p}.AAAA`;
    await expect(verifier('id').verify(none)).rejects.toBeInstanceOf(
      JwtInvalidSignatureAlgorithmError,
    );

    const past = new UserPool(
      config,
      { alice: { sub: alice.sub, password } },
      keys,
      () => Date.now() - 2 * 3600_000,
    );
    const old = await past.mint(past.user('alice')!, APP, { scope: 'openid', withRefresh: false });
    await expect(verifier('id').verify(old.idToken)).rejects.toBeInstanceOf(JwtExpiredError);

    await expect(verifier('access').verify(idToken)).rejects.toBeInstanceOf(
      CognitoJwtInvalidTokenUseError,
    );
    await expect(verifier('id').verify(accessToken)).rejects.toBeInstanceOf(
      CognitoJwtInvalidTokenUseError,
    );
  });

  it('holds at most MAX_CODES authorization codes: one more forgets the oldest, which is then refused', () => {
    const code = (i: number) =>
      pool.issueCode({
        username: 'alice',
        clientId: APP.clientId,
        redirectUri: 'http://127.0.0.1:9/cb',
        scope: 'openid',
        codeChallenge: `challenge-${i}`,
        nonce: undefined,
        authTime: 0,
      });
    const first = code(0);
    const second = code(1);
    for (let i = 2; i < MAX_CODES; i++) code(i);
    const newest = code(MAX_CODES);
    expect(pool.takeCode(first)).toBeUndefined();
    expect(pool.takeCode(second)).toMatchObject({ codeChallenge: 'challenge-1' });
    expect(pool.takeCode(newest)).toMatchObject({ codeChallenge: `challenge-${MAX_CODES}` });
  });

  it('rotates keys: new tokens carry the new kid, old tokens still verify', async () => {
    const alice = pool.user('alice')!;
    const before = await pool.mint(alice, APP, { scope: 'openid', withRefresh: false });
    const kid = await keys.rotate();
    const after = await pool.mint(alice, APP, { scope: 'openid', withRefresh: false });
    expect(JSON.parse(Buffer.from(after.idToken.split('.')[0]!, 'base64url').toString()).kid).toBe(
      kid,
    );
    const v = verifier('id');
    await expect(v.verify(after.idToken)).resolves.toBeTruthy();
    await expect(v.verify(before.idToken)).resolves.toBeTruthy();
    const reopened = await KeyRing.open(home);
    expect(reopened.active().kid).toBe(kid);
  });

  describe('hosted UI OAuth2: authorization code with PKCE', () => {
    const redirectUri = APP.callbackUrls[0]!;
    const verifierText = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifierText).digest('base64url');
    const authorizeQuery = (extra: Record<string, string> = {}) =>
      new URLSearchParams({
        response_type: 'code',
        client_id: APP.clientId,
        redirect_uri: redirectUri,
        state: 'st-123',
        scope: 'openid email',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        ...extra,
      });

    async function login(user: string, pass: string): Promise<Response> {
      const form = authorizeQuery();
      form.set('username', user);
      form.set('password', pass);
      return fetch(`${issuer.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
        redirect: 'manual',
      });
    }

    const token = (body: Record<string, string>) =>
      fetch(`${issuer.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      });

    it('shows a login form, redirects with a code, and exchanges it once with the verifier', async () => {
      const page = await fetch(`${issuer.url}/oauth2/authorize?${authorizeQuery()}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<form method="post" action="/login">');
      expect(html).toContain(`value="${challenge}"`);
      // The form's answer redirects to the client: CSP form-action must allow that origin too.
      const redirectOrigin = new URL(authorizeQuery().get('redirect_uri')!).origin;
      expect(page.headers.get('content-security-policy')).toContain(
        `form-action 'self' ${redirectOrigin}`,
      );

      expect((await login('alice', 'wrong')).status).toBe(401);
      const res = await login('alice', password);
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
      expect(location.searchParams.get('state')).toBe('st-123');
      const code = location.searchParams.get('code')!;

      const exchange = {
        grant_type: 'authorization_code',
        client_id: APP.clientId,
        code,
        redirect_uri: redirectUri,
        code_verifier: verifierText,
      };
      const ok = await token(exchange);
      expect(ok.status).toBe(200);
      const tokens = (await ok.json()) as {
        access_token: string;
        id_token: string;
        refresh_token: string;
      };
      expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      const access = await verifier('access').verify(tokens.access_token);
      expect(access.scope).toBe('openid email');
      await expect(verifier('id').verify(tokens.id_token)).resolves.toMatchObject({
        'cognito:username': 'alice',
      });

      const reused = await token(exchange);
      expect(reused.status).toBe(400);
      expect((await jsonObject(reused)).error).toBe('invalid_grant');

      const refreshed = await token({
        grant_type: 'refresh_token',
        client_id: APP.clientId,
        refresh_token: tokens.refresh_token,
      });
      expect(refreshed.status).toBe(200);
      expect((await jsonObject(refreshed)).refresh_token).toBeUndefined();

      const me = await fetch(`${issuer.url}/oauth2/userInfo`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(await jsonObject(me)).toMatchObject({
        username: 'alice',
        email: 'alice@example.com',
        sub: access.sub,
      });
    });

    it('refuses a wrong code_verifier', async () => {
      const res = await login('alice', password);
      const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
      const bad = await token({
        grant_type: 'authorization_code',
        client_id: APP.clientId,
        code,
        redirect_uri: redirectUri,
        code_verifier: randomBytes(32).toString('base64url'),
      });
      expect(bad.status).toBe(400);
      expect((await jsonObject(bad)).error).toBe('invalid_grant');
    });

    it('never redirects to an unregistered redirect_uri, and requires PKCE', async () => {
      const evil = await fetch(
        `${issuer.url}/oauth2/authorize?${authorizeQuery({ redirect_uri: 'https://evil.example/cb' })}`,
        { redirect: 'manual' },
      );
      expect(evil.status).toBe(400);
      const noPkce = authorizeQuery();
      noPkce.delete('code_challenge');
      const res = await fetch(`${issuer.url}/oauth2/authorize?${noPkce}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe(
        'invalid_request',
      );
    });
  });
});

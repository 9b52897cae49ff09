import { createSign, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CognitoTokenVerifier } from '@tessera/broker/aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/index.js';

const POOL = 'eu-west-1_AbC';
const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = {
  keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }],
};

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function sign(claims: Record<string, unknown>, key = privateKey, kid = 'k1'): string {
  const head = `${b64({ alg: 'RS256', kid, typ: 'JWT' })}.${b64(claims)}`;
  const signature = createSign('RSA-SHA256').update(head).sign(key).toString('base64url');
  return `${head}.${signature}`;
}
function signWithHeader(extra: Record<string, unknown>): string {
  const head = `${b64({ alg: 'RS256', kid: 'k1', typ: 'JWT', ...extra })}.${b64(access())}`;
  const signature = createSign('RSA-SHA256').update(head).sign(privateKey).toString('base64url');
  return `${head}.${signature}`;
}
const now = () => Math.floor(Date.now() / 1000);
const access = (overrides: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  sub: 'sub-1',
  client_id: 'app-client-id',
  token_use: 'access',
  username: 'alice',
  'cognito:groups': ['uploaders'],
  jti: 'jti-1',
  iat: now() - 10,
  exp: now() + 3600,
  ...overrides,
});

let server: Server;
let jwksUri: string;
let fetches = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TokenError);
  return (err as TokenError).code;
}

describe('CognitoTokenVerifier', () => {
  it('verifies against the pool JWKS fetched from a jwksUri override at warm-up, none per request', async () => {
    const verifier = new CognitoTokenVerifier([
      { userPoolId: POOL, clientIds: ['app-client-id'], jwksUri },
    ]);
    await verifier.warm();
    const before = fetches;
    const t = await verifier.verify(sign(access()));
    await verifier.verify(sign(access({ jti: 'jti-2' })));
    expect(fetches - before).toBe(0);
    expect(t).toMatchObject({
      issuer: ISSUER,
      userPoolId: POOL,
      clientId: 'app-client-id',
      tokenUse: 'access',
      subject: 'sub-1',
      username: 'alice',
    });
    expect(t.claims['cognito:groups']).toEqual(['uploaders']);
    expect(t.claims['cognito:username']).toBe('alice');
  });

  it('verifies with a pre-hydrated JWKS and no network', async () => {
    const verifier = new CognitoTokenVerifier([
      { userPoolId: POOL, clientIds: ['app-client-id'], jwks, jwksUri: 'http://127.0.0.1:9/never' },
    ]);
    await expect(verifier.verify(sign(access()))).resolves.toMatchObject({ subject: 'sub-1' });
  });

  it('keeps verifying cached keys while the JWKS endpoint is down; an unknown kid is JwksUnavailable, not a bad token', async () => {
    const down = createServer((req) => req.socket.destroy());
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', () => resolve()));
    const uri = `http://127.0.0.1:${(down.address() as AddressInfo).port}/.well-known/jwks.json`;
    try {
      const verifier = new CognitoTokenVerifier([
        { userPoolId: POOL, clientIds: ['app-client-id'], jwks, jwksUri: uri },
      ]);
      await expect(verifier.verify(sign(access()))).resolves.toMatchObject({ subject: 'sub-1' });
      expect(await codeOf(verifier.verify(sign(access(), other.privateKey, 'k2')))).toBe(
        'JwksUnavailable',
      );
    } finally {
      await new Promise<void>((resolve) => down.close(() => resolve()));
    }
  });

  it('refuses ID tokens unless configured (access is the default)', async () => {
    const verifier = new CognitoTokenVerifier([
      { userPoolId: POOL, clientIds: ['app-client-id'], jwks },
    ]);
    const id = sign({
      ...access(),
      token_use: 'id',
      aud: 'app-client-id',
      client_id: undefined,
      'cognito:username': 'alice',
    });
    expect(await codeOf(verifier.verify(id))).toBe('TokenUseMismatch');
    const either = new CognitoTokenVerifier([
      { userPoolId: POOL, clientIds: ['app-client-id'], jwks, tokenUse: null },
    ]);
    await expect(either.verify(id)).resolves.toMatchObject({
      tokenUse: 'id',
      clientId: 'app-client-id',
    });
  });

  it.each([
    ['expired', () => sign(access({ exp: now() - 60, iat: now() - 3600 })), 'TokenExpired'],
    ['not yet valid', () => sign(access({ nbf: now() + 600 })), 'TokenNotYetValid'],
    ['another client', () => sign(access({ client_id: 'other-client' })), 'TokenAudienceMismatch'],
    [
      'another pool',
      () => sign(access({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' })),
      'TokenIssuerUnknown',
    ],
    ['signed by another key', () => sign(access(), other.privateKey), 'TokenSignatureInvalid'],
    ['malformed', () => 'not-a-jwt', 'TokenMalformed'],
  ])('refuses a token %s', async (_, make, code) => {
    const verifier = new CognitoTokenVerifier([
      { userPoolId: POOL, clientIds: ['app-client-id'], jwks },
    ]);
    expect(await codeOf(verifier.verify(make()))).toBe(code);
  });

  it.each([
    ['without exp', () => sign(access({ exp: undefined })), 'TokenInvalid'],
    ['issued in the future', () => sign(access({ iat: now() + 600 })), 'TokenNotYetValid'],
    [
      'with a ten-year lifetime',
      () => sign(access({ exp: now() + 10 * 365 * 86_400 })),
      'TokenInvalid',
    ],
    ['with an empty sub', () => sign(access({ sub: '' })), 'TokenInvalid'],
    ['without sub', () => sign(access({ sub: undefined })), 'TokenInvalid'],
    ['with padding appended to its signature', () => `${sign(access())}==`, 'TokenMalformed'],
    ['with a crit header', () => signWithHeader({ crit: ['exp'] }), 'TokenMalformed'],
    ['carrying its own jwk', () => signWithHeader({ jwk: jwks.keys[0] }), 'TokenMalformed'],
  ])(
    'refuses a token signed by the pool key %s (checks beyond aws-jwt-verify)',
    async (_, make, code) => {
      const verifier = new CognitoTokenVerifier([
        { userPoolId: POOL, clientIds: ['app-client-id'], jwks },
      ]);
      expect(await codeOf(verifier.verify(make()))).toBe(code);
    },
  );

  it('refuses a correctly signed payload that is not UTF-8', async () => {
    const verifier = new CognitoTokenVerifier([
      { userPoolId: POOL, clientIds: ['app-client-id'], jwks },
    ]);
    const json = Buffer.from(JSON.stringify(access({ username: '__' })));
    const at = json.indexOf('__');
    json[at] = 0xff;
    json[at + 1] = 0xfe;
    const head = `${b64({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${json.toString('base64url')}`;
    const signature = createSign('RSA-SHA256').update(head).sign(privateKey).toString('base64url');
    expect(await codeOf(verifier.verify(`${head}.${signature}`))).toBe('TokenMalformed');
  });

  it('refuses a pool without client ids, and a plain-http JWKS off loopback (loud)', () => {
    expect(() => new CognitoTokenVerifier([{ userPoolId: POOL, clientIds: [] }])).toThrow();
    expect(
      () =>
        new CognitoTokenVerifier([
          { userPoolId: POOL, clientIds: ['c'], jwksUri: 'http://evil.example.com/jwks' },
        ]),
    ).toThrow();
  });
});

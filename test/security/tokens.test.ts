/**
 * The bad-token corpus (RFC 8725, the OWASP JWT cheat sheet, ASVS 5.0 V9) against the local stack:
 * every token gets 401 with `WWW-Authenticate`, no credentials, and exactly one audit event (found
 * by the request's User-Agent, which the event records: a token that does not parse as a bearer
 * token leaves no hash to find it by).
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSign,
  generateKeyPairSync,
  type KeyObject,
  sign as signRaw,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startStack } from '@tessera/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanAuditTable } from '../support/local-stack.js';
import './support/meta.js';

const AUDIT_TABLE = 'tessera-local-audit';
const LEEWAY = 5;

let stack: LocalStack;
let home: string;
let poolKey: KeyObject;
let poolKid: string;
let poolPublicPem: string;
let poolPublicJwk: Record<string, unknown>;
const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attackerEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const b64raw = (bytes: Buffer | string) =>
  (typeof bytes === 'string' ? Buffer.from(bytes) : bytes).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  const base: Record<string, unknown> = {
    iss: stack.info.issuer.url,
    token_use: 'id',
    aud: stack.info.issuer.clients.app,
    sub: '00000000-0000-4000-8000-0000000000aa',
    'cognito:username': 'alice',
    iat: now - 10,
    exp: now + 600,
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return base;
}

/** RS256 over `header.payload` (both already encoded), with any key. */
function rs256(signingInput: string, key: KeyObject = poolKey): string {
  return createSign('RSA-SHA256').update(signingInput).sign(key).toString('base64url');
}

function token(
  payload: Record<string, unknown> = claims(),
  header: Record<string, unknown> = {},
  key: KeyObject = poolKey,
): string {
  const input = `${b64({ alg: 'RS256', kid: poolKid, ...header })}.${b64(payload)}`;
  return `${input}.${rs256(input, key)}`;
}

/** A token whose signing input is given as raw text (duplicate claims, odd bytes), pool-signed. */
function tokenOfRaw(payloadBytes: Buffer | string, header: Record<string, unknown> = {}): string {
  const input = `${b64({ alg: 'RS256', kid: poolKid, ...header })}.${b64raw(payloadBytes)}`;
  return `${input}.${rs256(input)}`;
}

function hmacToken(alg: 'HS256' | 'HS384' | 'HS512', secret: string): string {
  const input = `${b64({ alg, kid: poolKid, typ: 'JWT' })}.${b64(claims())}`;
  const digest = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  return `${input}.${createHmac(digest, secret).update(input).digest('base64url')}`;
}

function unsigned(alg: string, signature = ''): string {
  return `${b64({ alg, kid: poolKid, typ: 'JWT' })}.${b64(claims())}.${signature}`;
}

function es256Token(): string {
  const input = `${b64({ alg: 'ES256', kid: poolKid })}.${b64(claims())}`;
  const signature = signRaw('sha256', new TextEncoder().encode(input), {
    key: attackerEc.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

function flipLastSignatureChar(jwt: string): string {
  const last = jwt.at(-1) === 'A' ? 'B' : 'A';
  return `${jwt.slice(0, -1)}${last}`;
}

/** Every bad token, named. Built after the stack starts (it needs the pool's key and issuer). */
function corpus(): [string, string][] {
  const now = nowSeconds();
  const good = token();
  const [head, body, sig] = good.split('.') as [string, string, string];
  const attackerJwk = attacker.publicKey.export({ format: 'jwk' });
  const cases: [string, string][] = [
    // alg none, in every casing, with and without a signature part
    ...['none', 'None', 'NONE', 'nOnE', 'noNe'].map((alg): [string, string] => [
      `alg ${alg}`,
      unsigned(alg),
    ]),
    ['alg none with the real signature kept', unsigned('none', sig)],
    ['alg empty', unsigned('')],
    ['alg missing', `${b64({ kid: poolKid })}.${body}.${sig}`],
    // HMAC keyed with the public key (algorithm confusion)
    ['HS256 keyed with the PEM public key', hmacToken('HS256', poolPublicPem)],
    ['HS384 keyed with the PEM public key', hmacToken('HS384', poolPublicPem)],
    ['HS512 keyed with the PEM public key', hmacToken('HS512', poolPublicPem)],
    ['HS256 keyed with the JWK public key text', hmacToken('HS256', JSON.stringify(poolPublicJwk))],
    ['HS256 keyed with the modulus', hmacToken('HS256', String(poolPublicJwk.n))],
    ['HS256 keyed with an empty secret', hmacToken('HS256', '')],
    // keys carried by the token itself
    [
      'embedded jwk, signed by the attacker',
      token(claims(), { jwk: attackerJwk, kid: undefined }, attacker.privateKey),
    ],
    ['embedded jwk with the pool kid', token(claims(), { jwk: attackerJwk }, attacker.privateKey)],
    ['embedded jwk, pool-signed', token(claims(), { jwk: poolPublicJwk })],
    ['jku to a hostile host', token(claims(), { jku: 'https://attacker.example/jwks.json' })],
    [
      'jku to a hostile host, attacker-signed',
      token(claims(), { jku: 'https://attacker.example/jwks.json' }, attacker.privateKey),
    ],
    ['x5u', token(claims(), { x5u: 'https://attacker.example/cert.pem' })],
    ['x5c', token(claims(), { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] })],
    // key selection
    ...Array.from({ length: 8 }, (_, i): [string, string] => [
      `unknown kid storm #${i + 1}`,
      token(claims(), { kid: `storm-${i}-${now}` }, attacker.privateKey),
    ]),
    ['kid path traversal', token(claims(), { kid: '../../../../dev/null' }, attacker.privateKey)],
    ['kid SQL injection', token(claims(), { kid: "x' OR '1'='1" }, attacker.privateKey)],
    ['kid missing', token(claims(), { kid: undefined })],
    ['kid a number', token(claims(), { kid: 1 })],
    ['kid 4 KiB long', token(claims(), { kid: 'k'.repeat(4096) }, attacker.privateKey)],
    ['signed by another RSA key with the pool kid', token(claims(), {}, attacker.privateKey)],
    ['ES256 with the pool kid', es256Token()],
    ['PS256 header over an RS256 signature', token(claims(), { alg: 'PS256' })],
    ['RS512 header over an RS256 signature', token(claims(), { alg: 'RS512' })],
    // time
    ['expired beyond the leeway', token(claims({ exp: now - LEEWAY - 30, iat: now - 600 }))],
    ['expired long ago', token(claims({ exp: now - 86_400, iat: now - 90_000 }))],
    ['nbf beyond the leeway', token(claims({ nbf: now + LEEWAY + 60 }))],
    ['iat beyond the leeway', token(claims({ iat: now + LEEWAY + 60 }))],
    ['no exp', token(claims({ exp: undefined }))],
    ['no iat', token(claims({ iat: undefined }))],
    ['exp as a string', token(claims({ exp: String(now + 600) }))],
    ['a ten-year lifetime', token(claims({ exp: now + 10 * 365 * 86_400 }))],
    ['a lifetime of one day and a minute', token(claims({ iat: now - 10, exp: now + 86_410 }))],
    // who issued it, for whom
    [
      'another pool as iss',
      token(claims({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' })),
    ],
    ['iss with a trailing slash', token(claims({ iss: `${stack.info.issuer.url}/` }))],
    ['iss over http', token(claims({ iss: stack.info.issuer.url.replace('https:', 'http:') }))],
    ['iss missing', token(claims({ iss: undefined }))],
    ['another client as aud', token(claims({ aud: 'someone-elses-client' }))],
    ['aud missing', token(claims({ aud: undefined }))],
    ['aud an array with a foreign client', token(claims({ aud: ['someone-elses-client'] }))],
    ['access token where ID tokens are required', token(claims({ token_use: 'access' }))],
    ['token_use missing', token(claims({ token_use: undefined }))],
    ['token_use refresh', token(claims({ token_use: 'refresh' }))],
    // subject
    ['sub empty', token(claims({ sub: '' }))],
    ['sub missing', token(claims({ sub: undefined }))],
    ['sub a number', token(claims({ sub: 42 }))],
    // structure
    ['truncated signature', good.slice(0, -10)],
    ['signature removed', `${head}.${body}.`],
    ['payload removed', `${head}..${sig}`],
    ['two parts', `${head}.${body}`],
    ['one part', head],
    ['four parts', `${good}.${sig}`],
    ['five parts (JWE-shaped)', `${head}.${body}.${sig}.${sig}.${sig}`],
    ['padding appended', `${good}==`],
    ['one padding character appended', `${good}=`],
    ['padding inside the payload', `${head}.${body}=.${sig}`],
    [
      'standard base64 alphabet',
      `${head}.${body}.${sig.replaceAll('-', '+').replaceAll('_', '/')}+`,
    ],
    ['a flipped signature character', flipLastSignatureChar(good)],
    ['a tab inside', `${head}.\t${body}.${sig}`],
    ['an empty string after Bearer', ''],
    [
      'payload not UTF-8, pool-signed',
      tokenOfRaw(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])),
    ],
    [
      'duplicate sub, pool-signed',
      tokenOfRaw(
        `{"iss":"${stack.info.issuer.url}","token_use":"id","aud":"${stack.info.issuer.clients.app}","sub":"00000000-0000-4000-8000-0000000000aa","sub":"00000000-0000-4000-8000-0000000000bb","iat":${now - 10},"exp":${now + 600}}`,
      ),
    ],
    ['payload a JSON array, pool-signed', tokenOfRaw('["sub"]')],
    ['payload not JSON, pool-signed', tokenOfRaw('sub=alice')],
    ['crit header, pool-signed', token(claims(), { crit: ['exp'] })],
    ['b64 false with crit, pool-signed', token(claims(), { b64: false, crit: ['b64'] })],
    ['over 16 KiB, pool-signed', token(claims({ pad: 'x'.repeat(17 * 1024) }))],
  ];
  return cases;
}

/** `userAgent` marks the request, so its audit event can be found whatever the token was. */
async function vend(bearer: string, userAgent = 'tessera-security-control'): Promise<Response> {
  return fetch(`${stack.info.api}/v1/credentials`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${bearer}`,
      'content-type': 'application/json',
      'user-agent': userAgent,
    },
    body: JSON.stringify({ role: 'app-upload' }),
  });
}

const auditEvents = () => scanAuditTable(stack, AUDIT_TABLE);

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'tessera-security-'));
  stack = await startStack({ home, ports: 0 });
  const stored = JSON.parse(readFileSync(join(home, 'keys', 'issuer.json'), 'utf8')) as {
    keys: { kid: string; privateJwk: Record<string, unknown> }[];
  };
  const active = stored.keys.at(-1);
  if (!active) throw new Error('the issuer has no key');
  poolKid = active.kid;
  poolKey = createPrivateKey({ key: active.privateJwk as never, format: 'jwk' });
  poolPublicPem = createPublicKey(poolKey).export({ type: 'spki', format: 'pem' }).toString();
  poolPublicJwk = stack.keys.jwks().keys[0] as unknown as Record<string, unknown>;
});

afterAll(async () => {
  await stack?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('the bad-token corpus', () => {
  it('holds at least 60 distinct tokens, and the well-formed control token is granted', async () => {
    const all = corpus();
    expect(all.length).toBeGreaterThanOrEqual(60);
    expect(new Set(all.map(([, t]) => t)).size).toBe(all.length);
    const control = await vend(token());
    expect(control.status).toBe(200);
  });

  it('answers every bad token 401 with WWW-Authenticate, no credentials, and exactly one audit event', async ({
    task,
  }) => {
    task.meta.security = { suite: 'tokens', runs: corpus().length };
    const answers: { name: string; marker: string; status: number; body: string; auth: string }[] =
      [];
    for (const [index, [name, bad]] of corpus().entries()) {
      const marker = `tessera-security-corpus/${index}`;
      const res = await vend(bad, marker);
      answers.push({
        name,
        marker,
        status: res.status,
        body: await res.text(),
        auth: res.headers.get('www-authenticate') ?? '',
      });
    }
    const events = await auditEvents();
    const report = answers.map((a) => {
      const recorded = events.filter((e) => e['userAgent'] === a.marker);
      return {
        name: a.name,
        status: a.status,
        credentials: /accessKeyId|AccessKeyId|sessionToken|SessionToken/.test(a.body),
        bearerChallenge: a.auth.startsWith('Bearer'),
        events: recorded.length,
        results: recorded.map((e) => e['result']),
      };
    });
    const wrong = report.filter(
      (r) =>
        r.status !== 401 ||
        r.credentials ||
        !r.bearerChallenge ||
        r.events !== 1 ||
        r.results.some((result) => result === 'grant'),
    );
    expect(wrong).toEqual([]);
  });
});

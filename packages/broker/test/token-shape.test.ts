import { describe, expect, it } from 'vitest';
import {
  checkTokenShape,
  checkVerifiedClaims,
  MAX_TOKEN_CHARS,
  MAX_TOKEN_LIFETIME_SECONDS,
} from '../src/token-shape.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const raw = (text: string) => Buffer.from(text).toString('base64url');
const SIG = Buffer.alloc(256, 7).toString('base64url');
const HEADER = { alg: 'RS256', kid: 'k1' };
const token = (header: unknown = HEADER, payload: unknown = { sub: 's' }, sig = SIG) =>
  `${b64(header)}.${b64(payload)}.${sig}`;

const codeOf = (text: string) => {
  const result = checkTokenShape(text);
  return result.ok ? 'ok' : result.code;
};

describe('checkTokenShape (before the signature)', () => {
  it('accepts a well-formed compact token', () => {
    expect(codeOf(token())).toBe('ok');
  });

  it.each([
    ['two parts', `${b64(HEADER)}.${b64({})}`],
    ['four parts', `${token()}.${SIG}`],
    ['padding appended to the signature', `${token()}==`],
    ['a single padding character', `${token()}=`],
    ['standard base64 characters', token(HEADER, { sub: 's' }, `${SIG.slice(0, -1)}+`)],
    ['whitespace inside', ` ${token()}`],
    ['an empty signature', `${b64(HEADER)}.${b64({})}.`],
    ['an empty header', `.${b64({})}.${SIG}`],
    ['a part of length 1 mod 4', `${b64(HEADER)}.${b64({})}.AAAAA`],
  ])('refuses %s as TokenMalformed', (_, text) => {
    expect(codeOf(text)).toBe('TokenMalformed');
  });

  it('refuses a non-canonical final character (same bytes, another spelling)', () => {
    // 256 bytes -> 342 chars whose last one carries 4 unused bits: flip one of them.
    const last = SIG.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) + 1] as string;
    const spelled = `${SIG.slice(0, -1)}${twin}`;
    expect(Buffer.from(spelled, 'base64url').toString('hex')).toBe(
      Buffer.from(SIG, 'base64url').toString('hex'),
    );
    expect(codeOf(token(HEADER, { sub: 's' }, spelled))).toBe('TokenMalformed');
  });

  it('refuses a token over 16 KiB', () => {
    const big = token(HEADER, { sub: 's', pad: 'x'.repeat(MAX_TOKEN_CHARS) });
    expect(codeOf(big)).toBe('TokenMalformed');
  });

  it.each([
    [
      'a payload that is not UTF-8',
      `${b64(HEADER)}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.${SIG}`,
    ],
    [
      'a header that is not UTF-8',
      `${Buffer.from([0xc3, 0x28]).toString('base64url')}.${b64({})}.${SIG}`,
    ],
    ['a payload that is a JSON array', token(HEADER, ['sub'])],
    ['a payload that is a JSON string', token(HEADER, 'sub')],
    ['a payload that is not JSON', `${b64(HEADER)}.${raw('{sub:1}')}.${SIG}`],
    ['duplicate claims', `${b64(HEADER)}.${raw('{"sub":"a","sub":"b"}')}.${SIG}`],
    ['duplicate header members', `${raw('{"alg":"RS256","alg":"none"}')}.${b64({})}.${SIG}`],
    ['crit in the header', token({ ...HEADER, crit: ['exp'] })],
    ['an empty crit', token({ ...HEADER, crit: [] })],
    ['an embedded jwk', token({ ...HEADER, jwk: { kty: 'RSA' } })],
    ['a jku', token({ ...HEADER, jku: 'https://evil.example/jwks.json' })],
    ['an x5u', token({ ...HEADER, x5u: 'https://evil.example/cert' })],
    ['an x5c', token({ ...HEADER, x5c: ['MIIB'] })],
  ])('refuses %s as TokenMalformed', (_, text) => {
    expect(codeOf(text)).toBe('TokenMalformed');
  });
});

describe('checkVerifiedClaims (after the signature)', () => {
  const now = 1_800_000_000;
  const claims = (overrides: Record<string, unknown> = {}) => ({
    sub: 'sub-1',
    iat: now - 10,
    exp: now + 3600,
    ...overrides,
  });
  const check = (payload: Record<string, unknown>) => {
    const result = checkVerifiedClaims(payload, now, 5);
    return result.ok ? 'ok' : result.code;
  };

  it('accepts a Cognito-shaped lifetime', () => {
    expect(check(claims())).toBe('ok');
    expect(check(claims({ iat: now, exp: now + MAX_TOKEN_LIFETIME_SECONDS }))).toBe('ok');
  });

  it.each([
    ['a missing exp', claims({ exp: undefined })],
    ['a string exp', claims({ exp: String(now + 60) })],
    ['a missing iat', claims({ iat: undefined })],
    [
      'a lifetime of one day and a second',
      claims({ iat: now, exp: now + MAX_TOKEN_LIFETIME_SECONDS + 1 }),
    ],
    ['a ten-year lifetime', claims({ exp: now + 10 * 365 * 86_400 })],
    ['an empty sub', claims({ sub: '' })],
    ['a missing sub', claims({ sub: undefined })],
    ['a numeric sub', claims({ sub: 42 })],
  ])('refuses %s as TokenInvalid', (_, payload) => {
    expect(check(payload)).toBe('TokenInvalid');
  });

  it('takes iat up to the leeway in the future, and refuses it beyond', () => {
    expect(check(claims({ iat: now + 5 }))).toBe('ok');
    expect(check(claims({ iat: now + 6 }))).toBe('TokenNotYetValid');
  });
});

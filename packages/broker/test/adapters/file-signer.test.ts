import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { FileKeyRing } from '../../src/adapters/file-signer.js';
import { signJwt } from '../../src/index.js';

const homes: string[] = [];
const home = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-signer-'));
  homes.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of homes.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const t0 = new Date('2026-11-29T12:00:00Z');
const plus = (s: number) => new Date(t0.getTime() + s * 1000);

describe('FileKeyRing', () => {
  it('creates one key under <home>/keys (0600) that signs at once, and reopens the same key', async () => {
    const dir = home();
    const ring = FileKeyRing.open(dir, t0);
    const path = join(dir, 'keys', 'web-identity.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const kid = ring.active(t0).kid;
    expect(FileKeyRing.open(dir, plus(10)).active(plus(10)).kid).toBe(kid);
    const token = await signJwt(ring.active(t0), { sub: 'x', iat: t0.getTime() / 1000 });
    const { protectedHeader } = await jwtVerify(
      token,
      createLocalJWKSet({ keys: [...ring.published(t0)] }),
    );
    expect(protectedHeader.kid).toBe(kid);
  });

  it('rotation publishes the new key before it signs, then retires the old one from the file', () => {
    const dir = home();
    const ring = FileKeyRing.open(dir, t0, { publishLeadSeconds: 300 });
    const old = ring.active(t0).kid;
    const next = ring.rotate(t0);
    expect(ring.active(plus(299)).kid).toBe(old);
    expect(ring.published(plus(1)).map((k) => k.kid)).toEqual([next, old]);
    expect(ring.active(plus(300)).kid).toBe(next);
    // Old tokens (5 min) + leeway (5 min) after the switch: the old key is gone on the next rotation.
    const later = plus(300 + 600);
    expect(ring.published(later).map((k) => k.kid)).toEqual([next]);
    const third = ring.rotate(later);
    const stored = JSON.parse(readFileSync(join(dir, 'keys', 'web-identity.json'), 'utf8')) as {
      keys: { kid: string }[];
    };
    expect(stored.keys.map((k) => k.kid)).toEqual([next, third]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  type AwsCredentials,
  CredentialCache,
  credentialCacheKey,
  MemoryStorage,
} from '../src/index.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function creds(n: number, expiresInMs: number, now = T0): AwsCredentials {
  return {
    accessKeyId: `ASIA${String(n).padStart(16, '0')}`,
    secretAccessKey: 'secret',
    sessionToken: 'token',
    expiration: new Date(now + expiresInMs).toISOString(),
  };
}

describe('CredentialCache', () => {
  it('concurrent callers of one key share a single vend', async () => {
    const cache = new CredentialCache({ storage: new MemoryStorage(), now: () => T0 });
    let vends = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const vend = async () => {
      vends++;
      await gate;
      return creds(vends, 3600_000);
    };
    const callers = Array.from({ length: 8 }, () => cache.get('k', vend));
    release();
    const answers = await Promise.all(callers);
    expect(vends).toBe(1);
    expect(new Set(answers.map((a) => a.credentials.accessKeyId)).size).toBe(1);
    expect(answers.every((a) => a.fromCache === false)).toBe(true);
  });

  it('serves from the cache until refreshBefore ahead of expiry, then vends again', async () => {
    let now = T0;
    const cache = new CredentialCache({
      storage: new MemoryStorage(),
      now: () => now,
      refreshBeforeSeconds: 300,
    });
    let vends = 0;
    const vend = async () => creds(++vends, 900_000, now);
    expect((await cache.get('k', vend)).fromCache).toBe(false);
    now = T0 + 599_000; // 301 s before expiry: still served
    const hit = await cache.get('k', vend);
    expect(hit).toMatchObject({
      fromCache: true,
      credentials: { accessKeyId: creds(1, 0).accessKeyId },
    });
    now = T0 + 600_000; // 300 s before expiry: refreshed
    const miss = await cache.get('k', vend);
    expect(miss.fromCache).toBe(false);
    expect(vends).toBe(2);
  });

  it('a failed vend is not cached and the next caller tries again', async () => {
    const cache = new CredentialCache({ storage: new MemoryStorage(), now: () => T0 });
    await expect(cache.get('k', async () => Promise.reject(new Error('503')))).rejects.toThrow(
      '503',
    );
    expect((await cache.get('k', async () => creds(1, 3600_000))).fromCache).toBe(false);
  });

  it('a torn stored value is a miss, not an error', async () => {
    const storage = new MemoryStorage();
    await storage.set('k', '{"accessKeyId":');
    const cache = new CredentialCache({ storage, now: () => T0 });
    expect(await cache.peek('k')).toBeUndefined();
  });
});

describe('credentialCacheKey', () => {
  const base = { pool: 'https://issuer', user: 'sub-1', role: 'eng-readonly' };
  it('differs by user, role, duration and session policy, not by policy key order', async () => {
    const k = await credentialCacheKey(base);
    expect(await credentialCacheKey({ ...base, user: 'sub-2' })).not.toBe(k);
    expect(await credentialCacheKey({ ...base, role: 'other' })).not.toBe(k);
    expect(await credentialCacheKey({ ...base, durationSeconds: 900 })).not.toBe(k);
    const p1 = await credentialCacheKey({
      ...base,
      policy: { Version: '2012-10-17', Statement: [] },
    });
    const p2 = await credentialCacheKey({
      ...base,
      policy: { Statement: [], Version: '2012-10-17' },
    });
    expect(p1).not.toBe(k);
    expect(p1).toBe(p2);
    expect(k).toMatch(/^cred-[0-9a-f]{40}$/);
  });
});

describe('credentialCacheKey with another SHA-256', () => {
  it('gives the same key with node:crypto as with WebCrypto', async () => {
    const { createHash } = await import('node:crypto');
    const parts = { pool: 'p', user: 'u', role: 'r', policy: { Version: '2012-10-17' } };
    const node = await credentialCacheKey(parts, (t) =>
      createHash('sha256').update(t).digest('hex'),
    );
    expect(node).toBe(await credentialCacheKey(parts));
  });
});

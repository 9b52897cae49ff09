import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../src/index.js';

describe('MemoryRateLimiter', () => {
  it('allows a burst, then refuses with the seconds until the next token', () => {
    const limiter = new MemoryRateLimiter({
      perSourceIp: { perMinute: 60, burst: 3 },
      perSubject: null,
    });
    const at = 1_000_000;
    expect([1, 2, 3].map(() => limiter.take('sourceIp', '192.0.2.1', at).allowed)).toEqual([
      true,
      true,
      true,
    ]);
    expect(limiter.take('sourceIp', '192.0.2.1', at)).toEqual({
      allowed: false,
      retryAfterSeconds: 1,
    });
    // another address has its own bucket; the subject limit is off
    expect(limiter.take('sourceIp', '192.0.2.2', at).allowed).toBe(true);
    expect(limiter.take('subject', 'iss|sub', at).allowed).toBe(true);
    // one token a second comes back
    expect(limiter.take('sourceIp', '192.0.2.1', at + 1000).allowed).toBe(true);
    expect(limiter.take('sourceIp', '192.0.2.1', at + 1000).allowed).toBe(false);
  });

  it('keeps at most maxKeys buckets, whatever the callers send', () => {
    const limiter = new MemoryRateLimiter({
      perSourceIp: null,
      perSubject: { perMinute: 1, burst: 1 },
      maxKeys: 100,
    });
    for (let i = 0; i < 1000; i += 1) limiter.take('subject', `iss|${'x'.repeat(2000)}${i}`, 0);
    expect(limiter.size).toBe(100);
  });
});

import { describe, expect, it } from 'vitest';
import { BoundedCache, ENTRY_OVERHEAD } from '../src/sts/bounded-cache.js';

describe('BoundedCache', () => {
  it('computes a key once, then answers it from memory', () => {
    const cache = new BoundedCache<number>(4, 1 << 20);
    let calls = 0;
    const length = (key: string) => {
      calls += 1;
      return key.length;
    };
    expect(cache.get('abc', length)).toBe(3);
    expect(cache.get('abc', length)).toBe(3);
    expect(calls).toBe(1);
  });

  it('holds at most its capacity, dropping the oldest inserted first', () => {
    const cache = new BoundedCache<string>(2, 1 << 20);
    const computed: string[] = [];
    const upper = (key: string) => {
      computed.push(key);
      return key.toUpperCase();
    };
    cache.get('a', upper);
    cache.get('b', upper);
    cache.get('c', upper); // drops a
    cache.get('b', upper);
    cache.get('a', upper); // computed again; drops b
    cache.get('c', upper);
    expect(computed).toEqual(['a', 'b', 'c', 'a']);
  });

  it('stores nothing when the computation throws', () => {
    const cache = new BoundedCache<number>(2, 1 << 20);
    expect(() =>
      cache.get('bad', () => {
        throw new SyntaxError('not JSON');
      }),
    ).toThrow(SyntaxError);
    expect(cache.get('bad', () => 7)).toBe(7);
  });

  it('holds at most its byte bound, dropping the oldest first, and never keeps an oversized entry', () => {
    const weight = (key: string) => 2 * key.length + ENTRY_OVERHEAD;
    const cache = new BoundedCache<number>(100, 3 * weight('x'.repeat(100)));
    const computed: string[] = [];
    const length = (key: string) => {
      computed.push(key[0]!);
      return key.length;
    };
    for (const c of 'abcd') cache.get(c.repeat(100), length); // the fourth drops the first
    expect(cache.size).toBe(3);
    expect(cache.bytes).toBe(3 * weight('x'.repeat(100)));
    cache.get('a'.repeat(100), length); // computed again
    cache.get('d'.repeat(100), length); // still held
    expect(computed).toEqual(['a', 'b', 'c', 'd', 'a']);
    const huge = 'h'.repeat(10_000);
    expect(cache.get(huge, length)).toBe(10_000);
    expect(cache.get(huge, length)).toBe(10_000);
    expect(computed.filter((c) => c === 'h')).toHaveLength(2); // computed each time, never kept
    expect(cache.bytes).toBeLessThanOrEqual(3 * weight('x'.repeat(100)));
  });

  it('keeps 10,000 unique 8 KB keys within its byte bound', () => {
    const cache = new BoundedCache<number>(256, 1024 * 1024);
    for (let i = 0; i < 10_000; i++) cache.get(`${i}:${'k'.repeat(8192)}`, (k) => k.length);
    expect(cache.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(cache.size).toBe(Math.floor((1024 * 1024) / (2 * 8197 + ENTRY_OVERHEAD)));
  });
});

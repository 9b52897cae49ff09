import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../src/sts/bounded-cache.js';

describe('BoundedCache', () => {
  it('computes a key once, then answers it from memory', () => {
    const cache = new BoundedCache<number>(4);
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
    const cache = new BoundedCache<string>(2);
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
    const cache = new BoundedCache<number>(2);
    expect(() =>
      cache.get('bad', () => {
        throw new SyntaxError('not JSON');
      }),
    ).toThrow(SyntaxError);
    expect(cache.get('bad', () => 7)).toBe(7);
  });
});

/**
 * The bounded memo tables (src/cache.ts) and the caches built on them: bounded in entries and in
 * bytes, oldest dropped first, long keys never kept. The heap figure (10,000 validate calls with
 * unique 8 KB strings retain < 16 MiB) is measured in a separate process with `--expose-gc`
 * (support/heap-probe.ts), so no other test's garbage counts.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BoundedMap, ENTRY_OVERHEAD } from '../src/cache.js';
import { SHARED_TABLE_BOUNDS } from '../src/context.js';
import { TEXT_CACHE_BOUNDS } from '../src/evaluate.js';
import { KNOWN_GOOD_BOUNDS } from '../src/parse.js';
import { TEMPLATE_CACHE_BOUNDS } from '../src/variables.js';

const weight = (key: string, value = 0) => 2 * key.length + ENTRY_OVERHEAD + value;

describe('BoundedMap', () => {
  it('holds at most its entry bound, dropping the oldest first', () => {
    const map = new BoundedMap<number>({ entries: 2, bytes: 1 << 20, keyChars: 100 });
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    expect([map.has('a'), map.has('b'), map.has('c')]).toEqual([false, true, true]);
    expect(map.bytes).toBe(2 * weight('a'));
  });

  it('holds at most its byte bound, counting keys and the weighed values', () => {
    const bytes = 3 * weight('k'.repeat(50), 100);
    const map = new BoundedMap<string>(
      { entries: 1000, bytes, keyChars: 100 },
      (value) => value.length,
    );
    for (const c of 'abcdef') map.set(c.repeat(50), 'v'.repeat(100));
    expect(map.size).toBe(3);
    expect(map.bytes).toBe(bytes);
    expect(map.has('a'.repeat(50))).toBe(false);
    expect(map.get('f'.repeat(50))).toBe('v'.repeat(100));
  });

  it('never keeps a key over keyChars, nor an entry heavier than the whole bound', () => {
    const map = new BoundedMap<number>({ entries: 10, bytes: 1000, keyChars: 8 }, (v) => v);
    map.set('123456789', 1);
    map.set('small', 5000);
    expect(map.size).toBe(0);
    expect(map.bytes).toBe(0);
    let made = 0;
    const make = () => ++made;
    expect(map.getOrMake('123456789', make)).toBe(1);
    expect(map.getOrMake('123456789', make)).toBe(2); // made again: not kept
    expect(map.getOrMake('short', make)).toBe(3);
    expect(map.getOrMake('short', make)).toBe(3); // kept
  });

  it('keeps 10,000 unique 8 KB keys within every documented bound', () => {
    for (const bounds of [
      KNOWN_GOOD_BOUNDS,
      SHARED_TABLE_BOUNDS,
      TEMPLATE_CACHE_BOUNDS,
      TEXT_CACHE_BOUNDS,
    ]) {
      const map = new BoundedMap<true>(bounds, (_v, key) => 24 * key.length);
      for (let i = 0; i < 10_000; i++) map.set(`${i}`.padEnd(8192, 'x'), true);
      expect(map.bytes).toBeLessThanOrEqual(bounds.bytes);
      expect(map.size).toBeLessThanOrEqual(bounds.entries);
    }
  });
});

describe('retained heap (forked process, node --expose-gc)', () => {
  it('10,000 validate calls with unique 8 KB strings retain < 16 MiB; so do 10,000 evaluate calls with unique texts', () => {
    const probe = fileURLToPath(new URL('./support/heap-probe.ts', import.meta.url));
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', probe], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    const figures = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(figures['validateRetained']).toBeLessThan(16 * 1024 * 1024);
    expect(figures['textCacheRetained']).toBeLessThan(16 * 1024 * 1024);
    // The weight the text cache counts per character of a compiled policy's text is not below
    // what a compiled policy really holds.
    expect(figures['compiledBytesPerChar']).toBeLessThan(24);
  }, 300_000);
});

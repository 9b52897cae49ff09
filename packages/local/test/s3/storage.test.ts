import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bytes as u8 } from '../../src/http.js';
import { ObjectStore } from '../../src/s3/storage.js';
import { tempHome } from '../helpers.js';

const NOW = new Date('2026-06-01T12:00:00Z');
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function storeWith(keys: readonly string[]) {
  const t = tempHome();
  cleanup = t.cleanup;
  const store = new ObjectStore(join(t.home, 's3'), ['b']);
  return { store, root: join(t.home, 's3'), keys };
}

async function put(store: ObjectStore, key: string, text = key) {
  await store.put(
    'b',
    {
      key,
      size: text.length,
      etag: 'e',
      checksum: undefined,
      partCount: undefined,
      contentType: 'text/plain',
      metadata: {},
    },
    Buffer.from(text),
    NOW,
  );
}

describe('ObjectStore', () => {
  it('lists in UTF-8 byte order with common prefixes, pages that resume after the last entry', async () => {
    const { store } = storeWith([]);
    for (const k of ['a/1', 'a/2', 'b', 'c/x/1', 'c/y', 'ü', '\u{1F600}', 'z']) await put(store, k);
    const all = store.list('b', { prefix: '', delimiter: '/', after: undefined, maxKeys: 1000 });
    expect(all.contents.map((o) => o.key)).toEqual(['b', 'z', 'ü', '\u{1F600}']);
    expect(all.commonPrefixes).toEqual(['a/', 'c/']);
    expect(all.next).toBeUndefined();

    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = store.list('b', { prefix: '', delimiter: '/', after, maxKeys: 2 });
      seen.push(...page.commonPrefixes, ...page.contents.map((o) => o.key));
      if (page.next === undefined) break;
      after = page.next;
    }
    expect(seen.sort()).toEqual(['a/', 'b', 'c/', 'z', 'ü', '\u{1F600}'].sort());

    const under = store.list('b', {
      prefix: 'c/',
      delimiter: '/',
      after: undefined,
      maxKeys: 1000,
    });
    expect(under.contents.map((o) => o.key)).toEqual(['c/y']);
    expect(under.commonPrefixes).toEqual(['c/x/']);
  });

  it('keeps objects across a reopen, and replaces one atomically (old bytes removed)', async () => {
    const { store, root } = storeWith([]);
    await put(store, 'k', 'first');
    await put(store, 'k', 'second');
    const reopened = new ObjectStore(root, ['b']);
    const meta = reopened.head('b', 'k');
    expect(meta?.size).toBe('second'.length);
    const chunks: Buffer[] = [];
    for await (const c of reopened.open('b', meta!)) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks.map(u8)).toString()).toBe('second');
    await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(join(root, 'buckets', 'b', 'data'))).toHaveLength(1);
    reopened.delete('b', 'k');
    expect(reopened.head('b', 'k')).toBeUndefined();
    expect(new ObjectStore(root, ['b']).head('b', 'k')).toBeUndefined();
    expect(existsSync(join(root, 'tmp'))).toBe(true);
  });
});

import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TesseraClientError } from '../src/errors.js';
import { FileStorage } from '../src/node.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-client-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('FileStorage', () => {
  it('writes 0600 files in a 0700 directory, leaves no temporary file, reads back, deletes', async () => {
    const dir = join(root, 'a', 'credentials');
    const storage = new FileStorage(dir);
    await storage.set('cred-1', '{"x":1}');
    await storage.set('cred-1', '{"x":2}');
    expect(await storage.get('cred-1')).toBe('{"x":2}');
    expect(statSync(join(dir, 'cred-1.json')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual(['cred-1.json']);
    await storage.delete('cred-1');
    expect(await storage.get('cred-1')).toBeUndefined();
  });

  it('concurrent writers never leave a torn file', async () => {
    const storage = new FileStorage(join(root, 'b'));
    const values = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({ i, pad: 'x'.repeat(10_000) }),
    );
    await Promise.all(values.map((v) => storage.set('k', v)));
    expect(values).toContain(await storage.get('k'));
  });

  it('refuses a key that is not a plain file name', async () => {
    const storage = new FileStorage(join(root, 'c'));
    await expect(storage.set('../escape', 'x')).rejects.toBeInstanceOf(TesseraClientError);
    await expect(storage.get('.hidden')).rejects.toMatchObject({ code: 'InvalidConfig' });
  });
});

describe('nodeFetch', () => {
  it('sends method, headers and body, and reads status, headers and text', async () => {
    const { createServer } = await import('node:http');
    const { nodeFetch } = await import('../src/node.js');
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        res.writeHead(201, { etag: '"3"', 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization, body }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      const res = await nodeFetch(`http://127.0.0.1:${port}/x`, {
        method: 'PUT',
        headers: { authorization: 'Bearer t' },
        body: '{"a":"é"}',
      });
      expect(res).toMatchObject({ ok: true, status: 201 });
      expect(res.headers.get('ETag')).toBe('"3"');
      expect(JSON.parse(await res.text())).toEqual({
        method: 'PUT',
        auth: 'Bearer t',
        body: '{"a":"é"}',
      });
      await expect(nodeFetch(`http://127.0.0.1:1/`)).rejects.toThrow();
    } finally {
      server.close();
    }
  });
});

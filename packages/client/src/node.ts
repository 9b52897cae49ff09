/**
 * Node storage: one file per key in a directory of the user's (mode 0700), each file 0600, written
 * atomically (a temporary file in the same directory, then rename), so a reader never sees half a
 * file and no other user can read a token or a credential. The files are a few hundred bytes and
 * the I/O is synchronous: `node:fs/promises` costs a CLI more to load than the reads take, and
 * the AWS CLI waits for `tessera credentials` before every command.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { TesseraClientError } from './errors.js';
import type { Fetch, FetchResponse } from './http.js';
import type { KeyValueStorage } from './storage.js';

const SAFE_KEY = /^[A-Za-z0-9_.-]{1,128}$/;

export class FileStorage implements KeyValueStorage {
  constructor(private readonly dir: string) {}

  private path(key: string): string {
    if (!SAFE_KEY.test(key) || key.startsWith('.')) {
      throw new TesseraClientError('InvalidConfig', `storage key "${key}" is not a safe file name`);
    }
    return join(this.dir, `${key}.json`);
  }

  async get(key: string): Promise<string | undefined> {
    const path = this.path(key);
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async set(key: string, value: string): Promise<void> {
    const target = this.path(key);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temp = join(this.dir, `.${key}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      writeFileSync(temp, value, { mode: 0o600, flag: 'wx' });
      chmodSync(temp, 0o600); // in case of an unusual umask
      renameSync(temp, target);
    } catch (err) {
      rmSync(temp, { force: true });
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    rmSync(this.path(key), { force: true });
  }
}

type Https = typeof import('node:https');

/**
 * `node:https`'s request, loaded at first use: `process.getBuiltinModule` (Node >= 20.16) loads it
 * synchronously, without the ES module loader an `import()` starts in a CommonJS bundle (the CLI's
 * credential_process); an older Node imports it.
 */
async function httpsRequest(): Promise<Https['request']> {
  const builtin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const https = (builtin?.('node:https') as Https | undefined) ?? (await import('node:https'));
  return https.request;
}

/**
 * `fetch` over `node:http` / `node:https`, for Node processes that start often (a CLI): Node's own
 * fetch loads undici, which costs a short-lived process more than the request. Text bodies only
 * (all the client sends and reads); a 30 s timeout. `node:https` (and TLS with it) loads only for
 * an https URL.
 */
export const nodeFetch: Fetch = async (url, init = {}) => {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? await httpsRequest() : httpRequest;
  return new Promise<FetchResponse>((resolvePromise, reject) => {
    const req = send(
      target,
      { method: init.method ?? 'GET', headers: init.headers ?? {}, timeout: 30_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolvePromise({
            ok: status >= 200 && status < 300,
            status,
            headers: {
              get: (name) => {
                const v = res.headers[name.toLowerCase()];
                return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
              },
            },
            text: async () => text,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${target.origin} in 30 s`)));
    req.on('error', reject);
    req.end(init.body);
  });
};

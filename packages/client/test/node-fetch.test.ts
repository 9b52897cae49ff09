/**
 * `nodeFetch` over real servers: plain HTTP, and HTTPS (a certificate made with the OpenSSL CLI)
 * through `node:https`, loaded at first use — certificates verified as Node's default agent does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import https, { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFetch } from '../src/node.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-fetch-'));
let cert: string;
let httpUrl: string;
let httpsUrl: string;
const servers: { close: () => void }[] = [];

function echo(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.setEncoding('utf8').on('data', (c: string) => {
    body += c;
  });
  req.on('end', () => {
    res.writeHead(201, { 'content-type': 'application/json', 'x-seen': req.method ?? '' });
    res.end(JSON.stringify({ body, auth: req.headers.authorization ?? null }));
  });
}

async function listen(server: ReturnType<typeof createHttpServer>, scheme: string) {
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  servers.push(server);
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}/echo`;
}

beforeAll(async () => {
  const key = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(certFile, 'utf8');
  httpUrl = await listen(createHttpServer(echo), 'http');
  httpsUrl = await listen(createHttpsServer({ key: readFileSync(key), cert }, echo), 'https');
});

afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

const init = { method: 'POST', headers: { authorization: 'Bearer t' }, body: '{"role":"r"}' };

describe('nodeFetch', () => {
  it('sends and reads a text body over HTTP', async () => {
    const res = await nodeFetch(httpUrl, init);
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.headers.get('X-Seen')).toBe('POST');
    expect(JSON.parse(await res.text())).toEqual({ body: '{"role":"r"}', auth: 'Bearer t' });
  });

  it('refuses an HTTPS server whose certificate is not trusted', async () => {
    await expect(nodeFetch(httpsUrl, init)).rejects.toMatchObject({
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
  });

  it('speaks HTTPS through node:https once the certificate is trusted', async () => {
    https.globalAgent.options.ca = cert;
    try {
      const res = await nodeFetch(httpsUrl, init);
      expect(res.status).toBe(201);
      expect(JSON.parse(await res.text())).toEqual({ body: '{"role":"r"}', auth: 'Bearer t' });
    } finally {
      delete https.globalAgent.options.ca;
    }
  });
});

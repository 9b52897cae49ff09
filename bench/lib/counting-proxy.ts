/**
 * A loopback HTTP proxy that counts what really goes over the wire to one upstream (a benchmark
 * tool, never production code). Requests are forwarded unchanged — method, path, headers
 * (including `host`, so a SigV4 signature still verifies) and body — and counted by a key the
 * caller derives from each request (DynamoDB's `x-amz-target`, STS's `Action`, a path).
 */
import { Agent, createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface CountingProxy {
  /** `http://127.0.0.1:<port>`: point a client here instead of the upstream. */
  readonly url: string;
  /** Requests forwarded since the last reset, by key. */
  counts(): Readonly<Record<string, number>>;
  /** Requests forwarded since the last reset under one key (0 if none). */
  count(key: string): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(
  upstream: string,
  keyOf: (req: CountedRequest) => string,
): Promise<CountingProxy> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  let counts = new Map<string, number>();

  const server = createServer((req, res) => {
    const chunks: Uint8Array[] = [];
    req.on('data', (chunk: Uint8Array) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      const key = keyOf({ method: req.method ?? 'GET', path, headers: req.headers, body });
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const upstreamReq = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path,
          headers: req.headers,
          agent,
        },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      upstreamReq.on('error', (err) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`counting proxy: upstream ${upstream} failed: ${err.message}`);
      });
      upstreamReq.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => Object.fromEntries(counts),
    count: (key) => counts.get(key) ?? 0,
    reset: () => {
      counts = new Map();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

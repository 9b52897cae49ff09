/**
 * A fault-injecting HTTP proxy: a real server on loopback that forwards every request to a real
 * service (the local STS, the store, the issuer's JWKS), unless the test says otherwise — refuse
 * the connection, answer late, or answer in the service's place. Headers (Host included) are
 * forwarded as received, so SigV4 signatures made for the proxy's address still verify.
 */
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request. */
export type Fault =
  | { readonly kind: 'pass' }
  /** Close the connection without an answer (a service down). */
  | { readonly kind: 'drop' }
  /** Forward after `ms` (a slow service). */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Answer in the service's place. */
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly headers: Record<string, string>;
      readonly body: string;
    };

export interface Seen {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** Chooses the fault for a request (default: pass everything). */
export type FaultPlan = (seen: Seen) => Fault;

export interface FaultProxy {
  readonly url: string;
  /** Every request received, in order. */
  readonly seen: Seen[];
  plan: FaultPlan;
  close(): Promise<void>;
}

const PASS: FaultPlan = () => ({ kind: 'pass' });

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of req) chunks.push(chunk as Uint8Array);
  return Buffer.concat(chunks);
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const to = new URL(target);
  const proxy: FaultProxy = {
    url: '',
    seen: [],
    plan: PASS,
    close: async () => undefined,
  };
  const server: Server = createServer(async (req, res) => {
    const raw = await bodyOf(req);
    const seen: Seen = {
      at: Date.now(),
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: raw.toString('utf8'),
    };
    proxy.seen.push(seen);
    const fault = proxy.plan(seen);
    if (fault.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'answer') {
      res.writeHead(fault.status, fault.headers);
      res.end(fault.body);
      return;
    }
    if (fault.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    if (res.destroyed || req.socket.destroyed) return; // the client gave up waiting
    const upstream = request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(raw);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${port}${to.pathname === '/' ? '' : to.pathname}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** STS's Query-protocol error answer (the shape AWS sends). */
export function stsError(status: number, code: string, message: string): Fault {
  return {
    kind: 'answer',
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': 'fault-proxy-0000' },
    body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault-proxy-0000</RequestId></ErrorResponse>`,
  };
}

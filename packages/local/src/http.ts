/**
 * Small node:http plumbing shared by the local servers: loopback listen with a fallback port,
 * size-capped body reads, clean close. No routing framework: each server is a short switch.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalStackError } from './errors.js';

export const LOOPBACK = '127.0.0.1';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/**
 * Reads the whole request body, refusing (and draining nothing more) past `limit` bytes. Event
 * listeners rather than the stream's async iterator: a body is one or two chunks, and the
 * iterator's promise per chunk costs more than reading them.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > limit)
    return Promise.reject(new BodyTooLargeError(`body > ${limit}`));
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLargeError(`body > ${limit}`));
        return;
      }
      chunks.push(bytes(chunk));
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** A Buffer viewed as a plain Uint8Array (no copy), for APIs typed on Uint8Array. */
export function bytes(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Constant-time equality of two strings (false when the lengths differ). */
export function safeEqual(a: string, b: string): boolean {
  const x = bytes(Buffer.from(a));
  const y = bytes(Buffer.from(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface LocalServer {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** When the requested port is busy: take a random one (true) or fail (false). */
  readonly fallbackToRandom: boolean;
  readonly name: string;
  /** Largest request head Node reads before answering 431 itself (default Node's 16 KiB). */
  readonly maxHeaderBytes?: number;
}

/** Starts `handler` on 127.0.0.1. Unhandled handler errors answer 500 without internals. */
export async function listen(
  handler: RequestHandler,
  options: ListenOptions,
): Promise<LocalServer> {
  const server = createServer({ maxHeaderSize: options.maxHeaderBytes }, (req, res) => {
    handler(req, res).catch((err: unknown) => {
      process.emitWarning(`tessera local ${options.name}: ${String((err as Error)?.stack ?? err)}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error');
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  return bind(server, options);
}

/** Binds an existing server (dynalite's) the same way. */
export async function bind(server: Server, options: ListenOptions): Promise<LocalServer> {
  const tryListen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        reject(err);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, LOOPBACK);
    });
  try {
    await tryListen(options.port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' && options.fallbackToRandom && options.port !== 0) {
      await tryListen(0);
    } else if (code === 'EADDRINUSE') {
      throw new LocalStackError(
        'PortInUse',
        `${options.name}: port ${options.port} on ${LOOPBACK} is in use (is another stack running? set TESSERA_PORT or free it)`,
        { cause: err },
      );
    } else throw err;
  }
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://${LOOPBACK}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Parses `application/x-www-form-urlencoded` into a null-prototype record (first value wins). */
export function parseForm(raw: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of new URLSearchParams(raw)) if (!(k in out)) out[k] = v;
  return out;
}

/**
 * The access portal on the API's origin, as the deployment serves it from its static site: the
 * built files of `packages/portal` at `/` (`/callback` answers `index.html` too, so the sign-in
 * comes back to the app; other paths are the build's files or the API's 404), and `/config.json`, what the page needs to sign in and call the
 * API. The portal app client's loopback callback URLs follow the API's actual port.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendJson, sendText } from './http.js';

/** `packages/portal/dist`, from `packages/local/src` (tests) and `packages/local/dist` alike. */
export const DEFAULT_PORTAL_DIR = fileURLToPath(new URL('../../portal/dist/', import.meta.url));

/** What the page reads from `/config.json` (the portal's `PortalConfig`). */
export interface PortalConfig {
  readonly api: string;
  readonly region: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly cognitoIdp: string;
  readonly hostedUi: string;
  readonly tokenUse: 'id' | 'access';
  readonly adminGroup: string;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The portal client's callback URLs with every loopback one moved to the API's port: the page is
 * served by the API, so its `/callback` is wherever the API listens (`ports: 0` included).
 */
export function followApiPort(callbackUrls: readonly string[], apiPort: number): string[] {
  return callbackUrls.map((raw) => {
    const url = new URL(raw);
    if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) return raw;
    url.port = String(apiPort);
    return url.toString();
  });
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** The page's own paths (the app routes by `#`); anything else is a file of the build or a 404. */
const APP_PATHS = new Set(['/', '/index.html', '/callback']);

/** A file of the build (a path with an extension, inside the directory), else undefined. */
function fileUnder(root: string, path: string): string | undefined {
  const file = normalize(join(root, path));
  const inside = file.startsWith(root.endsWith(sep) ? root : root + sep);
  return inside && extname(file) !== '' ? file : undefined;
}

/** The page's own headers: no framing, no referrer (the callback's code never leaks onward). */
const PAGE_HEADERS = {
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

/**
 * A handler for GET/HEAD requests no API route took. Answers false for other methods and paths
 * (the API then answers its own 404/405).
 */
export function portalSite(dir: string, config: () => PortalConfig) {
  const root = normalize(dir);
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return false;
    }
    if (path === '/config.json') {
      sendJson(res, 200, config(), { 'cache-control': 'no-store' });
      return true;
    }
    const target = APP_PATHS.has(path) ? join(root, 'index.html') : fileUnder(root, path);
    if (target === undefined) return false;
    const body = await readFile(target).catch(() => undefined);
    if (body === undefined) {
      if (!APP_PATHS.has(path)) return false;
      sendText(
        res,
        404,
        'text/plain; charset=utf-8',
        'The portal is not built: run `npm run build` (it builds packages/portal).\n',
      );
      return true;
    }
    const type = TYPES[extname(target)] ?? 'application/octet-stream';
    const cache = target.includes(`${sep}assets${sep}`)
      ? 'public, max-age=31536000, immutable'
      : 'no-cache';
    res.writeHead(200, {
      'content-type': type,
      'content-length': body.length,
      'cache-control': cache,
      ...PAGE_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}

/**
 * The issuer's HTTP server: JWKS and OpenID discovery (at the root and under `/<poolId>`, as
 * Cognito serves them), the cognito-idp JSON API on `POST /`, and the hosted UI's OAuth2 routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LocalServer, listen, sendJson } from '../http.js';
import { handleCognitoApi, isCognitoApiRequest } from './cognito-idp.js';
import type { KeyRing } from './keys.js';
import { handleOAuth2 } from './oauth2.js';
import type { UserPool } from './pool.js';

export interface IssuerServer extends LocalServer {
  readonly jwksUrl: string;
}

export async function startIssuer(
  pool: UserPool,
  keys: KeyRing,
  options: { port: number; fallbackToRandom: boolean },
): Promise<IssuerServer> {
  let base = '';
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    if (allowCors(req, res)) return;
    if (url.pathname === '/' && isCognitoApiRequest(req)) {
      return handleCognitoApi(req, res, pool, keys);
    }
    const prefix = `/${pool.userPoolId}`;
    const path = url.pathname.startsWith(`${prefix}/`)
      ? url.pathname.slice(prefix.length)
      : url.pathname;
    if (req.method === 'GET' && path === '/.well-known/jwks.json') {
      return sendJson(res, 200, keys.jwks(), { 'cache-control': 'max-age=60' });
    }
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      return sendJson(res, 200, discovery(pool, base));
    }
    if (await handleOAuth2(req, res, url, pool, keys)) return;
    sendJson(res, 404, {
      error: 'not_found',
      message: `${req.method} ${url.pathname} is not served here`,
    });
  };
  const server = await listen(handler, { ...options, name: 'issuer' });
  base = server.url;
  return { ...server, jwksUrl: `${server.url}/.well-known/jwks.json` };
}

/**
 * As Cognito: the cognito-idp API and the token endpoint answer pages of any origin (a single-page
 * app exchanges its code and refreshes from the browser). True when the request was a preflight.
 */
function allowCors(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.headers.origin === undefined) return false;
  res.setHeader('access-control-allow-origin', '*');
  if (req.method !== 'OPTIONS') return false;
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST',
    'access-control-allow-headers': 'authorization, content-type, x-amz-target, x-amz-user-agent',
    'access-control-max-age': '600',
  });
  res.end();
  return true;
}

function discovery(pool: UserPool, base: string): unknown {
  return {
    issuer: pool.issuer,
    jwks_uri: `${base}/${pool.userPoolId}/.well-known/jwks.json`,
    authorization_endpoint: `${base}/oauth2/authorize`,
    token_endpoint: `${base}/oauth2/token`,
    userinfo_endpoint: `${base}/oauth2/userInfo`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: ['openid', 'email', 'phone', 'profile'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
  };
}

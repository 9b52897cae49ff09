/**
 * The hosted UI's OAuth2 endpoints: `/oauth2/authorize` (a login form, then a redirect with a
 * code), `/login` (the form's POST), `/oauth2/token` (authorization_code with PKCE S256, and
 * refresh_token), `/oauth2/userInfo`. Public clients: PKCE is required on every code.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseForm, readBody, safeEqual, sendJson, sendText } from '../http.js';
import { verifyAccessToken } from './cognito-idp.js';
import type { KeyRing } from './keys.js';
import type { UserPool } from './pool.js';

const MAX_BODY = 64 * 1024;

type OAuthError =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

interface AuthorizeParams {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string | undefined;
  readonly scope: string;
  readonly codeChallenge: string;
  readonly nonce: string | undefined;
}

export async function handleOAuth2(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  pool: UserPool,
  keys: KeyRing,
): Promise<boolean> {
  const path = url.pathname;
  if (path === '/oauth2/authorize' && req.method === 'GET') {
    const params = checkAuthorize(Object.fromEntries(url.searchParams), pool, res);
    if (params) loginPage(res, 200, params, undefined);
    return true;
  }
  if (path === '/login' && req.method === 'POST') {
    const form = parseForm((await readBody(req, MAX_BODY)).toString('utf8'));
    const params = checkAuthorize(form, pool, res);
    if (!params) return true;
    const user = pool.authenticate(form.username ?? '', form.password ?? '');
    if (!user) {
      loginPage(res, 401, params, 'Incorrect username or password.');
      return true;
    }
    const code = pool.issueCode({
      username: user.username,
      clientId: params.clientId,
      redirectUri: params.redirectUri,
      scope: params.scope,
      codeChallenge: params.codeChallenge,
      nonce: params.nonce,
      authTime: Math.floor(Date.now() / 1000),
    });
    redirect(res, params.redirectUri, { code, state: params.state });
    return true;
  }
  if (path === '/oauth2/token' && req.method === 'POST') {
    await token(req, res, pool);
    return true;
  }
  if (path === '/oauth2/userInfo' && req.method === 'GET') {
    const auth = req.headers.authorization ?? '';
    const claims = auth.startsWith('Bearer ')
      ? await verifyAccessToken(auth.slice(7), pool, keys)
      : undefined;
    const user = claims && pool.userBySub(String(claims.sub));
    if (!user) {
      sendJson(
        res,
        401,
        { error: 'invalid_token', error_description: 'Access token is not valid' },
        {
          'www-authenticate': 'Bearer error="invalid_token"',
        },
      );
      return true;
    }
    const attrs: Record<string, unknown> = { ...user.attributes };
    if ('email_verified' in attrs)
      attrs.email_verified = attrs.email_verified === 'true' ? 'true' : 'false';
    sendJson(res, 200, { sub: user.sub, ...attrs, username: user.username });
    return true;
  }
  return false;
}

/**
 * Validates authorize parameters. An unknown client or an unregistered redirect_uri gets an error
 * page (never a redirect to an unchecked URI); other problems redirect with `error`.
 */
function checkAuthorize(
  unverified: Record<string, string | undefined>,
  pool: UserPool,
  res: ServerResponse,
): AuthorizeParams | undefined {
  const client = pool.client(unverified.client_id ?? '');
  const redirectUri = unverified.redirect_uri ?? '';
  if (!client) {
    errorPage(res, 'invalid_client: unknown client_id');
    return undefined;
  }
  if (!client.callbackUrls.includes(redirectUri)) {
    errorPage(res, 'redirect_mismatch: redirect_uri is not registered for this client');
    return undefined;
  }
  const state = unverified.state;
  const fail = (error: OAuthError, description: string) => {
    redirect(res, redirectUri, { error, error_description: description, state });
    return undefined;
  };
  if (unverified.response_type !== 'code') {
    return fail('invalid_request', 'response_type must be code');
  }
  const scope = unverified.scope ?? client.scopes.join(' ');
  const unknownScope = scope.split(' ').find((s) => s && !client.scopes.includes(s));
  if (unknownScope)
    return fail('invalid_scope', `scope ${unknownScope} is not allowed for this client`);
  if (
    unverified.code_challenge_method !== 'S256' ||
    !/^[A-Za-z0-9_-]{43}$/.test(unverified.code_challenge ?? '')
  ) {
    return fail(
      'invalid_request',
      'PKCE is required: code_challenge (S256, base64url) and code_challenge_method=S256',
    );
  }
  return {
    clientId: client.clientId,
    redirectUri,
    state,
    scope,
    codeChallenge: unverified.code_challenge!,
    nonce: unverified.nonce,
  };
}

async function token(req: IncomingMessage, res: ServerResponse, pool: UserPool): Promise<void> {
  const fail = (error: OAuthError, description: string) =>
    sendJson(res, 400, { error, error_description: description }, { 'cache-control': 'no-store' });
  const contentType = req.headers['content-type'] ?? '';
  if (!contentType.startsWith('application/x-www-form-urlencoded')) {
    return fail('invalid_request', 'content-type must be application/x-www-form-urlencoded');
  }
  const form = parseForm((await readBody(req, MAX_BODY)).toString('utf8'));
  let clientId = form.client_id;
  const basic = req.headers.authorization;
  if (basic?.startsWith('Basic ')) {
    clientId = Buffer.from(basic.slice(6), 'base64').toString('utf8').split(':')[0];
  }
  const client = pool.client(clientId ?? '');
  if (!client) return fail('invalid_client', 'unknown client_id');

  switch (form.grant_type) {
    case 'authorization_code': {
      const code = pool.takeCode(form.code ?? '');
      if (!code || code.clientId !== client.clientId)
        return fail('invalid_grant', 'code is invalid or expired');
      if (form.redirect_uri !== code.redirectUri)
        return fail('invalid_grant', 'redirect_uri does not match');
      const verifier = form.code_verifier ?? '';
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) {
        return fail('invalid_request', 'code_verifier is required (43-128 characters)');
      }
      const computed = createHash('sha256').update(verifier).digest('base64url');
      if (!safeEqual(computed, code.codeChallenge)) {
        return fail('invalid_grant', 'code_verifier does not match the code_challenge');
      }
      const user = pool.user(code.username);
      if (!user) return fail('invalid_grant', 'user no longer exists');
      const tokens = await pool.mint(user, client, {
        scope: code.scope,
        authTime: code.authTime,
        ...(code.nonce ? { nonce: code.nonce } : {}),
        withRefresh: true,
      });
      return sendJson(
        res,
        200,
        {
          id_token: tokens.idToken,
          access_token: tokens.accessToken,
          refresh_token: tokens.refreshToken,
          expires_in: tokens.expiresIn,
          token_type: 'Bearer',
        },
        { 'cache-control': 'no-store' },
      );
    }
    case 'refresh_token': {
      const tokens = await pool.refreshTokens(form.refresh_token ?? '', client.clientId);
      if (!tokens) return fail('invalid_grant', 'refresh_token is invalid or expired');
      return sendJson(
        res,
        200,
        {
          id_token: tokens.idToken,
          access_token: tokens.accessToken,
          expires_in: tokens.expiresIn,
          token_type: 'Bearer',
        },
        { 'cache-control': 'no-store' },
      );
    }
    default:
      return fail(
        'unsupported_grant_type',
        'grant_type must be authorization_code or refresh_token',
      );
  }
}

function redirect(
  res: ServerResponse,
  base: string,
  params: Record<string, string | undefined>,
): void {
  const target = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) target.searchParams.set(k, v);
  res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store' });
  res.end();
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function errorPage(res: ServerResponse, message: string): void {
  sendText(
    res,
    400,
    'text/html; charset=utf-8',
    `<!doctype html><title>Error</title><p>${escapeHtml(message)}</p>`,
  );
}

function loginPage(
  res: ServerResponse,
  status: number,
  p: AuthorizeParams,
  error: string | undefined,
): void {
  const hidden = (name: string, value: string | undefined) =>
    value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in — Tessera local</title>
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}.error{color:#b00}</style>
</head><body>
<h1>Sign in</h1>
<p>Tessera local user pool. Users and passwords: <code>.tessera/local.json</code>.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
${hidden('response_type', 'code')}${hidden('client_id', p.clientId)}${hidden('redirect_uri', p.redirectUri)}${hidden('state', p.state)}${hidden('scope', p.scope)}${hidden('code_challenge', p.codeChallenge)}${hidden('code_challenge_method', 'S256')}${hidden('nonce', p.nonce)}
<label>Username <input name="username" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form></body></html>`;
  sendText(res, status, 'text/html; charset=utf-8', html, {
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    // form-action also governs where the form's answer may redirect (browsers enforce it on the
    // 302 to the client): the registered redirect URI's origin must be allowed beside 'self'.
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${new URL(p.redirectUri).origin}`,
  });
}

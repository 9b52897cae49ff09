/**
 * Signing in to a Cognito user pool: `InitiateAuth` (USER_PASSWORD_AUTH for scripts and the local
 * stack, REFRESH_TOKEN_AUTH), and the hosted UI's OAuth2 authorization code flow with PKCE S256
 * (`/oauth2/authorize`, `/oauth2/token`). The same calls work against the local issuer.
 */
import { LoginError, TesseraClientError } from './errors.js';
import { defaultFetch, type Fetch, requestJson } from './http.js';
import type { TokenSet } from './types.js';
import { webCrypto } from './webcrypto.js';

export interface PoolConfig {
  /** The pool's issuer (`iss`), e.g. `https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC`. */
  readonly issuer: string;
  readonly region: string;
  /** The app client (public: no secret). */
  readonly clientId: string;
  /** The cognito-idp endpoint; default `https://cognito-idp.<region>.amazonaws.com`. */
  readonly cognitoIdp?: string;
  /** The hosted UI's base URL (`https://<domain>.auth.<region>.amazoncognito.com`). */
  readonly hostedUi?: string;
  /** Which token the API accepts. */
  readonly tokenUse: 'id' | 'access';
  readonly scopes?: readonly string[];
}

interface CognitoAuthResult {
  AuthenticationResult?: {
    IdToken: string;
    AccessToken: string;
    RefreshToken?: string;
    ExpiresIn: number;
  };
  ChallengeName?: string;
}

function cognitoEndpoint(pool: PoolConfig): string {
  return (pool.cognitoIdp ?? `https://cognito-idp.${pool.region}.amazonaws.com`).replace(
    /\/+$/,
    '',
  );
}

async function initiateAuth(
  pool: PoolConfig,
  flow: 'USER_PASSWORD_AUTH' | 'REFRESH_TOKEN_AUTH',
  parameters: Record<string, string>,
  fetchFn: Fetch,
  now: number,
): Promise<TokenSet> {
  const endpoint = `${cognitoEndpoint(pool)}/`;
  const res = await fetchFn(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
    },
    body: JSON.stringify({ AuthFlow: flow, ClientId: pool.clientId, AuthParameters: parameters }),
  }).catch((err: unknown) => {
    throw new TesseraClientError(
      'NetworkError',
      `cannot reach ${new URL(endpoint).origin}: ${(err as Error).message}`,
    );
  });
  let body: CognitoAuthResult & { __type?: string } = {};
  try {
    body = JSON.parse(await res.text()) as typeof body;
  } catch {
    // not JSON: judged by the status below
  }
  const result = body.AuthenticationResult;
  if (!res.ok || !result) {
    const type =
      String(body.__type ?? '')
        .split('#')
        .pop() ?? '';
    if (flow === 'REFRESH_TOKEN_AUTH') {
      throw new LoginError(
        'RefreshFailed',
        `the session cannot be refreshed (${type || res.status}): sign in again`,
      );
    }
    if (type === 'NotAuthorizedException' || type === 'UserNotFoundException') {
      throw new LoginError('NotAuthorized', 'incorrect username or password');
    }
    throw new LoginError(
      'TokenRequestFailed',
      body.ChallengeName
        ? `the pool asks for the ${body.ChallengeName} challenge, which this client does not answer: use the browser login`
        : `sign-in failed (${type || res.status})`,
    );
  }
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    ...(result.RefreshToken ? { refreshToken: result.RefreshToken } : {}),
    expiresAt: now + result.ExpiresIn * 1000,
  };
}

export function passwordLogin(
  pool: PoolConfig,
  username: string,
  password: string,
  options: { fetch?: Fetch; now?: () => number } = {},
): Promise<TokenSet> {
  const fetchFn = options.fetch ?? defaultFetch;
  return initiateAuth(
    pool,
    'USER_PASSWORD_AUTH',
    { USERNAME: username, PASSWORD: password },
    fetchFn,
    (options.now ?? Date.now)(),
  );
}

/** New ID and access tokens; the refresh token is kept (Cognito does not rotate it by default). */
export async function refreshTokens(
  pool: PoolConfig,
  refreshToken: string,
  options: { fetch?: Fetch; now?: () => number } = {},
): Promise<TokenSet> {
  const fetchFn = options.fetch ?? defaultFetch;
  const tokens = await initiateAuth(
    pool,
    'REFRESH_TOKEN_AUTH',
    { REFRESH_TOKEN: refreshToken },
    fetchFn,
    (options.now ?? Date.now)(),
  );
  return { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken };
}

/** What a login remembers between sending the browser away and its coming back. */
export interface AuthorizationRequest {
  readonly url: string;
  readonly redirectUri: string;
  readonly state: string;
  readonly codeVerifier: string;
}

function randomUrlSafe(bytes: number): string {
  const raw = webCrypto().getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

async function s256(verifier: string): Promise<string> {
  const digest = await webCrypto().subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return btoa(String.fromCharCode(...new Uint8Array(digest)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function hostedUi(pool: PoolConfig): string {
  if (!pool.hostedUi)
    throw new LoginError('TokenRequestFailed', 'the pool has no hosted UI configured');
  return pool.hostedUi.replace(/\/+$/, '');
}

/** The `/oauth2/authorize` URL with a fresh `state` and PKCE S256 challenge. */
export async function authorizationRequest(
  pool: PoolConfig,
  redirectUri: string,
): Promise<AuthorizationRequest> {
  const state = randomUrlSafe(24);
  const codeVerifier = randomUrlSafe(48);
  const url = new URL(`${hostedUi(pool)}/oauth2/authorize`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', pool.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', (pool.scopes ?? ['openid', 'email', 'profile']).join(' '));
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', await s256(codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  return { url: url.toString(), redirectUri, state, codeVerifier };
}

/**
 * Completes a login from the URL the browser was redirected to: checks `state` (constant work is
 * not needed: it is not a secret the attacker can probe), refuses `error=`, and exchanges the code
 * with the PKCE verifier.
 */
export async function completeAuthorization(
  pool: PoolConfig,
  request: AuthorizationRequest,
  unverifiedRedirect: URL,
  options: { fetch?: Fetch; now?: () => number } = {},
): Promise<TokenSet> {
  const params = unverifiedRedirect.searchParams;
  if (params.get('state') !== request.state) {
    throw new LoginError(
      'StateMismatch',
      'the sign-in answer does not belong to this login (state differs)',
    );
  }
  const error = params.get('error');
  if (error) {
    throw new LoginError(
      'AuthorizationDenied',
      `${error}: ${params.get('error_description') ?? ''}`.trim(),
    );
  }
  const code = params.get('code');
  if (!code) throw new LoginError('AuthorizationDenied', 'the sign-in answer has no code');
  const fetchFn = options.fetch ?? defaultFetch;
  const now = (options.now ?? Date.now)();
  let res: Awaited<ReturnType<typeof requestJson<Record<string, unknown>>>>;
  try {
    res = await requestJson<Record<string, unknown>>(fetchFn, `${hostedUi(pool)}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: pool.clientId,
        code,
        redirect_uri: request.redirectUri,
        code_verifier: request.codeVerifier,
      }).toString(),
    });
  } catch (err) {
    throw new LoginError(
      'TokenRequestFailed',
      `the token endpoint refused the code (${(err as Error).message})`,
    );
  }
  const b = res.body;
  if (typeof b.id_token !== 'string' || typeof b.access_token !== 'string') {
    throw new LoginError('TokenRequestFailed', 'the token endpoint answered without tokens');
  }
  return {
    idToken: b.id_token,
    accessToken: b.access_token,
    ...(typeof b.refresh_token === 'string' ? { refreshToken: b.refresh_token } : {}),
    expiresAt: now + Number(b.expires_in ?? 3600) * 1000,
  };
}

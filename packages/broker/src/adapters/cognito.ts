/**
 * The Cognito token verifier: aws-jwt-verify's `CognitoJwtVerifier` over several user pools, each
 * with its client ids and token use. It checks signature, `iss`, `exp`/`nbf` (with a small
 * leeway), `token_use` and `aud`/`client_id`. `tokenUse` defaults to `'access'`; accepting both
 * needs an explicit `null`.
 *
 * A pool may name its own `jwksUri` (the local stack's issuer) and/or hand a JWKS to hydrate the
 * cache at init. Both act only on where keys come from — the fetcher maps the pool's Cognito JWKS
 * address to the override — so every check is the same code in production and locally.
 *
 * JWKS cache (aws-jwt-verify's SimpleJwksCache): key the JWKS URI, value the parsed JWKS, no TTL
 * (keys rotate rarely); an unknown `kid` refetches, at most once per 10 s per URI (its penalty box).
 * Why: no fetch on the warm path, bounded refetch under attack.
 */
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  FetchError,
  JwksNotAvailableInCacheError,
  JwksValidationError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  ParameterValidationError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import { type Jwks, SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { TokenError, type TokenErrorCode } from '../errors.js';
import type { TokenVerifier } from '../ports.js';
import { checkTokenShape, checkVerifiedClaims, type TokenShapeResult } from '../token-shape.js';
import type { VerifiedToken } from '../types.js';

export interface CognitoPool {
  readonly userPoolId: string;
  /** At least one. */
  readonly clientIds: readonly string[];
  /** Default `'access'`; `null` accepts ID and access tokens (explicit). */
  readonly tokenUse?: 'id' | 'access' | null;
  /** Where this pool's JWKS is fetched from instead of Cognito (the local stack). */
  readonly jwksUri?: string;
  /** A JWKS loaded into the cache at init. */
  readonly jwks?: unknown;
}

export interface CognitoVerifierOptions {
  /** Clock-skew leeway for exp/nbf/iat, seconds. Default 5. */
  readonly graceSeconds?: number;
  /** Milliseconds since the epoch, for the checks beyond aws-jwt-verify's. Default Date.now. */
  readonly now?: () => number;
}

/** The Cognito JWKS addresses aws-jwt-verify uses for a pool (region and global issuer formats). */
function cognitoJwksUris(userPoolId: string): string[] {
  const region = userPoolId.split('_')[0];
  return [
    CognitoJwtVerifier.parseUserPoolId(userPoolId).jwksUri,
    CognitoJwtVerifier.parseUserPoolId(
      userPoolId,
      `https://issuer-cognito-idp.${region}.amazonaws.com/${userPoolId}`,
    ).jwksUri,
  ];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An override must be https, or plain http on a loopback address (the local stack). */
function checkJwksOverride(uri: string): URL {
  const url = new URL(uri);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    return url;
  throw new Error(`jwksUri ${uri} must be https, or http on a loopback address`);
}

/**
 * Fetches a pool's JWKS from its override address; everything else as usual. aws-jwt-verify's
 * fetcher speaks https only, so a loopback http override is fetched with Node's fetch (same
 * timeout); the response is parsed and checked by aws-jwt-verify either way.
 */
class RedirectingFetcher extends SimpleFetcher {
  readonly #redirects: ReadonlyMap<string, URL>;
  constructor(redirects: ReadonlyMap<string, URL>) {
    super();
    this.#redirects = redirects;
  }
  override async fetch(
    uri: string,
    requestOptions?: Record<string, unknown>,
    data?: ArrayBuffer,
  ): Promise<ArrayBuffer> {
    const target = this.#redirects.get(uri);
    if (target?.protocol === 'http:') {
      // Failures as aws-jwt-verify's own fetcher reports them (FetchError): the JWKS endpoint is
      // unavailable (503), not the token invalid.
      let res: Response;
      try {
        res = await fetch(target, { signal: AbortSignal.timeout(3000) });
      } catch (err) {
        throw new FetchError(target.href, (err as Error)?.name ?? 'fetch failed');
      }
      if (!res.ok) throw new FetchError(target.href, `Status code is ${res.status}, expected 200`);
      return res.arrayBuffer();
    }
    return super.fetch(target?.href ?? uri, requestOptions, data);
  }
}

function codeOf(err: unknown): TokenErrorCode {
  if (err instanceof JwtExpiredError) return 'TokenExpired';
  if (err instanceof JwtNotBeforeError) return 'TokenNotYetValid';
  if (err instanceof JwtInvalidIssuerError) return 'TokenIssuerUnknown';
  if (err instanceof CognitoJwtInvalidClientIdError || err instanceof JwtInvalidAudienceError)
    return 'TokenAudienceMismatch';
  if (err instanceof CognitoJwtInvalidTokenUseError) return 'TokenUseMismatch';
  if (
    err instanceof JwtInvalidSignatureError ||
    err instanceof JwtInvalidSignatureAlgorithmError ||
    err instanceof KidNotFoundInJwksError ||
    err instanceof WaitPeriodNotYetEndedJwkError ||
    err instanceof JwtWithoutValidKidError
  ) {
    return 'TokenSignatureInvalid';
  }
  if (err instanceof JwtParseError) return 'TokenMalformed';
  // The pool's JWKS could not be read, or was not a JWKS: the issuer's side, never the token's.
  if (
    err instanceof FetchError ||
    err instanceof JwksNotAvailableInCacheError ||
    err instanceof JwksValidationError
  )
    return 'JwksUnavailable';
  // At verify time aws-jwt-verify throws this only when the token's `iss` is none of the pools.
  if (err instanceof ParameterValidationError) return 'TokenIssuerUnknown';
  return 'TokenInvalid';
}

function refuseUnless(result: TokenShapeResult): void {
  if (!result.ok)
    throw new TokenError(result.code, 'the token is not valid', { cause: result.detail });
}

export class CognitoTokenVerifier implements TokenVerifier {
  readonly #verifier: ReturnType<
    typeof CognitoJwtVerifier.create<{
      userPoolId: string;
      clientId: string[];
      tokenUse: 'id' | 'access' | null;
    }>
  >;
  readonly #pools: readonly CognitoPool[];
  readonly #graceSeconds: number;
  readonly #now: () => number;

  constructor(pools: readonly CognitoPool[], options: CognitoVerifierOptions = {}) {
    if (pools.length === 0) throw new Error('CognitoTokenVerifier needs at least one user pool');
    const redirects = new Map<string, URL>();
    for (const pool of pools) {
      if (pool.clientIds.length === 0)
        throw new Error(`user pool ${pool.userPoolId} needs at least one client id`);
      if (pool.jwksUri) {
        const target = checkJwksOverride(pool.jwksUri);
        for (const uri of cognitoJwksUris(pool.userPoolId)) redirects.set(uri, target);
      }
    }
    this.#pools = pools;
    this.#graceSeconds = options.graceSeconds ?? 5;
    this.#now = options.now ?? Date.now;
    this.#verifier = CognitoJwtVerifier.create(
      pools.map((p) => ({
        userPoolId: p.userPoolId,
        clientId: [...p.clientIds],
        tokenUse: p.tokenUse === undefined ? ('access' as const) : p.tokenUse,
        graceSeconds: this.#graceSeconds,
      })),
      { jwksCache: new SimpleJwksCache({ fetcher: new RedirectingFetcher(redirects) }) },
    );
    for (const pool of pools) {
      if (pool.jwks !== undefined) this.#verifier.cacheJwks(pool.jwks as Jwks, pool.userPoolId);
    }
  }

  /** Load every pool's JWKS now (init), so no request waits on a fetch. */
  async warm(): Promise<void> {
    if (this.#pools.some((p) => p.jwks === undefined)) await this.#verifier.hydrate();
  }

  async verify(rawToken: string): Promise<VerifiedToken> {
    refuseUnless(checkTokenShape(rawToken));
    let payload: Record<string, unknown>;
    try {
      payload = (await this.#verifier.verify(rawToken)) as unknown as Record<string, unknown>;
    } catch (err) {
      throw new TokenError(codeOf(err), 'the token is not valid', { cause: err });
    }
    refuseUnless(checkVerifiedClaims(payload, this.#now() / 1000, this.#graceSeconds));
    const issuer = String(payload['iss']);
    const tokenUse = payload['token_use'] === 'id' ? 'id' : 'access';
    const clientId = String(tokenUse === 'id' ? payload['aud'] : payload['client_id']);
    const username = payload['cognito:username'] ?? payload['username'];
    // Access tokens carry the user name as `username`; expose it under the ID token's name too,
    // so bindings can use `token:cognito:username` for either token.
    const claims =
      typeof payload['cognito:username'] !== 'string' && typeof payload['username'] === 'string'
        ? { ...payload, 'cognito:username': payload['username'] }
        : payload;
    return {
      issuer,
      userPoolId: issuer.slice(issuer.lastIndexOf('/') + 1),
      clientId,
      tokenUse,
      subject: String(payload['sub']),
      username: typeof username === 'string' ? username : undefined,
      claims,
    };
  }
}

/**
 * The IAM OIDC identity providers the local STS trusts, and how it validates a web identity token
 * against one, as STS does for AssumeRoleWithWebIdentity: the provider is found by the token's
 * `iss` in the role's account; its discovery document and JWKS are fetched (over HTTP, from where
 * the local stack serves them) and the token's signature, `iss`, `aud` (one of the provider's
 * client ids) and `exp`/`nbf` are checked. Each failure is STS's error code.
 *
 * Cache (per provider): key the issuer; value its JWKS; TTL 60 s; an unknown `kid` refetches at
 * most once per 5 s; why: STS caches the provider's keys too, and a fetch per call would dominate.
 * Bounded by the registered providers (a handful), never by token input.
 */
import { createLocalJWKSet, decodeJwt, errors, type JWTPayload, jwtVerify } from 'jose';
import { QueryError } from '../query.js';

export interface OidcProviderEntry {
  /** The issuer URL exactly as tokens carry it in `iss`. */
  readonly issuer: string;
  /** The account the provider is created in (`arn:aws:iam::<account>:oidc-provider/<key>`). */
  readonly account: string;
  /** The provider's client ids (audiences). */
  readonly clientIds: readonly string[];
  /** Where the issuer's origin is served locally (e.g. the local API's URL). */
  readonly servedAt: () => string;
}

export interface VerifiedWebIdentity {
  readonly provider: OidcProviderEntry;
  readonly providerArn: string;
  /** The provider key: the issuer without `https://`. */
  readonly providerKey: string;
  readonly payload: JWTPayload;
  readonly audience: string;
}

const JWKS_TTL_MS = 60_000;
const KID_REFETCH_MS = 5_000;

const invalid = (message: string) => new QueryError('InvalidIdentityToken', 400, message);
const unreachable = (message: string) => new QueryError('IDPCommunicationError', 400, message);

export function providerKeyOf(issuer: string): string {
  return issuer.replace(/^https:\/\//, '').replace(/\/+$/, '');
}

interface CachedJwks {
  readonly keys: ReturnType<typeof createLocalJWKSet>;
  readonly kids: ReadonlySet<string>;
  readonly fetchedAt: number;
}

export class OidcProviders {
  readonly #providers: readonly OidcProviderEntry[];
  readonly #cache = new Map<string, CachedJwks>();

  constructor(providers: readonly OidcProviderEntry[]) {
    this.#providers = providers;
  }

  /** Validates `rawToken` for a role in `account`. Throws QueryError with STS's codes. */
  async verify(rawToken: string, account: string, now: number): Promise<VerifiedWebIdentity> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(rawToken);
    } catch {
      throw invalid("Couldn't parse the web identity token.");
    }
    const iss = typeof unverified.iss === 'string' ? unverified.iss : '';
    const provider = this.#providers.find(
      (p) => p.account === account && providerKeyOf(p.issuer) === providerKeyOf(iss),
    );
    if (!provider) {
      throw invalid(`No OpenIDConnect provider found in your account for ${iss}`);
    }
    const jwks = await this.#jwks(provider, rawToken, now);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(rawToken, jwks.keys, {
        issuer: provider.issuer,
        currentDate: new Date(now),
      }));
    } catch (err) {
      throw this.#mapVerifyError(err, unverified, now);
    }
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const audience = aud.find(
      (a): a is string => typeof a === 'string' && provider.clientIds.includes(a),
    );
    if (aud.length !== 1 || audience === undefined) throw invalid('Incorrect token audience');
    return {
      provider,
      providerArn: `arn:aws:iam::${account}:oidc-provider/${providerKeyOf(provider.issuer)}`,
      providerKey: providerKeyOf(provider.issuer),
      payload,
      audience,
    };
  }

  #mapVerifyError(err: unknown, unverified: JWTPayload, now: number): QueryError {
    if (err instanceof errors.JWTExpired) {
      const exp = new Date((unverified.exp ?? 0) * 1000).toUTCString();
      return new QueryError(
        'ExpiredTokenException',
        400,
        `Token expired: current date/time ${new Date(now).toUTCString()} must be before the expiration date/time ${exp}`,
      );
    }
    if (err instanceof errors.JWTClaimValidationFailed)
      return invalid(`Token claim invalid: ${err.claim}`);
    return invalid('The web identity token signature could not be verified.');
  }

  async #jwks(provider: OidcProviderEntry, rawToken: string, now: number): Promise<CachedJwks> {
    const kid = headerKid(rawToken);
    const cached = this.#cache.get(provider.issuer);
    const fresh = cached && now - cached.fetchedAt < JWKS_TTL_MS;
    const knowsKid = cached && (kid === undefined || cached.kids.has(kid));
    if (cached && fresh && (knowsKid || now - cached.fetchedAt < KID_REFETCH_MS)) return cached;
    const fetched = await this.#fetchJwks(provider, now);
    this.#cache.set(provider.issuer, fetched);
    return fetched;
  }

  async #fetchJwks(provider: OidcProviderEntry, now: number): Promise<CachedJwks> {
    const discovery = (await this.#get(
      provider,
      `${provider.issuer}/.well-known/openid-configuration`,
    )) as {
      issuer?: unknown;
      jwks_uri?: unknown;
    };
    if (discovery.issuer !== provider.issuer || typeof discovery.jwks_uri !== 'string') {
      throw unreachable(
        'The OpenID configuration of the provider does not name its issuer and JWKS.',
      );
    }
    const jwks = (await this.#get(provider, discovery.jwks_uri)) as { keys?: unknown };
    if (!Array.isArray(jwks.keys)) throw unreachable('The provider JWKS has no keys.');
    const keys = jwks.keys as { kid?: string }[];
    return {
      keys: createLocalJWKSet({ keys: keys as never }),
      kids: new Set(keys.map((k) => k.kid ?? '')),
      fetchedAt: now,
    };
  }

  /** GETs a URL of the issuer's origin from where it is served locally. */
  async #get(provider: OidcProviderEntry, url: string): Promise<unknown> {
    const issuerOrigin = new URL(provider.issuer).origin;
    const target = new URL(url);
    if (target.origin !== issuerOrigin) {
      throw unreachable(`${url} is not on the provider's origin ${issuerOrigin}`);
    }
    const local = new URL(`${target.pathname}${target.search}`, provider.servedAt());
    try {
      const res = await fetch(local, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return await res.json();
    } catch {
      throw unreachable(`Couldn't retrieve ${url} from the identity provider.`);
    }
  }
}

function headerKid(rawToken: string): string | undefined {
  try {
    const header = JSON.parse(
      Buffer.from(rawToken.split('.')[0] ?? '', 'base64url').toString('utf8'),
    ) as {
      kid?: unknown;
    };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

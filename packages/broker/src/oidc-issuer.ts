/**
 * Tessera as an OIDC issuer: the keys it signs with (a port over the rotation schedule) and the two
 * public documents AWS reads when a role trusts it — the OpenID discovery document and the JWKS.
 * Pure: documents are values; the HTTP handler serves them.
 */
import {
  activeKey,
  type KeyScheduleOptions,
  publishedKeys,
  type ScheduledKey,
} from './key-rotation.js';
import type { PublicJwk, Signer } from './signer.js';
import { WEB_IDENTITY_TOKEN_SECONDS } from './web-identity-token.js';

/** The issuer's keys at an instant. */
export interface SigningKeys {
  /** The key that signs now. Throws SignerError('NoSigningKey'). */
  active(now: Date): Signer;
  /** The keys a verifier must know now, newest first. */
  published(now: Date): readonly PublicJwk[];
}

/** SigningKeys over a fixed list of scheduled keys (KMS keys from the configuration; tests). */
export function scheduledKeys(
  keys: readonly ScheduledKey[],
  options: KeyScheduleOptions = { tokenLifetimeSeconds: WEB_IDENTITY_TOKEN_SECONDS },
): SigningKeys {
  return {
    active: (now) => activeKey(keys, now),
    published: (now) => publishedKeys(keys, now, options),
  };
}

/** `<issuer>/.well-known/openid-configuration` and `<issuer>/.well-known/jwks.json`. */
export function wellKnownUrls(issuer: string): { discovery: string; jwks: string } {
  const base = issuer.replace(/\/+$/, '');
  return {
    discovery: `${base}/.well-known/openid-configuration`,
    jwks: `${base}/.well-known/jwks.json`,
  };
}

/**
 * The OpenID Provider Metadata (OpenID Connect Discovery 1.0 §3) of an issuer that only mints
 * ID-token-shaped JWTs for STS: no authorization or token endpoint is offered.
 */
export function discoveryDocument(
  issuer: string,
  keys: readonly PublicJwk[],
): Record<string, unknown> {
  const algs = [...new Set(keys.map((k) => k.alg))].sort();
  return {
    issuer,
    jwks_uri: wellKnownUrls(issuer).jwks,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: algs.length > 0 ? algs : ['RS256'],
    claims_supported: ['iss', 'aud', 'sub', 'iat', 'nbf', 'exp', 'jti'],
  };
}

export function jwksDocument(keys: readonly PublicJwk[]): { keys: readonly PublicJwk[] } {
  return { keys };
}

/**
 * The AWS provider key of an issuer: its URL without `https://` (and without a trailing `/`). It
 * names the IAM OIDC provider (`arn:aws:iam::<account>:oidc-provider/<key>`) and prefixes the
 * trust-policy condition keys (`<key>:aud`, `<key>:sub`).
 */
export function providerKey(issuer: string): string {
  return issuer.replace(/^https:\/\//, '').replace(/\/+$/, '');
}

export function oidcProviderArn(account: string, issuer: string): string {
  return `arn:aws:iam::${account}:oidc-provider/${providerKey(issuer)}`;
}

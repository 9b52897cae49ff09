/**
 * The signer port of Tessera's own OIDC issuer (the web-identity vendor): a key that signs a JWS
 * signing input and publishes its public JWK. The private key never leaves the signer (KMS in AWS,
 * a key file under `.tessera/` locally). Pure: the port, the errors and the key id rule.
 */
import { createHash } from 'node:crypto';

export type SigningAlgorithm = 'RS256' | 'ES256';

/** A public signing key as published in the JWKS (RFC 7517). */
export type PublicJwk =
  | {
      readonly kty: 'RSA';
      readonly kid: string;
      readonly alg: 'RS256';
      readonly use: 'sig';
      readonly n: string;
      readonly e: string;
    }
  | {
      readonly kty: 'EC';
      readonly kid: string;
      readonly alg: 'ES256';
      readonly use: 'sig';
      readonly crv: 'P-256';
      readonly x: string;
      readonly y: string;
    };

export interface Signer {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /**
   * The JWS signature of `signingInput` (`base64url(header).base64url(payload)` as bytes), in JWS
   * form (ES256: the 64-byte r||s, not DER). Throws SignerError.
   */
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
  /** The public key, with this signer's `kid`, `alg` and `use: "sig"`. */
  readonly publicJwk: PublicJwk;
}

export type SignerErrorCode =
  /** The key service failed or refused (KMS throttled, disabled key, network). */
  | 'SignerUnavailable'
  /** No key may sign at this instant (every key is still pending, or none is configured). */
  | 'NoSigningKey';

export class SignerError extends Error {
  override readonly name = 'SignerError';
  constructor(
    readonly code: SignerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/**
 * The key id of a public key: its RFC 7638 JWK thumbprint (SHA-256, base64url). One rule for the
 * file signer and KMS, so a key's id is a function of the key, never of where it is kept.
 */
export function jwkThumbprint(
  jwk: { kty: 'RSA'; n: string; e: string } | { kty: 'EC'; crv: string; x: string; y: string },
): string {
  // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
  const canonical =
    jwk.kty === 'RSA'
      ? `{"e":"${jwk.e}","kty":"RSA","n":"${jwk.n}"}`
      : `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

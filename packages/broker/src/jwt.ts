/**
 * Compact JWS (RFC 7515) signing through the Signer port: the header names the signer's `alg` and
 * `kid`; the signature comes from the key service. Pure apart from the port.
 */
import type { Signer } from './signer.js';

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** `header.payload.signature`, signed by `signer`. Throws SignerError. */
export async function signJwt(
  signer: Signer,
  claims: Readonly<Record<string, unknown>>,
): Promise<string> {
  const signingInput = `${b64url({ alg: signer.alg, kid: signer.kid, typ: 'JWT' })}.${b64url(claims)}`;
  const signature = await signer.sign(new TextEncoder().encode(signingInput));
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
}

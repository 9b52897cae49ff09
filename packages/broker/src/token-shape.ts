/**
 * Checks on a bearer token that aws-jwt-verify leaves open, as an explicit layer around it:
 *
 * Before the signature (`checkTokenShape`), on the unverified text:
 * - the JWS compact serialization's exact grammar (RFC 7515 §7.1, §2: three base64url parts
 *   without padding), each part canonical — re-encoding its bytes gives the same text — so one
 *   token has one spelling and one audit hash (a signature with `==` appended is refused);
 * - at most 16 KiB (a Cognito token is a few KiB);
 * - header and payload are UTF-8 (RFC 7519 §7.2) JSON objects with no member written twice
 *   (RFC 7519 §4 allows refusing them; JSON.parse would keep the last silently);
 * - no `crit` (RFC 7515 §4.1.11: a recipient must refuse extensions it does not understand, and
 *   Tessera understands none) and no key carried by the token itself (`jwk`, `jku`, `x5u`, `x5c`:
 *   RFC 8725 §3.10 — keys come from the pool's JWKS only).
 *
 * After the signature (`checkVerifiedClaims`), on the verified payload:
 * - `exp` and `iat` are present numbers, `iat` not in the future beyond the leeway, and the
 *   lifetime `exp - iat` no longer than Cognito issues (1 day for ID and access tokens);
 * - `sub` is a non-empty string (it names the subject in every audit event and session).
 */
import { findDuplicateKeys } from '@tessera/policy';
import type { TokenErrorCode } from './errors.js';

/** The largest bearer token read at all, in characters (bytes: the grammar is ASCII). */
export const MAX_TOKEN_CHARS = 16 * 1024;
/** Cognito's longest ID/access token validity. */
export const MAX_TOKEN_LIFETIME_SECONDS = 86_400;

export type TokenShapeResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: TokenErrorCode; readonly detail: string };

const OK: TokenShapeResult = { ok: true };
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const EMBEDDED_KEY_PARAMETERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;
const utf8 = new TextDecoder('utf-8', { fatal: true });

const refuse = (code: TokenErrorCode, detail: string): TokenShapeResult => ({
  ok: false,
  code,
  detail,
});

/** The bytes of one canonical base64url part, or undefined. */
function decodePart(part: string): Buffer | undefined {
  if (!BASE64URL.test(part) || part.length % 4 === 1) return undefined;
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : undefined;
}

/** A JSON object read from UTF-8 bytes, refusing duplicate members; undefined otherwise. */
function readJsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  let text: string;
  let value: unknown;
  try {
    // A view of the bytes, not a copy.
    text = utf8.decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (findDuplicateKeys(text).length > 0) return undefined;
  return value as Record<string, unknown>;
}

function checkHeader(header: Record<string, unknown>): TokenShapeResult {
  if (Object.hasOwn(header, 'crit')) return refuse('TokenMalformed', 'header has crit');
  for (const name of EMBEDDED_KEY_PARAMETERS) {
    if (Object.hasOwn(header, name)) return refuse('TokenMalformed', `header carries ${name}`);
  }
  return OK;
}

/** Grammar and header checks on the unverified token text. */
export function checkTokenShape(unverifiedToken: string): TokenShapeResult {
  if (unverifiedToken.length > MAX_TOKEN_CHARS) return refuse('TokenMalformed', 'token too long');
  const parts = unverifiedToken.split('.');
  if (parts.length !== 3) return refuse('TokenMalformed', 'not three parts');
  const decoded = parts.map(decodePart);
  const [headerBytes, payloadBytes, signatureBytes] = decoded;
  if (!headerBytes || !payloadBytes || !signatureBytes)
    return refuse('TokenMalformed', 'a part is not canonical base64url');
  const header = readJsonObject(headerBytes);
  if (!header) return refuse('TokenMalformed', 'header is not a UTF-8 JSON object');
  if (!readJsonObject(payloadBytes))
    return refuse('TokenMalformed', 'payload is not a UTF-8 JSON object');
  return checkHeader(header);
}

const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** Claim checks on a payload whose signature, issuer, audience and exp/nbf were verified. */
export function checkVerifiedClaims(
  payload: Readonly<Record<string, unknown>>,
  nowSeconds: number,
  leewaySeconds: number,
): TokenShapeResult {
  const { exp, iat, sub } = payload;
  if (!isFiniteNumber(exp)) return refuse('TokenInvalid', 'exp missing');
  if (!isFiniteNumber(iat)) return refuse('TokenInvalid', 'iat missing');
  if (iat > nowSeconds + leewaySeconds) return refuse('TokenNotYetValid', 'iat in the future');
  if (exp - iat > MAX_TOKEN_LIFETIME_SECONDS) return refuse('TokenInvalid', 'lifetime too long');
  if (typeof sub !== 'string' || sub === '') return refuse('TokenInvalid', 'sub missing');
  return OK;
}

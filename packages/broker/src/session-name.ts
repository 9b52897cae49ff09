/**
 * RoleSessionName from the verified identity, never random: `<username>-<suffix>` where the
 * suffix is the first 10 hex digits of SHA-256 over `iss`, `sub` and the token's own identity
 * (`jti`, else `origin_jti`, else `iat`). The same token always gives the same name; two tokens
 * (two sign-ins, two refreshes) give different names, so CloudTrail tells sessions apart. The
 * username is reduced to STS's charset `[\w+=,.@-]` and truncated so the whole fits 64 characters.
 */
import { createHash } from 'node:crypto';
import type { VerifiedToken } from './types.js';

const SUFFIX_LENGTH = 10;
const MAX_LENGTH = 64;

export function sessionName(token: VerifiedToken): string {
  const tokenIdentity = [token.claims['jti'], token.claims['origin_jti'], token.claims['iat']].find(
    (v) => typeof v === 'string' || typeof v === 'number',
  );
  const suffix = createHash('sha256')
    .update(JSON.stringify([token.issuer, token.subject, String(tokenIdentity ?? '')]))
    .digest('hex')
    .slice(0, SUFFIX_LENGTH);
  const base = (token.username ?? token.subject).replace(/[^\w+=,.@-]/g, '_');
  const head = base.slice(0, MAX_LENGTH - SUFFIX_LENGTH - 1) || 'user';
  return `${head}-${suffix}`;
}

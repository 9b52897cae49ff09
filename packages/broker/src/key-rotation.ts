/**
 * Key rotation for Tessera's OIDC issuer, as a pure schedule over the configured keys. Each key
 * has the instant from which it signs (`signsFrom`). At any instant:
 *
 * | key                                            | signs | published in the JWKS |
 * |------------------------------------------------|-------|-----------------------|
 * | signsFrom in the future (pending)              | no    | yes: published before it signs, so a verifier's cached JWKS already holds it |
 * | newest with signsFrom <= now (active)          | yes   | yes                   |
 * | superseded at S (the next key's signsFrom)     | no    | until S + token lifetime + leeway: its last tokens still verify |
 * | superseded longer ago                          | no    | no                    |
 *
 * A rotation therefore adds a key with `signsFrom` at least one JWKS cache lifetime ahead; old keys
 * drop out by themselves once no token they signed can still be valid.
 */
import { type PublicJwk, type Signer, SignerError } from './signer.js';

export interface ScheduledKey {
  readonly signer: Signer;
  readonly signsFrom: Date;
}

export interface KeyScheduleOptions {
  /** The longest lifetime of a token the keys sign (the web-identity token's, 300 s). */
  readonly tokenLifetimeSeconds: number;
  /** Clock skew verifiers may allow past `exp`. Default 300 s. */
  readonly leewaySeconds?: number;
}

/** The keys in signing order (oldest first). */
function ordered(keys: readonly ScheduledKey[]): ScheduledKey[] {
  return [...keys].sort((a, b) => a.signsFrom.getTime() - b.signsFrom.getTime());
}

/** The key that signs at `now`; SignerError('NoSigningKey') when none may. */
export function activeKey(keys: readonly ScheduledKey[], now: Date): Signer {
  let active: ScheduledKey | undefined;
  for (const key of ordered(keys)) if (key.signsFrom.getTime() <= now.getTime()) active = key;
  if (!active) throw new SignerError('NoSigningKey', 'no key may sign yet');
  return active.signer;
}

/** The keys published at `now`, newest first (the table above). */
export function publishedKeys(
  keys: readonly ScheduledKey[],
  now: Date,
  options: KeyScheduleOptions,
): PublicJwk[] {
  const keepMs = (options.tokenLifetimeSeconds + (options.leewaySeconds ?? 300)) * 1000;
  const sorted = ordered(keys);
  const out: PublicJwk[] = [];
  sorted.forEach((key, i) => {
    const next = sorted[i + 1];
    const supersededAt = next && next.signsFrom.getTime() <= now.getTime() ? next.signsFrom : null;
    if (supersededAt === null || now.getTime() < supersededAt.getTime() + keepMs) {
      out.push(key.signer.publicJwk);
    }
  });
  return out.reverse();
}

/** Keys that may be deleted at `now` (no longer published and never to sign again). */
export function retiredKeys(
  keys: readonly ScheduledKey[],
  now: Date,
  options: KeyScheduleOptions,
): ScheduledKey[] {
  const published = new Set(publishedKeys(keys, now, options).map((k) => k.kid));
  return keys.filter((k) => !published.has(k.signer.kid));
}

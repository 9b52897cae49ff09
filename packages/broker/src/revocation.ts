/**
 * The kill switch, as pure functions over stored revocations: which revocation refuses a caller
 * now (the decide stage's `SubjectRevoked`), and which SourceIdentity values a revocation names
 * (what the target roles' managed deny policy matches, revocation-policy.ts).
 *
 * A revocation names the token's `sub`, its username, or both. It refuses new vends from
 * `revokedAt` until it is lifted or `until` passes. Sessions already issued carry a SourceIdentity
 * (the binding's, else the username, else the `sub`: decision.ts), which the managed deny policy
 * matches; a binding whose SourceIdentity renders another claim is not covered by that policy.
 */
import type { Revocation } from './schema/revocation.js';
import type { VerifiedToken } from './types.js';

export type { Revocation };

/** Where a revocation is in its life. */
export type RevocationState =
  /** Refusing new vends. */
  | 'active'
  /** Lifted by an administrator: new vends are allowed; earlier sessions stay denied. */
  | 'lifted'
  /** `until` has passed: as lifted, by itself. */
  | 'ended';

export function revocationState(revocation: Revocation, now: Date): RevocationState {
  if (revocation.liftedAt !== undefined) return 'lifted';
  if (revocation.until !== undefined && Date.parse(revocation.until) <= now.getTime()) {
    return 'ended';
  }
  return 'active';
}

/** The active revocation that names this caller (by `sub` or by username), if any. */
export function revocationOf(
  revocations: readonly Revocation[],
  token: Pick<VerifiedToken, 'issuer' | 'subject' | 'username'>,
  now: Date,
): Revocation | undefined {
  return revocations.find(
    (r) =>
      r.issuer === token.issuer &&
      revocationState(r, now) === 'active' &&
      ((r.subject !== undefined && r.subject === token.subject) ||
        (r.username !== undefined && r.username === token.username)),
  );
}

/** The SourceIdentity values a revocation denies: its username and its `sub`, as named. */
export function revokedIdentities(revocation: Revocation): string[] {
  return [revocation.username, revocation.subject].filter((v): v is string => v !== undefined);
}

/** What a revocation answer says: who, why, since and until when, and its state. */
export function describeRevocation(revocation: Revocation, now: Date) {
  return { ...revocation, state: revocationState(revocation, now) };
}

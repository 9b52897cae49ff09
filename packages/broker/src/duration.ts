/**
 * Session length: min(requested ?? binding default, binding max, role MaxSessionDuration,
 * 3600 s when the broker's own credentials are a role session). The answer names the bound
 * that clamped it; the first bound in that order wins a tie.
 */
import { STS_LIMITS } from './limits.js';
import { type Deny, deny, type Ok, ok } from './outcome.js';
import type { DurationBounds, ResolvedDuration, VendorKind } from './types.js';

export interface DurationInput {
  readonly requested: number | undefined;
  readonly binding: DurationBounds;
  readonly roleMaxSessionDuration: number;
  /** True when the broker calls AssumeRole with role-session credentials (Lambda). */
  readonly roleChaining: boolean;
}

/**
 * Validate a caller's requested duration (field `durationSeconds`): an integer from 900 to
 * 43,200, or absent. Anything else (a string, 1e400 read as Infinity, 1e-200) is a deny of the
 * verify stage; only a validated number goes on (and into the audit event).
 */
export function checkRequestedDuration(requested: unknown): Ok<number | undefined> | Deny {
  if (requested === undefined || requested === null) return ok(undefined);
  const field = { field: '/durationSeconds' };
  if (typeof requested !== 'number' || !Number.isInteger(requested) || requested <= 0) {
    return deny('verify', 'DurationInvalid', 'durationSeconds is not a positive integer', field);
  }
  if (requested < STS_LIMITS.minDurationSeconds) {
    return deny('verify', 'DurationTooShort', 'durationSeconds is under 900', field);
  }
  if (requested > STS_LIMITS.maxDurationSeconds) {
    return deny('verify', 'DurationInvalid', 'durationSeconds is over 43200', field);
  }
  return ok(requested);
}

/**
 * Does AWS's 1-hour role-chaining cap apply? Only to the AssumeRole vendor, and only when the
 * broker's own credentials are a role session; AssumeRoleWithWebIdentity is never role chaining.
 */
export function chainingCapApplies(vendor: VendorKind, brokerIsRoleSession: boolean): boolean {
  return vendor === 'assume-role' && brokerIsRoleSession;
}

export function resolveDuration(input: DurationInput): ResolvedDuration {
  let seconds = input.requested ?? input.binding.default;
  let clampedBy: ResolvedDuration['clampedBy'] = 'none';
  // bound -> name, applied in order; a strictly smaller bound takes over.
  const bounds: [number, ResolvedDuration['clampedBy']][] = [
    [input.binding.max, 'binding-max'],
    [input.roleMaxSessionDuration, 'role-max'],
    [
      input.roleChaining ? STS_LIMITS.roleChainingMaxSeconds : Number.POSITIVE_INFINITY,
      'role-chaining',
    ],
  ];
  for (const [bound, name] of bounds) {
    if (seconds > bound) {
      seconds = bound;
      clampedBy = name;
    }
  }
  return { seconds, clampedBy };
}

/** The longest session a caller can get for a binding (GET /v1/roles). */
export function effectiveMaxDuration(
  binding: DurationBounds,
  roleMaxSessionDuration: number,
  roleChaining: boolean,
): number {
  return resolveDuration({
    requested: STS_LIMITS.maxDurationSeconds,
    binding,
    roleMaxSessionDuration,
    roleChaining,
  }).seconds;
}

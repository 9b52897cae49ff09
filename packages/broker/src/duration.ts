/**
 * Session length: min(requested ?? binding default, binding max, role MaxSessionDuration,
 * 3600 s when the broker's own credentials are a role session). The answer names the bound
 * that clamped it; the first bound in that order wins a tie.
 */
import { RequestError } from './errors.js';
import { STS_LIMITS } from './limits.js';
import type { DurationBounds, ResolvedDuration } from './types.js';

export interface DurationInput {
  readonly requested: number | undefined;
  readonly binding: DurationBounds;
  readonly roleMaxSessionDuration: number;
  /** True when the broker calls AssumeRole with role-session credentials (Lambda). */
  readonly roleChaining: boolean;
}

/** Validate a caller's requested duration (field `durationSeconds`). */
export function checkRequestedDuration(requested: unknown): number | undefined {
  if (requested === undefined || requested === null) return undefined;
  if (typeof requested !== 'number' || !Number.isInteger(requested) || requested <= 0) {
    throw new RequestError(
      'DurationInvalid',
      '/durationSeconds',
      'durationSeconds must be a positive integer',
    );
  }
  if (requested < STS_LIMITS.minDurationSeconds) {
    throw new RequestError(
      'DurationTooShort',
      '/durationSeconds',
      `durationSeconds must be at least ${STS_LIMITS.minDurationSeconds}`,
    );
  }
  if (requested > STS_LIMITS.maxDurationSeconds) {
    throw new RequestError(
      'DurationInvalid',
      '/durationSeconds',
      `durationSeconds must be at most ${STS_LIMITS.maxDurationSeconds}`,
    );
  }
  return requested;
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

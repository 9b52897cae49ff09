import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRequestedDuration, resolveDuration } from '../src/index.js';

const bounds = { default: 900, max: 7200 };

describe('resolveDuration', () => {
  it('uses the binding default when nothing is requested', () => {
    expect(
      resolveDuration({
        requested: undefined,
        binding: bounds,
        roleMaxSessionDuration: 43200,
        roleChaining: false,
      }),
    ).toEqual({ seconds: 900, clampedBy: 'none' });
  });
  it('names the binding max', () => {
    expect(
      resolveDuration({
        requested: 10_000,
        binding: bounds,
        roleMaxSessionDuration: 43200,
        roleChaining: false,
      }),
    ).toEqual({ seconds: 7200, clampedBy: 'binding-max' });
  });
  it('names the role max', () => {
    expect(
      resolveDuration({
        requested: 7000,
        binding: bounds,
        roleMaxSessionDuration: 3600,
        roleChaining: false,
      }),
    ).toEqual({ seconds: 3600, clampedBy: 'role-max' });
  });
  it('names the role-chaining cap', () => {
    expect(
      resolveDuration({
        requested: 7000,
        binding: bounds,
        roleMaxSessionDuration: 43200,
        roleChaining: true,
      }),
    ).toEqual({ seconds: 3600, clampedBy: 'role-chaining' });
  });
  it('never exceeds any bound and never grows the request', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 900, max: 43200 }), { nil: undefined }),
        fc.integer({ min: 900, max: 43200 }),
        fc.integer({ min: 3600, max: 43200 }),
        fc.boolean(),
        (requested, max, roleMax, chaining) => {
          const r = resolveDuration({
            requested,
            binding: { default: 900, max },
            roleMaxSessionDuration: roleMax,
            roleChaining: chaining,
          });
          expect(r.seconds).toBeLessThanOrEqual(Math.min(max, roleMax, chaining ? 3600 : 43200));
          expect(r.seconds).toBeLessThanOrEqual(requested ?? 900);
          if (r.clampedBy === 'none') expect(r.seconds).toBe(requested ?? 900);
        },
      ),
    );
  });
});

describe('checkRequestedDuration', () => {
  it('refuses less than 900 seconds with DurationTooShort on durationSeconds', () => {
    expect(checkRequestedDuration(899)).toMatchObject({
      kind: 'deny',
      stage: 'verify',
      code: 'DurationTooShort',
      field: '/durationSeconds',
    });
  });
  it('refuses non-integers and absurd values', () => {
    for (const bad of ['900', 900.5, -1, 0, 50_000, Infinity, -Infinity, 1e200, 1e-200, NaN]) {
      expect(checkRequestedDuration(bad)).toMatchObject({ kind: 'deny', code: 'DurationInvalid' });
    }
  });
  it('accepts absence', () => {
    expect(checkRequestedDuration(undefined)).toEqual({ kind: 'ok', value: undefined });
    expect(checkRequestedDuration(3600)).toEqual({ kind: 'ok', value: 3600 });
  });
});

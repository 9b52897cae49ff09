import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, PolicyError, parsePolicy } from '../src/index.js';
import { copyPlainJson } from '../src/json.js';

const roundTrip = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

describe('copyPlainJson (the raw-object fast path of parsePolicy)', () => {
  it('gives the JSON round trip for plain data, or declines', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(copyPlainJson(v)).toEqual(roundTrip(v));
      }),
      { numRuns: 1000, seed: 20261124 },
    );
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBoxedValues: true }), (v) => {
        const copy = copyPlainJson(v);
        if (copy !== undefined) expect(copy).toEqual(roundTrip(v));
      }),
      { numRuns: 1000, seed: 20261124 },
    );
  });

  it('keeps "__proto__" an own property, reads -0 as 0, and copies (later changes do not reach it)', () => {
    const v = JSON.parse('{"__proto__": {"polluted": true}, "n": -0, "a": ["x"]}') as {
      a: string[];
    };
    const copy = copyPlainJson(v) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.is(copy.n, 0)).toBe(true);
    v.a.push('y');
    expect(copy.a).toEqual(['x']);
  });

  it('declines what JSON would change or refuse: toJSON, Date, undefined, functions, NaN, cycles, holes', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const v of [
      { toJSON: () => ({}) },
      { d: new Date(0) },
      { u: undefined },
      { f: () => 1 },
      { n: Number.NaN },
      new Array(3).fill(1, 0, 1),
      cyclic,
      new Map(),
      { b: new String('x') },
    ]) {
      expect(copyPlainJson(v)).toBeUndefined();
    }
  });

  it('reads a getter once: the policy compiled is the one the checks saw', () => {
    let reads = 0;
    const statement = {
      Effect: 'Allow',
      Resource: '*',
      get Action() {
        reads++;
        return reads === 1 ? 's3:GetObject' : '*';
      },
    };
    const policy = parsePolicy({ Version: '2012-10-17', Statement: [statement] });
    expect(reads).toBe(1);
    const request = { action: 'iam:CreateUser', resource: 'arn:aws:iam::111122223333:user/x' };
    expect(evaluate({ request, identityPolicies: [policy] }).decision).toBe('ImplicitDeny');
  });

  it('odd objects still go through the JSON round trip and fail as PolicyError', () => {
    const cyclic: Record<string, unknown> = { Version: '2012-10-17' };
    cyclic.Statement = cyclic;
    expect(() => parsePolicy(cyclic)).toThrow(PolicyError);
    expect(() => parsePolicy({ Statement: [{ toJSON: () => 'x' }] })).toThrow(
      expect.objectContaining({ code: 'InvalidStatement', path: '/Statement/0' }),
    );
  });
});

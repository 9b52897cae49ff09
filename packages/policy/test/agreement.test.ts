/**
 * One value grammar (src/values.ts) on both sides: what `validatePolicy` refuses as a policy value
 * can never satisfy a condition as a request value, and what it accepts is read the same way on
 * both sides. Values are generated around the edges of each format (leading zeros, zone ids,
 * missing time zones, exponents, padding, white space) as well as at random; every property runs
 * 1,000 times with a fixed seed.
 *
 * "Never satisfies" has one shape per effect (issue 9, item 4 — AWS does not document the case,
 * so the reading that can never grant is taken): in an Allow statement the condition does not
 * hold (no Allow), in a Deny statement it holds (ExplicitDeny), for every operator of the family,
 * negated or not, with or without IfExists, single- or multivalued.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ContextValue,
  type EvaluationDecision,
  evaluate,
  type PolicyScalar,
  validatePolicy,
} from '../src/index.js';
import { readAddress, readArn, readInstant, readNumber } from '../src/values.js';

const params = (seed: number): fc.Parameters<unknown> => ({ numRuns: 1_000, seed });

type Family = 'numeric' | 'date' | 'boolean' | 'binary' | 'ip' | 'arn';

const OPERATORS: Readonly<Record<Family, readonly string[]>> = {
  numeric: [
    'NumericEquals',
    'NumericNotEquals',
    'NumericLessThan',
    'NumericLessThanEquals',
    'NumericGreaterThan',
    'NumericGreaterThanEquals',
  ],
  date: [
    'DateEquals',
    'DateNotEquals',
    'DateLessThan',
    'DateLessThanEquals',
    'DateGreaterThan',
    'DateGreaterThanEquals',
  ],
  boolean: ['Bool'],
  binary: ['BinaryEquals'],
  ip: ['IpAddress', 'NotIpAddress'],
  arn: ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'],
};

/** A policy value every operator of the family accepts. */
const GOOD: Readonly<Record<Family, string>> = {
  numeric: '10',
  date: '2026-01-01T00:00:00Z',
  boolean: 'true',
  binary: 'QUJD',
  ip: '10.0.0.0/8',
  arn: 'arn:aws:sns:*:111122223333:*',
};

// ---------------------------------------------------------------------------------------------
// Values around the edges of each format

const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const pad2 = (n: number) => String(n).padStart(2, '0');

const numberText = fc.oneof(
  fc.integer({ min: -1e9, max: 1e9 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), // 1e+21, -0, 5e-324
  fc
    .tuple(
      fc.constantFrom('', '-', '+', ' ', '.'),
      digits(0, 4),
      fc.constantFrom('', '.', '.5', 'e3', ' ', '0'),
    )
    .map((p) => p.join('')),
);

const dateText = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 25 }),
      fc.integer({ min: 0, max: 61 }),
      fc.constantFrom('T', 't', ' '),
      fc.constantFrom('Z', 'z', '', '+01:00', '-0530', '+24:00', '-00:30'),
      fc.constantFrom('', ':00', ':59.5', ':60', ':07.123456789', ':07.1234567891'),
      fc.constantFrom('date', 'month', 'datetime'),
    )
    .map(([y, mo, d, h, mi, t, z, s, form]) => {
      const date = `${String(y).padStart(4, '0')}-${pad2(mo)}`;
      if (form === 'month') return date;
      if (form === 'date') return `${date}-${pad2(d)}`;
      return `${date}-${pad2(d)}${t}${pad2(h)}:${pad2(mi)}${s}${z}`;
    }),
  fc.oneof(digits(1, 13), fc.constantFrom('1.5', '-5', '2026', ' 1767225600', '1e9')),
  fc.integer({ min: -5, max: 2e10 }).map(String),
);

const octet = fc.oneof(
  fc.integer({ min: 0, max: 300 }).map(String),
  fc.constantFrom('010', '00', '1'),
);
const ipText = fc.oneof(
  fc
    .tuple(
      fc.array(octet, { minLength: 3, maxLength: 5 }),
      fc.constantFrom('', '/8', '/08', '/32', '/33', '/0', ' '),
    )
    .map(([o, p]) => o.join('.') + p),
  fc
    .tuple(
      fc.array(
        fc.oneof(
          fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), maxLength: 5 }),
          fc.constant('1.2.3.4'),
        ),
        {
          minLength: 1,
          maxLength: 9,
        },
      ),
      fc.constantFrom('', '/64', '/128', '/129', '/064', '%eth0'),
    )
    .map(([groups, p]) => groups.join(':') + p),
  fc.constantFrom('::', '::1', '::ffff:10.0.0.1', 'fe80::1%eth0', '1::2::3', ':1::', '1.2.3.4::'),
);

const boolText = fc.constantFrom('true', 'false', 'TRUE', 'False', 'yes', '1', '0', ' true', '');

const binaryText = fc.oneof(
  fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('base64')),
  fc
    .uint8Array({ minLength: 1, maxLength: 12 })
    .map((b) => Buffer.from(b).toString('base64').replace(/=+$/, '')),
  fc
    .uint8Array({ minLength: 1, maxLength: 12 })
    .map((b) => ` ${Buffer.from(b).toString('base64')}`),
);

const arnText = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('arn', 'arn', 'ARN', 'urn'),
      fc.constantFrom('aws', '', 'aws-cn'),
      fc.constantFrom('s3', 'sns', ''),
      fc.constantFrom('', 'us-east-1'),
      fc.constantFrom('', '111122223333'),
      fc.constantFrom('bucket/key', '', 'topic:a:b', 'has space', '${aws:username}'),
    )
    .map((parts) => parts.join(':')),
  fc.constantFrom('arn:aws:s3:::a', 'arn:${a:b:c:d:e}', 'not-an-arn', 'arn:aws:s3:*'),
);

const TEXTS: Readonly<Record<Family, fc.Arbitrary<string>>> = {
  numeric: numberText,
  date: dateText,
  boolean: boolText,
  binary: binaryText,
  ip: ipText,
  arn: arnText,
};

/** A value of the family, as text, a JSON number or boolean, or anything at all. */
function valueArb(family: Family): fc.Arbitrary<PolicyScalar> {
  return fc.oneof(
    { weight: 6, arbitrary: TEXTS[family] },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.oneof(fc.double({ noNaN: true }), fc.integer(), fc.boolean()) },
  );
}

const familyArb = fc.constantFrom<Family>('numeric', 'date', 'boolean', 'binary', 'ip', 'arn');

// ---------------------------------------------------------------------------------------------
// Running a condition

function refusedInPolicy(operator: string, value: PolicyScalar): boolean {
  const findings = validatePolicy({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
        Condition: { [operator]: { 'ex:k': value } },
      },
    ],
  });
  return findings.some((f) => f.severity === 'error' && f.code === 'InvalidConditionValue');
}

function decide(
  effect: 'Allow' | 'Deny',
  operator: string,
  policyValue: PolicyScalar,
  context: ContextValue,
): EvaluationDecision {
  const condition = { [operator]: { 'ex:k': policyValue } };
  const statement = { Effect: effect, Action: 's3:GetObject', Resource: '*', Condition: condition };
  const allowAll = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
  const input = {
    request: { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: { 'ex:k': context } },
    identityPolicies: [
      {
        Version: '2012-10-17',
        Statement: effect === 'Allow' ? [statement] : [statement, allowAll],
      },
    ],
  };
  const result = evaluate(input);
  expect(result.errors).toEqual([]);
  expect(evaluate(input, { explain: true }).decision).toBe(result.decision);
  return result.decision;
}

const operatorArb = (family: Family) =>
  fc.tuple(
    fc.constantFrom(...OPERATORS[family]),
    fc.constantFrom('', 'IfExists'),
    fc.constantFrom('', 'ForAnyValue:', 'ForAllValues:'),
  );

// ---------------------------------------------------------------------------------------------

describe('policy grammar and request grammar agree', () => {
  it('a value validatePolicy refuses never grants as a request value, and always denies in a Deny', () => {
    fc.assert(
      fc.property(
        familyArb.chain((family) =>
          fc.tuple(fc.constant(family), valueArb(family), operatorArb(family)),
        ),
        fc.boolean(),
        ([family, value, [base, ifExists, qualifier]], multivalued) => {
          fc.pre(refusedInPolicy(base, value));
          const operator = `${qualifier}${base}${ifExists}`;
          const context: ContextValue =
            multivalued && qualifier !== '' ? [GOOD[family], value] : value;
          expect(decide('Allow', operator, GOOD[family], context)).toBe('ImplicitDeny');
          expect(decide('Deny', operator, GOOD[family], context)).toBe('ExplicitDeny');
        },
      ),
      params(20_261_129),
    );
  });

  it('a value validatePolicy accepts is read the same way as a request value (it equals itself)', () => {
    const equals: Readonly<Record<Family, readonly [string, string]>> = {
      numeric: ['NumericEquals', 'NumericNotEquals'],
      date: ['DateEquals', 'DateNotEquals'],
      boolean: ['Bool', 'Bool'],
      binary: ['BinaryEquals', 'BinaryEquals'],
      ip: ['IpAddress', 'NotIpAddress'],
      arn: ['ArnEquals', 'ArnNotEquals'],
    };
    fc.assert(
      fc.property(
        familyArb.chain((family) => fc.tuple(fc.constant(family), valueArb(family))),
        ([family, value]) => {
          const [positive, negated] = equals[family];
          fc.pre(!refusedInPolicy(positive, value));
          // A request IP is one address; a request ARN's wildcards and variables are literal text.
          if (family === 'ip') fc.pre(readAddress(value) !== null);
          if (family === 'arn') fc.pre(typeof value === 'string' && !/[*?]|\$\{/.test(value));
          expect(decide('Allow', positive, value, value)).toBe('Allow');
          if (negated !== positive)
            expect(decide('Allow', negated, value, value)).toBe('ImplicitDeny');
        },
      ),
      params(20_261_130),
    );
  });

  it('two accepted numbers or dates compare as the grammar reads them, on both sides', () => {
    const read = { numeric: readNumber, date: readInstant } as const;
    fc.assert(
      fc.property(
        fc
          .constantFrom<'numeric' | 'date'>('numeric', 'date')
          .chain((family) => fc.tuple(fc.constant(family), valueArb(family), valueArb(family))),
        ([family, a, b]) => {
          const [x, y] = [read[family](a), read[family](b)];
          fc.pre(x !== null && y !== null);
          const lessThan = family === 'numeric' ? 'NumericLessThan' : 'DateLessThan';
          expect(decide('Allow', lessThan, a, b)).toBe(y < x ? 'Allow' : 'ImplicitDeny');
          expect(decide('Allow', lessThan, b, a)).toBe(x < y ? 'Allow' : 'ImplicitDeny');
        },
      ),
      params(20_261_131),
    );
  });
});

describe('the issue 8 examples, on both sides', () => {
  it.each([
    ['IpAddress', '010.0.0.1', '10.0.0.0/8'],
    ['IpAddress', '10.0.0.1/08', '10.0.0.0/8'],
    ['IpAddress', 'fe80::1%eth0', 'fe80::/10'],
    ['DateLessThan', '2026-01-01 12:00Z', '2027-01-01T00:00:00Z'],
    ['DateGreaterThan', '1.5', '1'],
  ] as const)(
    '%s refuses %s in a policy; as a request value it never grants',
    (op, value, good) => {
      expect(refusedInPolicy(op, value)).toBe(true);
      expect(decide('Allow', op, good, value)).toBe('ImplicitDeny');
      expect(decide('Deny', op, good, value)).toBe('ExplicitDeny');
    },
  );

  it('a request ARN is an ARN by the policy grammar too (a ${...} counts as one character)', () => {
    expect(readArn('arn:${a:b:c:d:e}')).toBeNull();
    expect(refusedInPolicy('ArnEquals', 'arn:${a:b:c:d:e}')).toBe(true);
  });

  it('explain says why a condition met an unreadable request value holds or not', () => {
    const explainOne = (effect: 'Allow' | 'Deny') => {
      const result = evaluate(
        {
          request: {
            action: 's3:GetObject',
            resource: 'arn:aws:s3:::b/k',
            context: { 'ex:n': 'ten' },
          },
          identityPolicies: [
            {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: effect,
                  Action: 's3:GetObject',
                  Resource: '*',
                  Condition: { NumericNotEquals: { 'ex:n': '10' } },
                },
              ],
            },
          ],
        },
        { explain: true },
      );
      return result.explain?.[0]?.reasons.find((r) => r.element === 'Condition');
    };
    expect(explainOne('Allow')).toMatchObject({ ok: false });
    expect(explainOne('Allow')?.detail).toContain(
      'in an Allow statement the condition then does not hold',
    );
    expect(explainOne('Deny')).toMatchObject({ ok: true });
    expect(explainOne('Deny')?.detail).toContain('in a Deny statement the condition then holds');
  });
});

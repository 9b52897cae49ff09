// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` here is IAM policy-variable syntax, not a JS template.
import { describe, expect, it } from 'vitest';
import type { ContextValue } from '../src/index.js';
import { evaluate, parsePolicy } from '../src/index.js';

type Ctx = Record<string, ContextValue>;

/** Whether a one-statement Allow with this Condition block applies to a request with `context`. */
function holds(
  condition: Record<string, Record<string, unknown>>,
  context: Ctx,
  version = '2012-10-17',
): boolean {
  const policy = parsePolicy({
    Version: version,
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: condition }],
  });
  const fast = evaluate({
    request: { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context },
    identityPolicies: [policy],
  });
  const slow = evaluate(
    {
      request: { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context },
      identityPolicies: [policy],
    },
    { explain: true },
  );
  expect(slow.decision).toBe(fast.decision); // explain never changes the decision
  return fast.decision === 'Allow';
}

const one = (op: string, key: string, value: unknown, context: Ctx) =>
  holds({ [op]: { [key]: value } }, context);

describe('string operators', () => {
  it('StringEquals is case-sensitive; several values are an OR', () => {
    expect(one('StringEquals', 'ex:k', 'abc', { 'ex:k': 'abc' })).toBe(true);
    expect(one('StringEquals', 'ex:k', 'abc', { 'ex:k': 'ABC' })).toBe(false);
    expect(one('StringEquals', 'ex:k', ['x', 'abc'], { 'ex:k': 'abc' })).toBe(true);
    expect(one('StringEquals', 'ex:k', 'abc', {})).toBe(false);
  });

  it('StringNotEquals is a NOR and is true for an absent key', () => {
    expect(one('StringNotEquals', 'ex:k', ['a', 'b'], { 'ex:k': 'c' })).toBe(true);
    expect(one('StringNotEquals', 'ex:k', ['a', 'b'], { 'ex:k': 'b' })).toBe(false);
    expect(one('StringNotEquals', 'ex:k', 'a', {})).toBe(true);
  });

  it('IgnoreCase variants', () => {
    expect(one('StringEqualsIgnoreCase', 'ex:k', 'AbC', { 'ex:k': 'aBc' })).toBe(true);
    expect(one('StringNotEqualsIgnoreCase', 'ex:k', 'AbC', { 'ex:k': 'aBc' })).toBe(false);
    expect(one('StringNotEqualsIgnoreCase', 'ex:k', 'AbC', { 'ex:k': 'x' })).toBe(true);
  });

  it('StringLike / StringNotLike with * and ?', () => {
    expect(one('StringLike', 'ex:k', 'home/*/docs', { 'ex:k': 'home/bob/docs' })).toBe(true);
    expect(one('StringLike', 'ex:k', 'v?', { 'ex:k': 'v1' })).toBe(true);
    expect(one('StringLike', 'ex:k', 'v?', { 'ex:k': 'v12' })).toBe(false);
    expect(one('StringNotLike', 'ex:k', 'tmp/*', { 'ex:k': 'tmp/x' })).toBe(false);
    expect(one('StringNotLike', 'ex:k', 'tmp/*', { 'ex:k': 'home/x' })).toBe(true);
    expect(one('StringNotLike', 'ex:k', 'tmp/*', {})).toBe(true);
  });

  it('compares numbers and booleans in the context as their text', () => {
    expect(one('StringEquals', 'ex:k', '42', { 'ex:k': 42 })).toBe(true);
    expect(one('StringEquals', 'ex:k', 'true', { 'ex:k': true })).toBe(true);
    expect(one('StringEquals', 'ex:k', 42, { 'ex:k': '42' })).toBe(true);
  });

  it('finds keys case-insensitively', () => {
    expect(one('StringEquals', 'AWS:UserName', 'bob', { 'aws:username': 'bob' })).toBe(true);
    expect(
      one('StringEquals', 'aws:PrincipalTag/Team', 'x', { 'aws:principaltag/team': 'x' }),
    ).toBe(true);
    expect(one('StringEquals', 'aws:username', 'Bob', { 'aws:username': 'bob' })).toBe(false); // values stay case-sensitive
    const large: Ctx = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`ex:k${i}`, String(i)]),
    );
    expect(one('StringEquals', 'EX:K29', '29', large)).toBe(true); // large contexts use an index
    expect(one('StringEquals', 'ex:missing', '29', large)).toBe(false);
  });
});

describe('numeric operators', () => {
  it.each([
    ['NumericEquals', '10', 10, true],
    ['NumericEquals', '10', '10.0', true],
    ['NumericEquals', '10', 11, false],
    ['NumericNotEquals', '10', 11, true],
    ['NumericNotEquals', '10', 10, false],
    ['NumericLessThan', '10', 9.5, true],
    ['NumericLessThan', '10', 10, false],
    ['NumericLessThanEquals', '10', 10, true],
    ['NumericGreaterThan', '10', '10.5', true],
    ['NumericGreaterThan', '10', 10, false],
    ['NumericGreaterThanEquals', '-1.5', -1.5, true],
    ['NumericLessThan', '3600', 'not a number', false],
    ['NumericNotEquals', '3600', 'not a number', false], // unreadable request value, Allow: does not hold
    ['NumericEquals', '1', true, false],
  ] as const)('%s %s vs %s → %s', (op, policy, actual, expected) => {
    expect(one(op, 'ex:n', policy, { 'ex:n': actual })).toBe(expected);
  });

  it('absent key: false, negated true', () => {
    expect(one('NumericLessThan', 'ex:n', '1', {})).toBe(false);
    expect(one('NumericNotEquals', 'ex:n', '1', {})).toBe(true);
  });
});

describe('date operators', () => {
  const t = '2026-06-01T12:00:00Z';
  it.each([
    ['DateEquals', t, '2026-06-01T12:00:00Z', true],
    ['DateEquals', t, '2026-06-01T14:00:00+02:00', true],
    ['DateEquals', t, 1780315200, true],
    ['DateEquals', '1780315200', t, true],
    ['DateNotEquals', t, '2026-06-01T12:00:01Z', true],
    ['DateLessThan', t, '2026-06-01T11:59:59Z', true],
    ['DateLessThan', t, t, false],
    ['DateLessThanEquals', t, t, true],
    ['DateGreaterThan', '2026-06-01', t, true],
    ['DateGreaterThanEquals', t, '2026-05-31', false],
    ['DateLessThan', t, 'garbage', false],
  ] as const)('%s %s vs %s → %s', (op, policy, actual, expected) => {
    expect(one(op, 'aws:CurrentTime', policy, { 'aws:CurrentTime': actual })).toBe(expected);
  });
});

describe('Bool, BinaryEquals', () => {
  it('Bool compares true/false, case-insensitively, from text or booleans', () => {
    expect(one('Bool', 'aws:SecureTransport', 'true', { 'aws:SecureTransport': true })).toBe(true);
    expect(one('Bool', 'aws:SecureTransport', 'true', { 'aws:SecureTransport': 'TRUE' })).toBe(
      true,
    );
    expect(one('Bool', 'aws:SecureTransport', 'false', { 'aws:SecureTransport': true })).toBe(
      false,
    );
    expect(one('Bool', 'aws:SecureTransport', true, { 'aws:SecureTransport': 'true' })).toBe(true);
    expect(one('Bool', 'aws:SecureTransport', 'true', {})).toBe(false);
  });

  it('BinaryEquals compares the decoded bytes', () => {
    expect(one('BinaryEquals', 'ex:k', 'QmluYXJ5VmFsdWU=', { 'ex:k': 'QmluYXJ5VmFsdWU=' })).toBe(
      true,
    );
    expect(one('BinaryEquals', 'ex:k', 'QmluYXJ5VmFsdWU=', { 'ex:k': 'QmluYXJ5VmFsdWF=' })).toBe(
      false,
    );
    expect(one('BinaryEquals', 'ex:k', 'QmluYXJ5VmFsdWU=', { 'ex:k': '%%%' })).toBe(false);
  });
});

describe('IP operators', () => {
  it('IpAddress / NotIpAddress with IPv4 and IPv6', () => {
    expect(
      one('IpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '203.0.113.5' }),
    ).toBe(true);
    expect(
      one('IpAddress', 'aws:SourceIp', ['10.0.0.0/8', '2001:db8::/32'], {
        'aws:SourceIp': '2001:db8::7',
      }),
    ).toBe(true);
    expect(
      one('IpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '198.51.100.1' }),
    ).toBe(false);
    expect(
      one('NotIpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '198.51.100.1' }),
    ).toBe(true);
    expect(
      one('NotIpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '203.0.113.1' }),
    ).toBe(false);
    expect(one('NotIpAddress', 'aws:SourceIp', '203.0.113.0/24', {})).toBe(true);
    expect(one('IpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': 'nonsense' })).toBe(
      false,
    );
  });
});

describe('ARN operators', () => {
  const role = 'arn:aws:iam::111122223333:role/admin';
  it('ArnEquals and ArnLike both match per segment with wildcards', () => {
    expect(one('ArnEquals', 'aws:PrincipalArn', role, { 'aws:PrincipalArn': role })).toBe(true);
    expect(
      one('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::*:role/adm?n', { 'aws:PrincipalArn': role }),
    ).toBe(true);
    expect(
      one('ArnEquals', 'aws:PrincipalArn', 'arn:aws:iam::*:role/*', { 'aws:PrincipalArn': role }),
    ).toBe(true);
    expect(
      one('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::*:user/*', { 'aws:PrincipalArn': role }),
    ).toBe(false);
    expect(
      one('ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam::*:user/*', { 'aws:PrincipalArn': role }),
    ).toBe(true);
    expect(one('ArnNotEquals', 'aws:PrincipalArn', role, { 'aws:PrincipalArn': role })).toBe(false);
    expect(one('ArnNotEquals', 'aws:PrincipalArn', role, {})).toBe(true);
  });
});

describe('Null', () => {
  it('true: the key is absent; false: it is present', () => {
    expect(one('Null', 'aws:TokenIssueTime', 'true', {})).toBe(true);
    expect(one('Null', 'aws:TokenIssueTime', 'true', { 'aws:TokenIssueTime': 'x' })).toBe(false);
    expect(one('Null', 'aws:TokenIssueTime', 'false', { 'aws:TokenIssueTime': 'x' })).toBe(true);
    expect(one('Null', 'aws:TokenIssueTime', 'false', {})).toBe(false);
    expect(one('Null', 'aws:TokenIssueTime', true, {})).toBe(true);
  });

  it('an empty array is an absent key', () => {
    expect(one('Null', 'aws:TagKeys', 'true', { 'aws:TagKeys': [] })).toBe(true);
    expect(one('Null', 'aws:TagKeys', 'false', { 'aws:TagKeys': ['a'] })).toBe(true);
  });
});

describe('IfExists', () => {
  it('passes when the key is absent, checks it when present', () => {
    expect(one('StringEqualsIfExists', 'ex:k', 'a', {})).toBe(true);
    expect(one('StringEqualsIfExists', 'ex:k', 'a', { 'ex:k': 'a' })).toBe(true);
    expect(one('StringEqualsIfExists', 'ex:k', 'a', { 'ex:k': 'b' })).toBe(false);
    expect(one('NumericLessThanIfExists', 'ex:n', '5', {})).toBe(true);
    expect(
      one('IpAddressIfExists', 'aws:SourceIp', '10.0.0.0/8', { 'aws:SourceIp': '11.0.0.1' }),
    ).toBe(false);
    expect(one('ArnLikeIfExists', 'aws:SourceArn', 'arn:aws:sns:*:*:t', {})).toBe(true);
    expect(one('StringNotLikeIfExists', 'ex:k', 'a*', { 'ex:k': 'ab' })).toBe(false);
  });
});

describe('set qualifiers', () => {
  const groups = (v: ContextValue | undefined): Ctx =>
    v === undefined ? {} : { 'token:cognito:groups': v };
  const g = (op: string, policy: unknown, ctx: ContextValue | undefined) =>
    one(op, 'token:cognito:groups', policy, groups(ctx));

  it('ForAnyValue: some context value matches some policy value; absent or empty → false', () => {
    expect(g('ForAnyValue:StringEquals', ['auditors'], ['engineering', 'auditors'])).toBe(true);
    expect(g('ForAnyValue:StringEquals', ['auditors'], ['engineering'])).toBe(false);
    expect(g('ForAnyValue:StringEquals', ['auditors'], undefined)).toBe(false);
    expect(g('ForAnyValue:StringEquals', ['auditors'], [])).toBe(false);
    expect(g('ForAnyValue:StringEquals', ['auditors'], 'auditors')).toBe(true);
    expect(g('ForAnyValue:StringLike', ['aud*'], ['x', 'auditors'])).toBe(true);
  });

  it('ForAllValues: every context value matches some policy value; absent or empty → true', () => {
    expect(g('ForAllValues:StringEquals', ['a', 'b'], ['a', 'b'])).toBe(true);
    expect(g('ForAllValues:StringEquals', ['a', 'b'], ['a'])).toBe(true);
    expect(g('ForAllValues:StringEquals', ['a', 'b'], ['a', 'c'])).toBe(false);
    expect(g('ForAllValues:StringEquals', ['a'], undefined)).toBe(true);
    expect(g('ForAllValues:StringEquals', ['a'], [])).toBe(true);
  });

  it('negated operators under qualifiers', () => {
    // ForAnyValue:StringNotEquals — at least one value is none of the policy values.
    expect(g('ForAnyValue:StringNotEquals', ['a'], ['a', 'b'])).toBe(true);
    expect(g('ForAnyValue:StringNotEquals', ['a'], ['a'])).toBe(false);
    expect(g('ForAnyValue:StringNotEquals', ['a'], undefined)).toBe(false);
    // ForAllValues:StringNotEquals — no value is any of the policy values.
    expect(g('ForAllValues:StringNotEquals', ['a', 'b'], ['c', 'd'])).toBe(true);
    expect(g('ForAllValues:StringNotEquals', ['a', 'b'], ['c', 'a'])).toBe(false);
    expect(g('ForAllValues:StringNotEquals', ['a'], undefined)).toBe(true);
    expect(g('ForAnyValue:StringNotLike', ['adm*'], ['admins', 'dev'])).toBe(true);
    expect(g('ForAllValues:StringNotLike', ['adm*'], ['admins', 'dev'])).toBe(false);
  });

  it('IfExists with a qualifier', () => {
    expect(g('ForAnyValue:StringEqualsIfExists', ['a'], undefined)).toBe(true);
    expect(g('ForAnyValue:StringEqualsIfExists', ['a'], ['b'])).toBe(false);
  });

  it('an unqualified operator does not match a multivalued key (AWS: set operator required)', () => {
    expect(g('StringEquals', ['a'], ['a', 'b'])).toBe(false);
    expect(g('StringEquals', ['a'], ['a'])).toBe(false);
    expect(g('StringNotEquals', ['z'], ['a', 'b'])).toBe(false);
    expect(g('StringLike', ['*'], ['a'])).toBe(false);
  });
});

describe('combining conditions', () => {
  it('keys and operators are ANDed', () => {
    const block = { StringEquals: { 'ex:a': '1', 'ex:b': '2' }, Bool: { 'ex:c': 'true' } };
    expect(holds(block, { 'ex:a': '1', 'ex:b': '2', 'ex:c': true })).toBe(true);
    expect(holds(block, { 'ex:a': '1', 'ex:b': '2', 'ex:c': false })).toBe(false);
    expect(holds(block, { 'ex:a': '1', 'ex:c': true })).toBe(false);
  });
});

describe('policy variables in condition values', () => {
  it('substitutes context values; a substituted * is literal', () => {
    const cond = { StringLike: { 's3:prefix': 'home/${aws:username}/*' } };
    expect(holds(cond, { 'aws:username': 'bob', 's3:prefix': 'home/bob/x' })).toBe(true);
    expect(holds(cond, { 'aws:username': 'bob', 's3:prefix': 'home/alice/x' })).toBe(false);
    expect(holds(cond, { 'aws:username': '*', 's3:prefix': 'home/alice/x' })).toBe(false);
    expect(holds(cond, { 'aws:username': '*', 's3:prefix': 'home/*/x' })).toBe(true);
  });

  it('an unresolved variable matches nothing; a default fills in', () => {
    expect(holds({ StringEquals: { 'ex:k': '${aws:username}' } }, { 'ex:k': '' })).toBe(false);
    expect(
      holds({ StringEquals: { 'ex:k': '${aws:username}' } }, { 'ex:k': '${aws:username}' }),
    ).toBe(false);
    expect(holds({ StringEquals: { 'ex:k': "${aws:username, 'none'}" } }, { 'ex:k': 'none' })).toBe(
      true,
    );
    // A negated operator with an unresolved variable is false (never "not equal to anything").
    expect(holds({ StringNotEquals: { 'ex:k': '${aws:username}' } }, { 'ex:k': 'x' })).toBe(false);
    expect(
      holds(
        { StringNotEquals: { 'ex:k': '${aws:username}' } },
        { 'ex:k': 'x', 'aws:username': 'y' },
      ),
    ).toBe(true);
    expect(
      holds(
        { ArnNotLike: { 'aws:SourceArn': 'arn:aws:sns:*:${aws:username}:*' } },
        { 'aws:SourceArn': 'x' },
      ),
    ).toBe(false);
  });

  it('works with ArnLike and IgnoreCase', () => {
    expect(
      holds(
        { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:${aws:PrincipalAccount}:*' } },
        {
          'aws:SourceArn': 'arn:aws:sns:eu-west-1:111122223333:t',
          'aws:PrincipalAccount': '111122223333',
        },
      ),
    ).toBe(true);
    expect(
      holds(
        { StringEqualsIgnoreCase: { 'ex:k': '${token:sub}' } },
        { 'ex:k': 'ABC', 'token:sub': 'abc' },
      ),
    ).toBe(true);
  });

  it('is literal text without Version 2012-10-17', () => {
    expect(
      holds(
        { StringEquals: { 'ex:k': '${aws:username}' } },
        { 'ex:k': '${aws:username}', 'aws:username': 'bob' },
        '2008-10-17',
      ),
    ).toBe(true);
    expect(
      holds(
        { StringEquals: { 'ex:k': '${aws:username}' } },
        { 'ex:k': 'bob', 'aws:username': 'bob' },
        '2008-10-17',
      ),
    ).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { evaluate, parsePolicy } from '../src/index.js';

const trust = parsePolicy({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Engineers',
      Effect: 'Allow',
      Action: 'sts:AssumeRoleWithWebIdentity',
      Principal: { Federated: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC' },
      Condition: {
        StringEquals: { 'token:client_id': 'app' },
        'ForAnyValue:StringEquals': { 'token:cognito:groups': ['auditors'] },
        IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' },
      },
    },
    { Effect: 'Deny', Action: 'sts:TagSession', Principal: '*' },
  ],
});

const request = {
  action: 'sts:AssumeRoleWithWebIdentity',
  resource: 'arn:aws:iam::111122223333:role/eng',
  principal: {
    type: 'Federated',
    id: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC',
  } as const,
  context: { 'token:client_id': 'other', 'token:cognito:groups': ['engineering'] },
};

describe('explain', () => {
  it('is absent unless asked for', () => {
    expect(evaluate({ request, resourcePolicy: trust }).explain).toBeUndefined();
  });

  it('lists every statement, every element and every condition (no short-circuit)', () => {
    const r = evaluate({ request, resourcePolicy: trust }, { explain: true });
    expect(r.decision).toBe('ImplicitDeny');
    expect(r.matched).toEqual([]);
    expect(r.explain).toHaveLength(2);
    const [first, second] = r.explain!;
    expect(first).toMatchObject({
      policy: 'resource',
      statement: 0,
      sid: 'Engineers',
      effect: 'Allow',
      applies: false,
    });
    expect(first?.reasons.map((x) => [x.element, x.ok])).toEqual([
      ['Principal', true],
      ['Action', true],
      ['Condition', false],
      ['Condition', false],
      ['Condition', true],
    ]);
    const [, , clientId, groups, ip] = first!.reasons;
    expect(clientId).toMatchObject({ operator: 'StringEquals', key: 'token:client_id' });
    expect(clientId?.detail).toContain('token:client_id has "other", expected any of ["app"]');
    expect(groups).toMatchObject({
      operator: 'ForAnyValue:StringEquals',
      key: 'token:cognito:groups',
    });
    expect(groups?.detail).toContain(
      'token:cognito:groups has ["engineering"], expected any of ["auditors"]',
    );
    expect(ip?.detail).toContain('aws:SourceIp has no value');
    expect(ip?.detail).toContain('IfExists');
    expect(second).toMatchObject({ statement: 1, effect: 'Deny', applies: false });
    expect(second?.reasons.find((x) => x.element === 'Action')).toMatchObject({ ok: false });
  });

  it('agrees with the fast path and names the matched statements', () => {
    const context = {
      'token:client_id': 'app',
      'token:cognito:groups': ['engineering', 'auditors'],
      'aws:SourceIp': '10.1.2.3',
    };
    const fast = evaluate({ request: { ...request, context }, resourcePolicy: trust });
    const slow = evaluate(
      { request: { ...request, context }, resourcePolicy: trust },
      { explain: true },
    );
    expect(fast.decision).toBe('Allow');
    expect(slow.decision).toBe('Allow');
    expect(slow.matched).toEqual(fast.matched);
    expect(slow.explain?.[0]?.applies).toBe(true);
    expect(slow.explain?.[0]?.reasons.every((x) => x.ok)).toBe(true);
  });

  it('explains Resource, NotAction and negated conditions in words', () => {
    const p = parsePolicy({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          NotAction: 's3:Get*',
          Resource: 'arn:aws:s3:::b/*',
          Condition: {
            StringNotEquals: { 'aws:PrincipalTag/team': ['a', 'b'] },
            Null: { 'aws:TokenIssueTime': 'true' },
          },
        },
      ],
    });
    const r = evaluate(
      {
        request: {
          action: 's3:PutObject',
          resource: 'arn:aws:s3:::c/k',
          context: { 'aws:PrincipalTag/team': 'c' },
        },
        identityPolicies: [p],
      },
      { explain: true },
    );
    const reasons = r.explain![0]!.reasons;
    expect(reasons.map((x) => [x.element, x.ok])).toEqual([
      ['NotAction', true],
      ['Resource', false],
      ['Condition', true],
      ['Condition', true],
    ]);
    expect(reasons[1]?.detail).toContain('"arn:aws:s3:::c/k"');
    expect(reasons[2]?.detail).toContain('expected none of ["a","b"]');
    expect(reasons[3]?.detail).toContain('expected the key to be absent');
  });

  it('a condition repeated across statements and policies reads alike, unless variables differ', () => {
    const condition = { StringEquals: { 'aws:PrincipalTag/team': '${aws:username}' } };
    const statement = {
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: condition,
    };
    const live = parsePolicy({ Version: '2012-10-17', Statement: [statement, statement] });
    const literal = parsePolicy({ Version: '2008-10-17', Statement: [statement] });
    const r = evaluate(
      {
        request: {
          action: 's3:GetObject',
          resource: 'arn:aws:s3:::b/k',
          context: { 'aws:PrincipalTag/team': 'alice', 'aws:username': 'alice' },
        },
        identityPolicies: [live, literal],
      },
      { explain: true },
    );
    const conditions = r.explain!.map((e) => e.reasons.find((x) => x.element === 'Condition'));
    expect(conditions.map((c) => c?.ok)).toEqual([true, true, false]);
    expect(conditions[0]).toEqual(conditions[1]);
    expect(conditions[2]?.detail).toContain('expected any of ["${aws:username}"]');
    expect(r.explain!.map((e) => e.applies)).toEqual([true, true, false]);
    expect(r.decision).toBe('Allow');
  });
});

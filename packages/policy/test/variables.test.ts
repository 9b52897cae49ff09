// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` here is IAM policy-variable syntax, not a JS template.
import { describe, expect, it } from 'vitest';
import { RequestContext } from '../src/context.js';
import { evaluate, parsePolicy } from '../src/index.js';
import { parseTemplate, resolvePieces, resolveText } from '../src/variables.js';

const ctx = (raw: Record<string, string | string[]>) => new RequestContext(raw);

describe('parseTemplate', () => {
  it('returns null for text without variables', () => {
    expect(parseTemplate('arn:aws:s3:::b/*')).toBeNull();
    expect(parseTemplate('a $ b { c }')).toBeNull();
    expect(parseTemplate('${unterminated')).toBeNull();
  });

  it('parses variables, defaults and escapes', () => {
    const t = parseTemplate("a/${aws:username}/${aws:PrincipalTag/team, 'none'}/${*}${?}${$}")!;
    expect(t.parts).toEqual([
      { kind: 'text', text: 'a/' },
      {
        kind: 'variable',
        text: '${aws:username}',
        key: 'aws:username',
        lowerKey: 'aws:username',
        fallback: undefined,
      },
      { kind: 'text', text: '/' },
      {
        kind: 'variable',
        text: "${aws:PrincipalTag/team, 'none'}",
        key: 'aws:PrincipalTag/team',
        lowerKey: 'aws:principaltag/team',
        fallback: 'none',
      },
      { kind: 'text', text: '/' },
      { kind: 'escape', text: '*' },
      { kind: 'escape', text: '?' },
      { kind: 'escape', text: '$' },
    ]);
  });
});

describe('resolve', () => {
  it('substitutes single-valued keys case-insensitively', () => {
    const t = parseTemplate('home/${AWS:UserName}')!;
    expect(resolveText(t, ctx({ 'aws:username': 'bob' }))).toBe('home/bob');
  });

  it('uses the default for an absent key and leaves the value unresolved without one', () => {
    expect(resolveText(parseTemplate("${aws:username, 'anon'}")!, ctx({}))).toBe('anon');
    expect(resolveText(parseTemplate('${aws:username}')!, ctx({}))).toBeNull();
  });

  it('does not resolve a multivalued key', () => {
    expect(
      resolveText(
        parseTemplate('${token:cognito:groups}')!,
        ctx({ 'token:cognito:groups': ['a'] }),
      ),
    ).toBeNull();
  });

  it('marks substituted values and escapes literal, text wild', () => {
    expect(resolvePieces(parseTemplate('x/${k:v}/${*}*')!, ctx({ 'k:v': 'a*' }))).toEqual([
      { text: 'x/', wild: true },
      { text: 'a*', wild: false },
      { text: '/', wild: true },
      { text: '*', wild: false },
      { text: '*', wild: true },
    ]);
  });
});

describe('variables in Resource', () => {
  const policy = (resource: string, version = '2012-10-17') =>
    parsePolicy({
      Version: version,
      Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: resource }],
    });
  const decide = (
    resource: string,
    request: string,
    context: Record<string, string | string[]>,
    version?: string,
  ) =>
    evaluate({
      request: { action: 's3:GetObject', resource: request, context },
      identityPolicies: [policy(resource, version)],
    }).decision;

  it('scopes a resource to the caller', () => {
    const r = 'arn:aws:s3:::media/uploads/${token:sub}/*';
    expect(decide(r, 'arn:aws:s3:::media/uploads/u1/a.jpg', { 'token:sub': 'u1' })).toBe('Allow');
    expect(decide(r, 'arn:aws:s3:::media/uploads/u2/a.jpg', { 'token:sub': 'u1' })).toBe(
      'ImplicitDeny',
    );
  });

  it('never widens: unresolved, multivalued or wildcard values match nothing extra', () => {
    const r = 'arn:aws:s3:::media/uploads/${token:sub}/*';
    expect(decide(r, 'arn:aws:s3:::media/uploads/u1/a', {})).toBe('ImplicitDeny');
    expect(decide(r, 'arn:aws:s3:::media/uploads/u1/a', { 'token:sub': ['u1'] })).toBe(
      'ImplicitDeny',
    );
    expect(decide(r, 'arn:aws:s3:::media/uploads/u1/a', { 'token:sub': '*' })).toBe('ImplicitDeny');
    expect(decide(r, 'arn:aws:s3:::media/uploads/*/a', { 'token:sub': '*' })).toBe('Allow');
  });

  it('matches a literal star through ${*}', () => {
    expect(decide('arn:aws:s3:::b/${*}', 'arn:aws:s3:::b/*', {})).toBe('Allow');
    expect(decide('arn:aws:s3:::b/${*}', 'arn:aws:s3:::b/x', {})).toBe('ImplicitDeny');
  });

  it('NotResource with an unresolved variable is false: the statement does not apply', () => {
    const p = parsePolicy({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:*', Resource: '*' },
        { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::b/${aws:username}/*' },
      ],
    });
    const request = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/x/k' };
    expect(evaluate({ request: { ...request, context: {} }, identityPolicies: [p] }).decision).toBe(
      'Allow',
    );
    expect(
      evaluate({
        request: { ...request, context: { 'aws:username': 'bob' } },
        identityPolicies: [p],
      }).decision,
    ).toBe('ExplicitDeny');
    const allowAll = parsePolicy({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::b/${aws:username}/*' },
      ],
    });
    expect(
      evaluate({ request: { ...request, context: {} }, identityPolicies: [allowAll] }).decision,
    ).toBe('ImplicitDeny');
  });

  it('a Resource list still matches through its other patterns', () => {
    const p = parsePolicy({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::b/${aws:username}/*', 'arn:aws:s3:::b/public/*'],
        },
      ],
    });
    expect(
      evaluate({
        request: { action: 's3:GetObject', resource: 'arn:aws:s3:::b/public/k' },
        identityPolicies: [p],
      }).decision,
    ).toBe('Allow');
  });

  it('is literal text under 2008-10-17', () => {
    const r = 'arn:aws:s3:::b/${aws:username}';
    expect(decide(r, 'arn:aws:s3:::b/bob', { 'aws:username': 'bob' }, '2008-10-17')).toBe(
      'ImplicitDeny',
    );
    expect(
      decide(r, 'arn:aws:s3:::b/${aws:username}', { 'aws:username': 'bob' }, '2008-10-17'),
    ).toBe('Allow');
  });

  it('is not applied to Action', () => {
    const p = parsePolicy({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:${x:y}', Resource: '*' }],
    });
    const r = evaluate({
      request: { action: 's3:Get', resource: 'r', context: { 'x:y': 'Get' } },
      identityPolicies: [p],
    });
    expect(r.decision).toBe('ImplicitDeny');
  });
});

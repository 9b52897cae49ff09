import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderPolicy, renderString, renderTags, unsafeClaimValue } from '../src/index.js';

const template = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::bucket/uploads/${token:sub}/*',
    },
  ],
};

describe('renderString', () => {
  it('fills placeholders from claims and leaves other policy variables to AWS', () => {
    expect(renderString('u/${token:sub}/${aws:username}', { sub: 'abc' })).toEqual({
      ok: true,
      value: 'u/abc/${aws:username}',
    });
  });
  it.each([
    ['*', 'wildcard'],
    ['a?b', 'single-char wildcard'],
    ['${aws:username}', 'policy variable'],
    ['a"b', 'quote'],
    ['a\\b', 'backslash'],
    ['a\nb', 'control char'],
    ['a/../b', 'dot-dot'],
    ['', 'empty'],
    ['x'.repeat(257), 'over-long'],
  ])('refuses %j (%s) as ClaimUnsafe', (value) => {
    expect(renderString('${token:sub}', { sub: value })).toMatchObject({
      ok: false,
      reason: 'ClaimUnsafe',
      claim: 'sub',
    });
  });
  it('refuses multivalued and non-string claims', () => {
    expect(renderString('${token:g}', { g: ['a'] })).toMatchObject({
      ok: false,
      reason: 'ClaimUnsafe',
    });
    expect(renderString('${token:n}', { n: 5 })).toMatchObject({
      ok: false,
      reason: 'ClaimUnsafe',
    });
  });
  it('refuses a missing claim as ClaimMissing', () => {
    expect(renderString('${token:nope}', {})).toMatchObject({
      ok: false,
      reason: 'ClaimMissing',
      claim: 'nope',
    });
  });
  it('does not read inherited properties as claims', () => {
    expect(renderString('${token:constructor}', {})).toMatchObject({
      ok: false,
      reason: 'ClaimMissing',
    });
  });
});

describe('renderPolicy', () => {
  it('renders into string values without touching the template', () => {
    const r = renderPolicy(template, { sub: 'abc' });
    expect(r).toMatchObject({ ok: true });
    expect(JSON.stringify(r.ok && r.value)).toContain('uploads/abc/*');
    expect(template.Statement[0]!.Resource).toContain('${token:sub}');
  });

  it('never yields a wildcard or a broken-out JSON string, whatever the claim (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (sub) => {
        const r = renderPolicy(template, { sub });
        if (!r.ok) {
          expect(r.reason).toBe('ClaimUnsafe');
          return;
        }
        const text = JSON.stringify(r.value);
        const back = JSON.parse(text);
        // Structure unchanged: exactly one statement with the same keys, the value in place literally.
        expect(Object.keys(back.Statement[0])).toEqual(['Effect', 'Action', 'Resource']);
        expect(back.Statement[0].Resource).toBe(`arn:aws:s3:::bucket/uploads/${sub}/*`);
        expect(sub).not.toMatch(/[*?${}"\\]/);
        expect(sub).not.toContain('..');
        expect(sub).not.toContain('/');
        expect(unsafeClaimValue(sub, 'policy')).toBeUndefined();
      }),
    );
  });

  it('refuses a path separator in a policy, where it would reach into another prefix', () => {
    expect(renderPolicy(template, { sub: 'red/secret' })).toMatchObject({
      ok: false,
      reason: 'ClaimUnsafe',
      claim: 'sub',
    });
  });

  it.each([
    ['white space, which would break an ARN', 'red team'],
    ['a non-breaking space', 'red\u00a0team'],
    ['a character beyond U+00FF, which STS refuses in a policy', 'red\u4e00'],
  ])('refuses %s in a policy', (_, value) => {
    expect(renderPolicy(template, { sub: value })).toMatchObject({
      ok: false,
      reason: 'ClaimUnsafe',
      claim: 'sub',
    });
  });

  it('renders Latin-1 letters into a policy (within STS pattern)', () => {
    expect(renderPolicy(template, { sub: 'jos\u00e9' })).toMatchObject({ ok: true });
  });
});

describe('a path separator outside policies', () => {
  it('is refused in a session tag, which role policies read back as ${aws:PrincipalTag/...}', () => {
    expect(renderTags({ sub: '${token:t}' }, { t: 'red/secret' })).toMatchObject({
      ok: false,
      reason: 'ClaimUnsafe',
      claim: 't',
    });
  });

  it('is refused in a SourceIdentity template', () => {
    expect(renderString('${token:cognito:username}', { 'cognito:username': 'a/b' })).toMatchObject({
      ok: false,
      reason: 'ClaimUnsafe',
    });
  });

  it('leaves white space to STS pattern in a tag value (tags may carry spaces)', () => {
    expect(renderTags({ name: '${token:name}' }, { name: 'Ada Lovelace' })).toMatchObject({
      ok: true,
    });
  });
});

describe('renderTags', () => {
  it('renders values, keeps keys', () => {
    expect(
      renderTags({ team: '${token:custom:team}', fixed: 'x' }, { 'custom:team': 'blue' }),
    ).toEqual({
      ok: true,
      value: [
        { Key: 'team', Value: 'blue' },
        { Key: 'fixed', Value: 'x' },
      ],
    });
  });
});

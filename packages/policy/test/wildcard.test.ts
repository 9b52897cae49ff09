import { describe, expect, it } from 'vitest';
import { compileGlob, compilePieces, describeGlob, exactGlob, matchGlob } from '../src/wildcard.js';

const m = (pattern: string, value: string) => matchGlob(compileGlob(pattern), value);

describe('compileGlob', () => {
  it('classifies the fast paths', () => {
    expect(compileGlob('*').kind).toBe('any');
    expect(compileGlob('**').kind).toBe('any');
    expect(compileGlob('abc').kind).toBe('exact');
    expect(compileGlob('abc*').kind).toBe('prefix');
    expect(compileGlob('*abc').kind).toBe('suffix');
    expect(compileGlob('a*b').kind).toBe('general');
    expect(compileGlob('a?c').kind).toBe('general');
  });

  it('describes a pattern as written', () => {
    for (const p of ['*', 'abc', 'abc*', '*abc', 'a*b?c*'])
      expect(describeGlob(compileGlob(p))).toBe(p);
  });
});

describe('matchGlob', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything', true],
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
    ['abc', 'ABC', false],
    ['s3:get*', 's3:getobject', true],
    ['s3:get*', 's3:putobject', false],
    ['*object', 's3:getobject', true],
    ['*object', 's3:getobjects', false],
    ['a*c', 'ac', true],
    ['a*c', 'abbbc', true],
    ['a*c', 'abbbcd', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a?c', 'abbc', false],
    ['?', '', false],
    ['?', 'x', true],
    ['??', 'x', false],
    ['*?', '', false],
    ['*?', 'x', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['a*ab', 'aab', true],
    ['a*aa', 'aaa', true],
    ['a*aa', 'aa', false],
    ['*a*', 'bab', true],
    ['*a*', 'bbb', false],
    ['x*?y', 'xy', false],
    ['x*?y', 'xzy', true],
    ['*ab?d*', 'zzabcdzz', true],
    ['*ab?d*', 'zzabdzz', false],
    ['a*b?', 'abbb', true],
  ])('%s vs %s → %s', (pattern, value, expected) => {
    expect(m(pattern, value)).toBe(expected);
  });

  it('treats literal pieces literally (policy-variable values)', () => {
    const g = compilePieces([
      { text: 'home/', wild: true },
      { text: 'a*?', wild: false },
      { text: '/*', wild: true },
    ]);
    expect(matchGlob(g, 'home/a*?/x')).toBe(true);
    expect(matchGlob(g, 'home/abc/x')).toBe(false);
    expect(matchGlob(exactGlob('a*'), 'a*')).toBe(true);
    expect(matchGlob(exactGlob('a*'), 'ab')).toBe(false);
  });

  it('finishes on adversarial patterns against a 100 KB value', () => {
    const value = 'a'.repeat(100_000);
    const stars = `${'a*'.repeat(500)}b`;
    expect(m(stars, value)).toBe(false);
    expect(m(`${'a*'.repeat(500)}a`, value)).toBe(true);
    expect(m(`${'*?'.repeat(300)}b`, value)).toBe(false);
    expect(m(`*${'a'.repeat(50)}b*`, value)).toBe(false);
    expect(m(`${'*a?'.repeat(200)}*b*`, value)).toBe(false);
  });
});

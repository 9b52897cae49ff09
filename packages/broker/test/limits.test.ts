import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkSessionName,
  checkSourceIdentity,
  checkTagKey,
  checkTagValue,
} from '../src/limits.js';

describe('STS limits', () => {
  it('tag keys: 1..128 of the STS charset, not aws:', () => {
    expect(checkTagKey('team')).toBeUndefined();
    expect(checkTagKey('cost-center:ü_1/=+@.')).toBeUndefined();
    expect(checkTagKey('')).toBeDefined();
    expect(checkTagKey('k'.repeat(129))).toBeDefined();
    expect(checkTagKey('a#b')).toBeDefined();
    expect(checkTagKey('aws:foo')).toBeDefined();
  });
  it('tag values: ≤ 256 of the STS charset', () => {
    expect(checkTagValue('')).toBeUndefined();
    expect(checkTagValue('v'.repeat(256))).toBeUndefined();
    expect(checkTagValue('v'.repeat(257))).toBeDefined();
    expect(checkTagValue('a*b')).toBeDefined();
  });
  it('SourceIdentity: 2..64 of [\\w+=,.@-], never aws:', () => {
    expect(checkSourceIdentity('alice@example.com')).toBeUndefined();
    expect(checkSourceIdentity('a')).toBeDefined();
    expect(checkSourceIdentity('x'.repeat(65))).toBeDefined();
    expect(checkSourceIdentity('aws:alice')).toBeDefined();
  });
  it('anything a check accepts is within the charset (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        if (checkSessionName(s) === undefined) expect(s).toMatch(/^[\w+=,.@-]{2,64}$/);
        if (checkSourceIdentity(s) === undefined) expect(s.startsWith('aws:')).toBe(false);
      }),
    );
  });
});

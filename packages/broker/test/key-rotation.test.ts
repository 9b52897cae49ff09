import { describe, expect, it } from 'vitest';
import { generateSigner } from '../src/adapters/file-signer.js';
import { activeKey, publishedKeys, retiredKeys, SignerError } from '../src/index.js';

const at = (s: string) => new Date(`2026-11-29T${s}Z`);
const options = { tokenLifetimeSeconds: 300, leewaySeconds: 60 };

describe('the rotation schedule', () => {
  const a = { signer: generateSigner(), signsFrom: at('10:00:00') };
  const b = { signer: generateSigner(), signsFrom: at('12:00:00') };
  const keys = [b, a];

  it('publishes a new key before it signs', () => {
    const t = at('11:55:00');
    expect(activeKey(keys, t).kid).toBe(a.signer.kid);
    expect(publishedKeys(keys, t, options).map((k) => k.kid)).toEqual([b.signer.kid, a.signer.kid]);
  });

  it('the new key signs from its instant; the old one stays published while its tokens can be valid', () => {
    const t = at('12:05:59');
    expect(activeKey(keys, t).kid).toBe(b.signer.kid);
    expect(publishedKeys(keys, t, options).map((k) => k.kid)).toEqual([b.signer.kid, a.signer.kid]);
  });

  it('drops the old key once no token it signed can still be valid (lifetime + leeway)', () => {
    const t = at('12:06:00');
    expect(publishedKeys(keys, t, options).map((k) => k.kid)).toEqual([b.signer.kid]);
    expect(retiredKeys(keys, t, options).map((k) => k.signer.kid)).toEqual([a.signer.kid]);
  });

  it('refuses to sign before any key may (NoSigningKey)', () => {
    expect(() => activeKey(keys, at('09:00:00'))).toThrow(SignerError);
    try {
      activeKey([], at('09:00:00'));
    } catch (err) {
      expect((err as SignerError).code).toBe('NoSigningKey');
    }
  });
});

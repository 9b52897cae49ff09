import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sessionName } from '../src/index.js';
import { token } from './fixtures.js';

describe('sessionName', () => {
  it('is the username and a suffix derived from the verified token', () => {
    const name = sessionName(token());
    expect(name).toMatch(/^alice-[0-9a-f]{10}$/);
    expect(sessionName(token())).toBe(name);
  });
  it('tells two tokens of the same user apart', () => {
    expect(sessionName(token({ claims: { jti: 'a' } }))).not.toBe(
      sessionName(token({ claims: { jti: 'b' } })),
    );
  });
  it('is always within STS charset and length, whatever the username', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string(), (username, jti) => {
        const name = sessionName(token({ username, claims: { jti } }));
        expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
      }),
    );
  });
});

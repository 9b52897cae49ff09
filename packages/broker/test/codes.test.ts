import { describe, expect, it } from 'vitest';
import { answerFor, CODES, type Code, isCode, isFailureCode } from '../src/index.js';

const codes = Object.keys(CODES) as Code[];

describe('the code table', () => {
  it('answers every code to every audience with a code that audience may see', () => {
    for (const code of codes) {
      for (const audience of ['caller', 'admin'] as const) {
        const answer = answerFor(code, audience);
        const shown = CODES[answer.code];
        expect(
          shown.seenBy === 'caller' || (shown.seenBy === 'admin' && audience === 'admin'),
        ).toBe(true);
        expect(answer.status).toBe(shown.status);
        expect(answer.message).toBe(shown.message);
        expect(answer.retryAfterSeconds !== undefined).toBe(
          answer.status === 503 || answer.status === 429,
        );
      }
    }
  });

  it('hides every audit-only code behind a stand-in of the same class', () => {
    for (const code of codes.filter((c) => CODES[c].seenBy === 'audit')) {
      const answer = answerFor(code, 'admin');
      expect(answer.code).not.toBe(code);
      expect(isFailureCode(answer.code)).toBe(isFailureCode(code));
    }
  });

  it('tells a role that does not exist and a role not trusted apart only in the audit log', () => {
    const shown = [
      'BindingNotFound',
      'BindingDisabled',
      'TrustDenied',
      'EvaluationFailed',
      'StsAccessDenied',
    ].map((c) => answerFor(c as Code, 'caller'));
    expect(new Set(shown.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(shown[0]).toMatchObject({ code: 'RoleNotPermitted', status: 403 });
    expect(answerFor('BindingNotFound', 'admin')).toMatchObject({
      code: 'BindingNotFound',
      status: 404,
    });
  });

  it('marks 5xx codes as failures and keeps the configured Retry-After', () => {
    expect(isFailureCode('StoreUnavailable')).toBe(true);
    expect(isFailureCode('TrustDenied')).toBe(false);
    expect(answerFor('ConfigInvalid', 'caller')).toMatchObject({
      code: 'ServiceUnavailable',
      retryAfterSeconds: 30,
    });
    expect(answerFor('StsThrottled', 'caller').retryAfterSeconds).toBe(2);
  });

  it('knows its own codes only', () => {
    expect(isCode('TokenExpired')).toBe(true);
    expect(isCode('toString')).toBe(false);
    expect(isCode('ECONNREFUSED')).toBe(false);
  });
});

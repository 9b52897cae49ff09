import { LoginError, TesseraApiError, TesseraClientError } from '@tessera/client';
import { describe, expect, it } from 'vitest';
import { PendingLoginMissing } from '../src/auth.js';
import { readable } from '../src/errors.js';

describe('readable: errors in words, by class and code', () => {
  it('an expired or refused session asks to sign in again', () => {
    for (const err of [
      new TesseraApiError({ status: 401, code: 'InvalidToken' }),
      new LoginError('RefreshFailed', 'x'),
      new TesseraClientError('NotLoggedIn', 'x'),
      new PendingLoginMissing(),
    ]) {
      expect(readable(err).signIn).toBe(true);
    }
    expect(readable(new LoginError('RefreshFailed', 'x')).message).toBe(
      'Your session has expired. Sign in again.',
    );
  });

  it('a stale save is a conflict in words, not a sign-in', () => {
    const r = readable(new TesseraApiError({ status: 412, code: 'BindingVersionConflict' }));
    expect(r).toEqual({
      message:
        'Someone else changed this binding after you opened it. Reload it to see their change, then apply yours again.',
      signIn: false,
    });
  });

  it('a 5xx shows no server detail, only the code and when to retry', () => {
    const err = new TesseraApiError(
      { status: 503, code: 'ServiceUnavailable', detail: 'dynamodb: connect ECONNREFUSED' },
      2,
    );
    expect(readable(err).message).toBe(
      'The service is unavailable. (ServiceUnavailable) Try again in 2 s.',
    );
  });

  it('anything else is never shown raw', () => {
    expect(readable(new Error('secret internals'))).toEqual({
      message: 'Something went wrong. Reload the page.',
      signIn: false,
    });
  });
});

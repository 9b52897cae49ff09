/**
 * Errors in words for people, by the error's class and stable `code` (never its message text).
 * `signIn` says the way out is signing in again.
 */
import { LoginError, TesseraApiError, TesseraClientError } from '@tessera/client';
import { PendingLoginMissing } from './auth.js';

export interface Readable {
  readonly message: string;
  readonly signIn: boolean;
}

export function readable(err: unknown): Readable {
  if (err instanceof TesseraApiError) return apiError(err);
  if (err instanceof LoginError) {
    const signIn = true;
    switch (err.code) {
      case 'RefreshFailed':
        return { message: 'Your session has expired. Sign in again.', signIn };
      case 'StateMismatch':
      case 'AuthorizationDenied':
        return { message: `The sign-in did not complete (${err.code}). Try again.`, signIn };
      default:
        return { message: `Sign-in failed (${err.code}). Try again.`, signIn };
    }
  }
  if (err instanceof PendingLoginMissing) {
    return { message: 'This sign-in was not started from this tab. Sign in again.', signIn: true };
  }
  if (err instanceof TesseraClientError) {
    switch (err.code) {
      case 'NotLoggedIn':
        return { message: 'You are signed out. Sign in to continue.', signIn: true };
      case 'NetworkError':
        return {
          message: 'The Tessera API cannot be reached. Check your connection.',
          signIn: false,
        };
      default:
        return { message: `Unexpected answer from the API (${err.code}).`, signIn: false };
    }
  }
  return { message: 'Something went wrong. Reload the page.', signIn: false };
}

function apiError(err: TesseraApiError): Readable {
  if (err.status === 401)
    return { message: 'Your session has expired. Sign in again.', signIn: true };
  switch (err.code) {
    case 'RoleNotPermitted':
      return { message: 'You may not use this role (or it does not exist).', signIn: false };
    case 'AdminRequired':
      return { message: 'Only Tessera administrators may do this.', signIn: false };
    case 'BindingVersionConflict':
      return {
        message:
          'Someone else changed this binding after you opened it. Reload it to see their change, then apply yours again.',
        signIn: false,
      };
    default: {
      const retry = err.retryAfter ? ` Try again in ${err.retryAfter} s.` : '';
      const detail = err.status >= 500 ? 'The service is unavailable.' : err.message;
      return { message: `${detail} (${err.code})${retry}`, signIn: false };
    }
  }
}

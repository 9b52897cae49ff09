/**
 * The CLI's own errors (usage and local problems) and the exit code of every error the CLI can
 * meet. Exit codes are documented in packages/cli/README.md; never renumber one.
 */
import { LoginError, TesseraApiError, TesseraClientError } from '@tessera/client';

export type CliErrorCode =
  | 'UsageError'
  | 'NoTarget'
  | 'FileUnreadable'
  | 'BindingsInvalid'
  | 'CommandFailed'
  | 'BrowserUnavailable';

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** Not signed in, or the token / sign-in was refused (401). */
  auth: 3,
  /** Refused (403). */
  forbidden: 4,
  /** A conditional write lost (412), or a precondition is missing (428). */
  conflict: 5,
  /** Invalid input: a file, a binding, a request (400, 404, 413, 415, 422). */
  invalid: 6,
  /** The API or the pool could not be reached, or answered 5xx. */
  unavailable: 7,
} as const;

const CLI_EXIT: Record<CliErrorCode, number> = {
  UsageError: EXIT.usage,
  NoTarget: EXIT.usage,
  FileUnreadable: EXIT.invalid,
  BindingsInvalid: EXIT.invalid,
  CommandFailed: EXIT.failure,
  BrowserUnavailable: EXIT.failure,
};

export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return CLI_EXIT[err.code];
  if (err instanceof LoginError) return EXIT.auth;
  if (err instanceof TesseraClientError) {
    switch (err.code) {
      case 'NotLoggedIn':
        return EXIT.auth;
      case 'NetworkError':
        return EXIT.unavailable;
      case 'InvalidAnswer':
        return EXIT.unavailable;
      case 'InvalidConfig':
        return EXIT.usage;
    }
  }
  if (err instanceof TesseraApiError) {
    if (err.status === 401) return EXIT.auth;
    if (err.status === 403) return EXIT.forbidden;
    if (err.status === 412 || err.status === 428) return EXIT.conflict;
    if (err.status >= 500) return EXIT.unavailable;
    return EXIT.invalid;
  }
  return EXIT.failure;
}

/** The stable code printed with an error. */
export function codeOf(err: unknown): string {
  if (err instanceof CliError || err instanceof LoginError || err instanceof TesseraClientError) {
    return err.code;
  }
  if (err instanceof TesseraApiError) return err.code;
  return 'InternalError';
}

/** One hint per code the user can act on. */
export function hintOf(err: unknown): string | undefined {
  if (err instanceof CliError) return err.hint;
  const code = codeOf(err);
  if (err instanceof TesseraApiError && err.status === 401) return 'sign in again: tessera login';
  if (err instanceof TesseraApiError && err.status === 404 && code.startsWith('Http')) {
    return 'this API does not serve the route (an older deployment?)';
  }
  switch (code) {
    case 'NotLoggedIn':
    case 'RefreshFailed':
      return 'sign in: tessera login';
    case 'NotAuthorized':
      return 'check the username and password (local stack: .tessera/local.json lists them)';
    case 'RoleNotPermitted':
      return 'tessera roles lists the roles you may use; tessera simulate --role R says why not';
    case 'AdminRequired':
      return `this needs the administrators' group`;
    case 'BindingVersionConflict':
    case 'BindingExists':
      return 'the stored binding changed since your file was written: tessera bindings diff, then update the file (tessera bindings get ID)';
    case 'NetworkError':
      return 'is the API running? (tessera dev starts the local stack; --api or TESSERA_API point elsewhere)';
    case 'ServiceUnavailable':
      return 'retry in a moment';
    default:
      return undefined;
  }
}

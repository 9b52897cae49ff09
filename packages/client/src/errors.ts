/**
 * The client's errors, by stage: an answer of the API (`TesseraApiError`, the problem+json with
 * its stable `code`), sign-in (`LoginError`), and the client's own (`TesseraClientError`). Classify
 * by `code`, never by message text.
 */

/** One problem of an invalid document, as the API lists it. */
export interface ProblemIssue {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

/** An `application/problem+json` answer (RFC 9457) as the API sends it. */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status: number;
  readonly code: string;
  readonly detail?: string;
  readonly field?: string;
  readonly issues?: readonly ProblemIssue[];
}

/** A problem answer of the Tessera API. `code` is the API's stable code (`RoleNotPermitted`, ...). */
export class TesseraApiError extends Error {
  override readonly name = 'TesseraApiError';
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly issues: readonly ProblemIssue[];
  /** Seconds from `Retry-After` on a 503, when given. */
  readonly retryAfter: number | undefined;

  constructor(problem: Problem, retryAfter?: number) {
    super(problem.detail ?? problem.title ?? problem.code);
    this.status = problem.status;
    this.code = problem.code;
    this.field = problem.field;
    this.issues = problem.issues ?? [];
    this.retryAfter = retryAfter;
  }
}

export type LoginErrorCode =
  /** The user pool refused the username or password. */
  | 'NotAuthorized'
  /** The redirect's `state` is not the one this login sent (a forged or crossed redirect). */
  | 'StateMismatch'
  /** The hosted UI redirected back with `error=...`. */
  | 'AuthorizationDenied'
  /** The token endpoint refused the code or the refresh token. */
  | 'TokenRequestFailed'
  /** No refresh token, or it was refused: sign in again. */
  | 'RefreshFailed'
  /** No free registered loopback callback port. */
  | 'NoCallbackPort'
  /** The browser did not come back in time. */
  | 'LoginTimeout';

export class LoginError extends Error {
  override readonly name = 'LoginError';
  constructor(
    readonly code: LoginErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type ClientErrorCode =
  /** No stored session: `tessera login` first. */
  | 'NotLoggedIn'
  /** The server could not be reached. */
  | 'NetworkError'
  /** The server answered something that is not the documented shape. */
  | 'InvalidAnswer'
  /** The client was configured wrongly (missing API URL, pool, ...). */
  | 'InvalidConfig';

export class TesseraClientError extends Error {
  override readonly name = 'TesseraClientError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}

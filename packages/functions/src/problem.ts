/**
 * Every failure as an `application/problem+json` answer (RFC 9457) with a stable `code`. The
 * status comes from the error's code through one table; 5xx answers carry no internals (the log
 * has them); a deny names its code, not the policy.
 */
import { BindingError, BrokerError, type BrokerErrorCode, type FieldIssue } from '@tessera/broker';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  AdminRequiredError,
  ConfigError,
  HttpInputError,
  type HttpInputErrorCode,
  type InputIssue,
} from './errors.js';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  /**
   * What is wrong: a JSON Pointer into the request body (`/durationSeconds`, `''` for the whole
   * body), or — when `in` says so — the name of the header, path or query parameter.
   */
  readonly field?: string;
  /** Set when `field` names a header or a path/query parameter rather than a body pointer. */
  readonly in?: 'header' | 'path' | 'query';
  /** Every problem of the input (`BindingInvalid`, `InvalidRequest`), each with its pointer. */
  readonly issues?: readonly (FieldIssue | InputIssue)[];
}

/** HTTP status per broker code. A Record, so a new code does not compile until it is mapped. */
const STATUS: Record<BrokerErrorCode, number> = {
  TokenMissing: 401,
  TokenMalformed: 401,
  TokenExpired: 401,
  TokenNotYetValid: 401,
  TokenIssuerUnknown: 401,
  TokenAudienceMismatch: 401,
  TokenUseMismatch: 401,
  TokenSignatureInvalid: 401,
  TokenInvalid: 401,
  JwksUnavailable: 503,
  InvalidRequest: 400,
  DurationTooShort: 422,
  DurationInvalid: 422,
  BindingInvalid: 422,
  BindingNotFound: 404,
  // Binding writes are conditional requests (If-Match: "<version>"; no If-Match: create only), so
  // a failed condition is 412 Precondition Failed.
  BindingVersionConflict: 412,
  BindingExists: 412,
  RoleNotPermitted: 403,
  ClaimMissing: 403,
  ClaimUnsafe: 403,
  ScopeDownInvalid: 422,
  ScopeDownConflict: 422,
  SessionPolicyTooLarge: 422,
  TooManyTags: 403,
  TagInvalid: 403,
  SourceIdentityInvalid: 403,
  SessionNameInvalid: 403,
  StsThrottled: 503,
  StsAccessDenied: 403,
  StsRegionDisabled: 503,
  StsCredentialsExpired: 503,
  StsLimitExceeded: 503,
  StsRequestRejected: 503,
  StsUnavailable: 503,
  StoreUnavailable: 503,
  AuditUnavailable: 503,
};

const HTTP_INPUT_STATUS: Record<HttpInputErrorCode, number> = {
  InvalidJson: 400,
  InvalidRequest: 400,
  UnsupportedMediaType: 415,
  PayloadTooLarge: 413,
  PreconditionRequired: 428,
  RouteNotFound: 404,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Seconds a 503 asks the caller to wait. */
export const DEFAULT_RETRY_AFTER_SECONDS = 2;

function make(
  status: number,
  code: string,
  detail: string,
  field?: string,
  issues?: readonly (FieldIssue | InputIssue)[],
  location: HttpInputError['location'] = 'body',
): Problem {
  return {
    type: `urn:tessera:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    ...(field === undefined ? {} : { field }),
    ...(field === undefined || location === 'body' ? {} : { in: location }),
    ...(issues === undefined || issues.length === 0 ? {} : { issues }),
  };
}

/** The problem answered for an error, and extra headers. */
export function problemFor(err: unknown): { problem: Problem; headers: Record<string, string> } {
  if (err instanceof BrokerError) {
    const status = STATUS[err.code];
    if (status === 401) {
      return {
        problem: make(401, err.code, 'a valid bearer token is required'),
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      };
    }
    if (status >= 500) {
      const retry =
        'retryAfterSeconds' in err && typeof err.retryAfterSeconds === 'number'
          ? err.retryAfterSeconds
          : DEFAULT_RETRY_AFTER_SECONDS;
      return {
        problem: make(
          503,
          'ServiceUnavailable',
          'the service is temporarily unavailable; retry later',
        ),
        headers: { 'Retry-After': String(retry) },
      };
    }
    const withField = status === 400 || status === 422 ? err.field : undefined;
    const issues = err instanceof BindingError && status === 422 ? err.issues : undefined;
    return { problem: make(status, err.code, err.message, withField, issues), headers: {} };
  }
  if (err instanceof AdminRequiredError) {
    return { problem: make(403, err.code, err.message), headers: {} };
  }
  if (err instanceof HttpInputError) {
    const status = HTTP_INPUT_STATUS[err.code];
    return {
      problem: make(status, err.code, err.message, err.field, err.issues, err.location),
      headers: {},
    };
  }
  if (err instanceof ConfigError) {
    return {
      problem: make(503, 'ServiceUnavailable', 'the service is not configured; retry later'),
      headers: { 'Retry-After': '30' },
    };
  }
  // Errors from middy's own middlewares carry an HTTP status.
  const status = (err as { statusCode?: unknown })?.statusCode;
  if (status === 415) {
    const malformed = /malformed/i.test(String((err as Error).message));
    return malformed
      ? { problem: make(400, 'InvalidJson', 'the body is not valid JSON'), headers: {} }
      : {
          problem: make(415, 'UnsupportedMediaType', 'send Content-Type: application/json'),
          headers: {},
        };
  }
  return { problem: make(500, 'InternalError', 'internal error'), headers: {} };
}

export function problemResponse(err: unknown): APIGatewayProxyStructuredResultV2 {
  const { problem, headers } = problemFor(err);
  return {
    statusCode: problem.status,
    headers: {
      'Content-Type': 'application/problem+json',
      'Cache-Control': 'no-store',
      ...headers,
    },
    body: JSON.stringify(problem),
  };
}

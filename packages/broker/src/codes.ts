/**
 * Every outcome Tessera can reach, as one code union, and the one table that says for each code
 * its HTTP status, who may see it, and the caller's message. The audit event's `reason`, a
 * pipeline Deny or Failure, a port's error and a problem+json answer all carry one of these codes:
 * never rename one; add new ones.
 *
 * Who may see a code (`seenBy`):
 * - `caller`: anyone it is answered to;
 * - `admin`: members of the administrators' group on the admin routes; anyone else is answered
 *   `answeredAs` instead;
 * - `audit`: nobody: the audit log and the operator's log keep it; the caller is answered
 *   `answeredAs` (a role that does not exist and a role the caller may not use answer the same
 *   `RoleNotPermitted`; every fault of a dependency answers `ServiceUnavailable`).
 *
 * Status >= 500 marks a Failure (the request could not be decided); anything else a Deny.
 */

export type Code =
  | 'Granted'
  // verify: the token
  | 'TokenMissing'
  | 'TokenMalformed'
  | 'TokenExpired'
  | 'TokenNotYetValid'
  | 'TokenIssuerUnknown'
  | 'TokenAudienceMismatch'
  | 'TokenUseMismatch'
  | 'TokenSignatureInvalid'
  | 'TokenInvalid'
  | 'JwksUnavailable'
  // verify: the request (and the HTTP layer's own input checks)
  | 'InvalidRequest'
  | 'InvalidJson'
  | 'UnsupportedMediaType'
  | 'PayloadTooLarge'
  | 'PreconditionRequired'
  | 'RouteNotFound'
  | 'MethodNotAllowed'
  | 'DurationTooShort'
  | 'DurationInvalid'
  | 'AdminRequired'
  | 'RateLimited'
  // bindings (admin writes and reads)
  | 'BindingInvalid'
  | 'BindingNotFound'
  | 'BindingVersionConflict'
  | 'BindingExists'
  | 'RoleNotTargetable'
  // audit reads (administrators)
  | 'AuditEventNotFound'
  // revocations (the kill switch: admin writes, and the decide stage's refusal)
  | 'SubjectRevoked'
  | 'RevocationNotFound'
  | 'RevocationPolicyTooLarge'
  // decide: trust
  | 'BindingDisabled'
  | 'TrustDenied'
  | 'EvaluationFailed'
  | 'RoleNotPermitted'
  // decide: scope-down, rendering, STS limits
  | 'ClaimMissing'
  | 'ClaimUnsafe'
  | 'ScopeDownInvalid'
  | 'ScopeDownConflict'
  | 'SessionPolicyTooLarge'
  | 'TooManyTags'
  | 'TagInvalid'
  | 'SourceIdentityInvalid'
  | 'SessionNameInvalid'
  // mint: STS
  | 'StsAccessDenied'
  | 'StsThrottled'
  | 'StsRegionDisabled'
  | 'StsCredentialsExpired'
  | 'StsLimitExceeded'
  | 'StsRequestRejected'
  | 'StsUnavailable'
  // stores, configuration, the unexpected
  | 'StoreUnavailable'
  | 'AuditUnavailable'
  | 'ConfigInvalid'
  | 'ServiceUnavailable'
  | 'InternalError';

export type Audience = 'caller' | 'admin';

export interface CodeRow {
  readonly status: number;
  readonly seenBy: 'caller' | 'admin' | 'audit';
  /** What is answered to whoever may not see this code. */
  readonly answeredAs?: Code;
  /** The caller's message: plain words, never a policy's text, a claim value or an internal. */
  readonly message: string;
  /** Seconds a 503 or a 429 asks the caller to wait. */
  readonly retryAfterSeconds?: number;
}

const TOKEN: CodeRow = {
  status: 401,
  seenBy: 'caller',
  message: 'a valid bearer token is required',
};
const NOT_PERMITTED: CodeRow = {
  status: 403,
  seenBy: 'audit',
  answeredAs: 'RoleNotPermitted',
  message: 'the caller may not use this role',
};
const UNAVAILABLE: CodeRow = {
  status: 503,
  seenBy: 'audit',
  answeredAs: 'ServiceUnavailable',
  message: 'the service is temporarily unavailable; retry later',
};
const SCOPE = (status: number, message: string): CodeRow => ({ status, seenBy: 'caller', message });

/** The table. A Record over the union: a new code does not compile until it has its row. */
export const CODES: Readonly<Record<Code, CodeRow>> = {
  Granted: { status: 200, seenBy: 'caller', message: 'granted' },
  TokenMissing: TOKEN,
  TokenMalformed: TOKEN,
  TokenExpired: TOKEN,
  TokenNotYetValid: TOKEN,
  TokenIssuerUnknown: TOKEN,
  TokenAudienceMismatch: TOKEN,
  TokenUseMismatch: TOKEN,
  TokenSignatureInvalid: TOKEN,
  TokenInvalid: TOKEN,
  JwksUnavailable: UNAVAILABLE,
  InvalidRequest: {
    status: 400,
    seenBy: 'caller',
    message: 'the request is not valid (see field)',
  },
  InvalidJson: { status: 400, seenBy: 'caller', message: 'the body is not valid JSON' },
  UnsupportedMediaType: {
    status: 415,
    seenBy: 'caller',
    message: 'send Content-Type: application/json',
  },
  PayloadTooLarge: { status: 413, seenBy: 'caller', message: 'the body is too large' },
  PreconditionRequired: {
    status: 428,
    seenBy: 'caller',
    message: 'send If-Match: "<version>" (the ETag of the binding)',
  },
  RouteNotFound: { status: 404, seenBy: 'caller', message: 'no such route' },
  MethodNotAllowed: {
    status: 405,
    seenBy: 'caller',
    message: 'this route does not take this method (see Allow)',
  },
  DurationTooShort: {
    status: 422,
    seenBy: 'caller',
    message: 'durationSeconds must be at least 900',
  },
  DurationInvalid: {
    status: 422,
    seenBy: 'caller',
    message: 'durationSeconds must be an integer from 900 to 43200',
  },
  AdminRequired: { status: 403, seenBy: 'caller', message: 'this is for administrators' },
  RateLimited: {
    status: 429,
    seenBy: 'caller',
    message: 'too many requests; retry after the time given',
    retryAfterSeconds: 1,
  },
  BindingInvalid: {
    status: 422,
    seenBy: 'admin',
    answeredAs: 'RoleNotPermitted',
    message: 'the binding is not valid (see issues)',
  },
  BindingNotFound: { ...NOT_PERMITTED, status: 404, seenBy: 'admin', message: 'no such binding' },
  // Binding writes are conditional requests (If-Match: "<version>"; no If-Match: create only), so a
  // failed condition is 412 Precondition Failed.
  BindingVersionConflict: {
    status: 412,
    seenBy: 'admin',
    answeredAs: 'RoleNotPermitted',
    message: 'the binding was changed since that version',
  },
  BindingExists: {
    status: 412,
    seenBy: 'admin',
    answeredAs: 'RoleNotPermitted',
    message: 'the binding already exists',
  },
  // Only administrators reach it (the audit routes check the group first).
  AuditEventNotFound: { status: 404, seenBy: 'caller', message: 'no such audit event' },
  // A binding for a role Tessera may not assume: its own role, or one outside the target roles.
  RoleNotTargetable: {
    status: 422,
    seenBy: 'admin',
    answeredAs: 'RoleNotPermitted',
    message: 'Tessera may not assume this role (its own, or not a configured target role)',
  },
  // The caller is told the usual refusal; administrators (audit, simulate's trace) see why.
  SubjectRevoked: { ...NOT_PERMITTED, seenBy: 'admin' },
  RevocationNotFound: {
    status: 404,
    seenBy: 'admin',
    answeredAs: 'AdminRequired',
    message: 'no such revocation (or it is already lifted)',
  },
  // The managed deny policy would exceed IAM's inline policy size on a target role.
  RevocationPolicyTooLarge: {
    status: 409,
    seenBy: 'admin',
    answeredAs: 'AdminRequired',
    message:
      "the revocation policy would exceed IAM's inline policy size limit on a target role (see detail)",
  },
  BindingDisabled: NOT_PERMITTED,
  TrustDenied: NOT_PERMITTED,
  EvaluationFailed: NOT_PERMITTED,
  RoleNotPermitted: { ...NOT_PERMITTED, seenBy: 'caller', answeredAs: undefined },
  ClaimMissing: SCOPE(403, 'a claim this role renders into the session is missing from the token'),
  ClaimUnsafe: SCOPE(
    403,
    'a claim this role renders into the session has a value that could widen it or that STS refuses',
  ),
  ScopeDownInvalid: SCOPE(422, 'policy is not a valid session policy (see field)'),
  ScopeDownConflict: SCOPE(422, 'this role has its own session policy; omit policy'),
  SessionPolicyTooLarge: SCOPE(422, 'the packed session policy exceeds 2048 characters'),
  TooManyTags: SCOPE(403, 'the session would carry more than 50 tags'),
  TagInvalid: SCOPE(403, 'a session tag value would break STS constraints'),
  SourceIdentityInvalid: SCOPE(403, 'the SourceIdentity would break STS constraints'),
  SessionNameInvalid: SCOPE(403, 'the session name would break STS constraints'),
  StsAccessDenied: NOT_PERMITTED,
  StsThrottled: UNAVAILABLE,
  StsRegionDisabled: UNAVAILABLE,
  StsCredentialsExpired: UNAVAILABLE,
  StsLimitExceeded: UNAVAILABLE,
  StsRequestRejected: UNAVAILABLE,
  StsUnavailable: UNAVAILABLE,
  StoreUnavailable: UNAVAILABLE,
  AuditUnavailable: UNAVAILABLE,
  ConfigInvalid: { ...UNAVAILABLE, retryAfterSeconds: 30 },
  ServiceUnavailable: { ...UNAVAILABLE, seenBy: 'caller', answeredAs: undefined },
  InternalError: { status: 500, seenBy: 'caller', message: 'internal error' },
};

/** Seconds a 503 asks the caller to wait when neither the row nor the failure says. */
export const DEFAULT_RETRY_AFTER_SECONDS = 2;

export function isCode(value: unknown): value is Code {
  return typeof value === 'string' && Object.hasOwn(CODES, value);
}

/** A code's status marks a Failure (the request could not be decided) or a Deny. */
export function isFailureCode(code: Code): boolean {
  return CODES[code].status >= 500;
}

export interface Answer {
  readonly code: Code;
  readonly status: number;
  readonly message: string;
  /** Set for 503 and 429. */
  readonly retryAfterSeconds: number | undefined;
}

/** What `audience` is told for `code`: the code itself when it may see it, else its stand-in. */
export function answerFor(code: Code, audience: Audience): Answer {
  const row = CODES[code];
  const visible = row.seenBy === 'caller' || (row.seenBy === 'admin' && audience === 'admin');
  const shown = visible || row.answeredAs === undefined ? code : row.answeredAs;
  const answer = CODES[shown];
  return {
    code: shown,
    status: answer.status,
    message: answer.message,
    retryAfterSeconds:
      answer.status === 503 || answer.status === 429
        ? (row.retryAfterSeconds ?? answer.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS)
        : undefined,
  };
}

/**
 * Every way a request can fail, as a tree by pipeline stage: token -> request -> binding -> trust
 * -> scope-down -> STS, plus the stores. Each class has an explicit `name` and a stable `code` from
 * a union, so `switch (err.code)` narrows. Codes are recorded in audit events and answered to
 * callers: never rename one; add new ones.
 *
 * Messages are safe to show a caller: they name a field or a binding id, never a trust policy's
 * text or another binding.
 */

import type { BindingIssueCode } from './schema/binding.js';

export type TokenErrorCode =
  | 'TokenMissing'
  | 'TokenMalformed'
  | 'TokenExpired'
  | 'TokenNotYetValid'
  | 'TokenIssuerUnknown'
  | 'TokenAudienceMismatch'
  | 'TokenUseMismatch'
  | 'TokenSignatureInvalid'
  | 'TokenInvalid'
  | 'JwksUnavailable';

export type RequestErrorCode = 'InvalidRequest' | 'DurationTooShort' | 'DurationInvalid';

export type BindingErrorCode =
  | 'BindingInvalid'
  | 'BindingNotFound'
  | 'BindingVersionConflict'
  | 'BindingExists';

/** Trust stage. `RoleNotPermitted` is the one answer for "no such role" and "not yours". */
export type TrustErrorCode = 'RoleNotPermitted';

export type ScopeErrorCode =
  | 'ClaimMissing'
  | 'ClaimUnsafe'
  | 'ScopeDownInvalid'
  | 'ScopeDownConflict'
  | 'SessionPolicyTooLarge'
  | 'TooManyTags'
  | 'TagInvalid'
  | 'SourceIdentityInvalid'
  | 'SessionNameInvalid';

export type VendErrorCode =
  | 'StsThrottled'
  | 'StsAccessDenied'
  | 'StsRegionDisabled'
  | 'StsCredentialsExpired'
  | 'StsLimitExceeded'
  | 'StsRequestRejected'
  | 'StsUnavailable';

export type StoreErrorCode = 'StoreUnavailable' | 'AuditUnavailable';

export type BrokerErrorCode =
  | TokenErrorCode
  | RequestErrorCode
  | BindingErrorCode
  | TrustErrorCode
  | ScopeErrorCode
  | VendErrorCode
  | StoreErrorCode;

export type BrokerErrorStage =
  | 'token'
  | 'request'
  | 'binding'
  | 'trust'
  | 'scope'
  | 'sts'
  | 'store';

export interface FieldIssue {
  /** JSON Pointer (RFC 6901) of the offending value, e.g. `/durationSeconds/max`, `/trustPolicy/Statement/0`. */
  readonly field: string;
  readonly code: BindingIssueCode;
  readonly message: string;
}

export abstract class BrokerError extends Error {
  abstract override readonly name: string;
  abstract readonly code: BrokerErrorCode;
  abstract readonly stage: BrokerErrorStage;
  /** JSON Pointer of the request value at fault, when one is (answered as `field` on 400/422). */
  readonly field: string | undefined;

  constructor(message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.field = options?.field;
  }
}

export class TokenError extends BrokerError {
  override readonly name = 'TokenError';
  readonly stage = 'token' as const;
  readonly code: TokenErrorCode;
  constructor(code: TokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export class RequestError extends BrokerError {
  override readonly name = 'RequestError';
  readonly stage = 'request' as const;
  readonly code: RequestErrorCode;
  constructor(code: RequestErrorCode, field: string, message: string) {
    super(message, { field });
    this.code = code;
  }
}

export class BindingError extends BrokerError {
  override readonly name = 'BindingError';
  readonly stage = 'binding' as const;
  readonly code: BindingErrorCode;
  /** Every problem found, not only the first (BindingInvalid). */
  readonly issues: readonly FieldIssue[];
  constructor(code: BindingErrorCode, message: string, issues: readonly FieldIssue[] = []) {
    super(message, issues[0] ? { field: issues[0].field } : undefined);
    this.code = code;
    this.issues = issues;
  }
}

export class TrustError extends BrokerError {
  override readonly name = 'TrustError';
  readonly stage = 'trust' as const;
  readonly code: TrustErrorCode;
  constructor(code: TrustErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export class ScopeError extends BrokerError {
  override readonly name = 'ScopeError';
  readonly stage = 'scope' as const;
  readonly code: ScopeErrorCode;
  constructor(code: ScopeErrorCode, message: string, options?: { field?: string }) {
    super(message, options);
    this.code = code;
  }
}

export class VendError extends BrokerError {
  override readonly name = 'VendError';
  readonly stage = 'sts' as const;
  readonly code: VendErrorCode;
  /** Seconds the caller should wait before retrying (throttling), when known. */
  readonly retryAfterSeconds: number | undefined;
  constructor(
    code: VendErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.code = code;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

export class StoreError extends BrokerError {
  override readonly name = 'StoreError';
  readonly stage = 'store' as const;
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isBrokerError(value: unknown): value is BrokerError {
  return value instanceof BrokerError;
}

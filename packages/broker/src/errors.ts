/**
 * The errors the ports throw (adapters and test doubles): token, binding, STS, stores. Each class
 * has an explicit `name` and a stable `code` from the one code union (codes.ts), so
 * `switch (err.code)` narrows. The pipeline turns a port's throw into a Deny or a Failure at the
 * stage that called it; nothing crosses a stage as a throw. Messages go to logs, never to callers:
 * a caller is told the code table's message.
 */

import type { Code } from './codes.js';
import type { BindingIssueCode } from './schema/binding.js';

export type TokenErrorCode = Extract<
  Code,
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
>;

export type BindingErrorCode = Extract<
  Code,
  | 'BindingInvalid'
  | 'BindingNotFound'
  | 'BindingVersionConflict'
  | 'BindingExists'
  | 'RoleNotTargetable'
>;

export type VendErrorCode = Extract<
  Code,
  | 'StsThrottled'
  | 'StsAccessDenied'
  | 'StsRegionDisabled'
  | 'StsCredentialsExpired'
  | 'StsLimitExceeded'
  | 'StsRequestRejected'
  | 'StsUnavailable'
>;

export type RevocationErrorCode = Extract<
  Code,
  'RevocationNotFound' | 'RevocationPolicyTooLarge' | 'InvalidRequest'
>;

export type StoreErrorCode = Extract<Code, 'StoreUnavailable' | 'AuditUnavailable'>;

export interface FieldIssue {
  /** JSON Pointer (RFC 6901) of the offending value, e.g. `/durationSeconds/max`, `/trustPolicy/Statement/0`. */
  readonly field: string;
  readonly code: BindingIssueCode;
  readonly message: string;
}

export abstract class BrokerError extends Error {
  abstract override readonly name: string;
  abstract readonly code: Code;
  /** JSON Pointer of the request value at fault, when one is (answered as `field` on 400/422). */
  readonly field: string | undefined;

  constructor(message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.field = options?.field;
  }
}

export class TokenError extends BrokerError {
  override readonly name = 'TokenError';
  readonly code: TokenErrorCode;
  constructor(code: TokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export class BindingError extends BrokerError {
  override readonly name = 'BindingError';
  readonly code: BindingErrorCode;
  /** Every problem found, not only the first (BindingInvalid). */
  readonly issues: readonly FieldIssue[];
  constructor(code: BindingErrorCode, message: string, issues: readonly FieldIssue[] = []) {
    super(message, issues[0] ? { field: issues[0].field } : undefined);
    this.code = code;
    this.issues = issues;
  }
}

export class VendError extends BrokerError {
  override readonly name = 'VendError';
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
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A revocation write refused: unknown or lifted, or its policy would not fit a role. */
export class RevocationError extends BrokerError {
  override readonly name = 'RevocationError';
  readonly code: RevocationErrorCode;
  /** Per role, what did not fit (for RevocationPolicyTooLarge). */
  readonly roles: readonly { roleArn: string; chars: number; budget: number }[];
  constructor(
    code: RevocationErrorCode,
    message: string,
    options: {
      field?: string;
      roles?: readonly { roleArn: string; chars: number; budget: number }[];
    } = {},
  ) {
    super(message, { field: options.field });
    this.code = code;
    this.roles = options.roles ?? [];
  }

  /** The roles that would not fit, as a problem's issues (the role ARN is the pointer's subject). */
  get issues(): readonly { field: string; code: string; message: string }[] {
    return this.roles.map((r) => ({
      field: '',
      code: 'PolicyTooLarge',
      message: `${r.roleArn}: the revocation policy needs ${r.chars} of the ${r.budget} characters IAM leaves for it`,
    }));
  }
}

/** Why a role's managed policy could not be written (a value, reported per role). */
export type RolePolicyFault =
  /** No credentials for the role's account (another account without a configured path). */
  | 'AccountNotReachable'
  | 'AccessDenied'
  | 'RoleNotFound'
  /** IAM's aggregate inline policy size for the role. */
  | 'PolicyTooLarge'
  | 'Unavailable';

/** Thrown by a RolePolicyWriter. */
export class RolePolicyError extends Error {
  override readonly name = 'RolePolicyError';
  constructor(
    readonly fault: RolePolicyFault,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

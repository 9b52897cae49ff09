/**
 * Every way a policy document can be invalid. Codes are stable: callers `switch` on them and the
 * broker records them in audit events. Never rename a code; add new ones.
 */
export type PolicyErrorCode =
  | 'InvalidJson'
  | 'NotAnObject'
  | 'UnknownElement'
  | 'MissingElement'
  | 'InvalidVersion'
  | 'InvalidId'
  | 'InvalidStatement'
  | 'InvalidSid'
  | 'DuplicateSid'
  | 'InvalidEffect'
  | 'ActionAndNotAction'
  | 'MissingAction'
  | 'InvalidAction'
  | 'ResourceAndNotResource'
  | 'MissingResource'
  | 'InvalidResource'
  | 'PrincipalAndNotPrincipal'
  | 'MissingPrincipal'
  | 'PrincipalNotAllowed'
  | 'InvalidPrincipal'
  | 'InvalidCondition'
  | 'UnknownOperator'
  | 'InvalidConditionKey'
  | 'InvalidConditionValue'
  | 'EmptyValueList'
  | 'PolicyTooLarge'
  | 'DuplicateConditionKey'
  | 'ResourceNotAllowed'
  | 'DuplicateKey'
  | 'InvalidPolicyVariable'
  /**
   * Not a property of the document: validating it failed (a bug). Only `validatePolicy` reports
   * it (as its only finding); treat it as a server error, never as the caller's mistake.
   */
  | 'InternalError'
  /** Was a warning; an error since AWS documents that NotPrincipal must be used with Deny. */
  | 'AllowWithNotPrincipal';

/** Stable codes of validation warnings (`Finding` with `severity: 'warning'`). */
export type PolicyWarningCode =
  | 'AllowWithNotAction'
  | 'AllowAllOnAll'
  | 'WildcardInServiceName'
  | 'PolicyVariableInAction'
  | 'PolicyVariableTreatedAsLiteral'
  | 'ForAllValuesInAllow'
  | 'SetQualifierOnSingleValuedKey'
  | 'MultiValuedKeyWithoutSetQualifier'
  | 'NullWithQualifier'
  | 'EmptyConditionBlock'
  | 'TrustPolicyWithoutCondition'
  | 'OnlyUserWritableClaimsChecked'
  | 'TrustPolicyActionNotSts'
  | 'PolicySizeExceedsQuota'
  | 'IdInIdentityPolicy';

/**
 * Internal failures `evaluate` reports in `errors` (the decision is then a deny, never Allow):
 * - `StatementFailed`: checking one statement threw (`policy` and `statement` name it);
 * - `PolicyFailed`: reading or compiling the policy of a slot threw something other than a
 *   `PolicyError` (`statement` is -1);
 * - `DecisionFailed`: combining the statements' answers threw (`policy` is '', `statement` -1).
 */
export type EvaluationErrorCode = 'StatementFailed' | 'PolicyFailed' | 'DecisionFailed';

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  readonly code: PolicyErrorCode;
  /** JSON Pointer into the document where the problem is ('' for the whole document). */
  readonly path: string;

  constructor(code: PolicyErrorCode, path: string, message: string) {
    super(message);
    this.code = code;
    this.path = path;
  }
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/**
 * What was thrown, in words for a diagnostic: `Name: message` of an Error (first line), at most
 * 300 characters. Never throws, whatever was thrown (a getter that throws, a revoked proxy).
 */
export function describeThrown(thrown: unknown): string {
  try {
    const text =
      thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : `thrown ${typeof thrown}`;
    const line = text.split('\n')[0] ?? text;
    return line.length > 300 ? `${line.slice(0, 297)}...` : line;
  } catch {
    return 'thrown value (unreadable)';
  }
}

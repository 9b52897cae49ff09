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
  | 'InvalidPolicyVariable';

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

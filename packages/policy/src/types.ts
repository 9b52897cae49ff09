/**
 * The IAM policy language as data: the AST the parser produces (plain, serialisable), and the
 * public input/output shapes of `evaluate` and `validatePolicy`. Compiled policies (`Policy`) are
 * defined in compile.ts; this file has no behaviour.
 */
import type { EvaluationErrorCode, PolicyErrorCode, PolicyWarningCode } from './errors.js';

export type Effect = 'Allow' | 'Deny';

/** 2008-10-17 (or a missing Version) disables policy variables: `${...}` is literal text. */
export type PolicyVersion = '2012-10-17' | '2008-10-17';

export type PrincipalType = 'AWS' | 'Federated' | 'Service' | 'CanonicalUser';

/** The 28 base condition operators, as AWS spells them. `...IfExists` and set qualifiers are separate flags. */
export const BASE_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
] as const;
export type BaseOperator = (typeof BASE_OPERATORS)[number];

export type SetQualifier = 'ForAnyValue' | 'ForAllValues';

/** A scalar as written in a policy. JSON numbers and booleans are kept; matching treats them as their text. */
export type PolicyScalar = string | number | boolean;

export interface ConditionAst {
  /** JSON Pointer of the key inside the operator block, e.g. `/Statement/0/Condition/StringEquals/aws:username`. */
  readonly path: string;
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  readonly base: BaseOperator;
  readonly qualifier: SetQualifier | null;
  readonly ifExists: boolean;
  /** The key as written (`aws:PrincipalTag/Team`); matching is case-insensitive on the key name. */
  readonly key: string;
  /** One or more values: more than one is an OR. Never empty after a successful parse. */
  readonly values: readonly PolicyScalar[];
}

export interface ActionElementAst {
  readonly element: 'Action' | 'NotAction';
  /** `*` or `service:pattern`, as written. */
  readonly values: readonly string[];
}

export interface ResourceElementAst {
  readonly element: 'Resource' | 'NotResource';
  readonly values: readonly string[];
}

export interface PrincipalEntryAst {
  readonly type: PrincipalType;
  /** `*`, an account id, an ARN, a provider name, a service name or a canonical user id, as written. */
  readonly id: string;
}

export interface PrincipalElementAst {
  readonly element: 'Principal' | 'NotPrincipal';
  /** `"Principal": "*"` — every principal, including anonymous ones. */
  readonly any: boolean;
  readonly entries: readonly PrincipalEntryAst[];
}

export interface StatementAst {
  /** Position in the Statement array (0 when Statement is a single object). */
  readonly index: number;
  /** JSON Pointer of the statement: `/Statement/2`, or `/Statement` for a single object. */
  readonly path: string;
  readonly sid: string | undefined;
  readonly effect: Effect;
  readonly action: ActionElementAst;
  /** Absent in trust policies (a role trust policy has no Resource). */
  readonly resource: ResourceElementAst | undefined;
  readonly principal: PrincipalElementAst | undefined;
  readonly conditions: readonly ConditionAst[];
}

export interface PolicyAst {
  readonly version: PolicyVersion;
  /** False when the document had no Version (AWS then applies 2008-10-17). */
  readonly versionGiven: boolean;
  readonly id: string | undefined;
  readonly statements: readonly StatementAst[];
}

/** What kind of document is validated: changes which elements are required or forbidden. */
export type PolicyKind = 'identity' | 'resource' | 'trust' | 'session' | 'boundary';

/** One validation finding: an error (`PolicyErrorCode`) or a warning (`PolicyWarningCode`). */
export type Finding =
  | {
      readonly severity: 'error';
      readonly code: PolicyErrorCode;
      /** JSON Pointer into the document ('' for the whole document). */
      readonly path: string;
      readonly message: string;
    }
  | {
      readonly severity: 'warning';
      readonly code: PolicyWarningCode;
      readonly path: string;
      readonly message: string;
    };

/**
 * The kind of resource-based policy given to `evaluate`: a role trust policy, a KMS key policy,
 * or any other resource policy (see resource-kind.ts).
 */
export type ResourcePolicyKind = 'trust' | 'kms-key' | 'resource';

export type ContextScalar = string | number | boolean;
export type ContextValue = ContextScalar | readonly ContextScalar[];

export interface RequestPrincipal {
  readonly type: PrincipalType;
  readonly id: string;
}

export interface EvaluationRequest {
  readonly action: string;
  readonly resource: string;
  readonly principal?: RequestPrincipal;
  /** Condition keys; names are matched case-insensitively. An array is a multivalued key. */
  readonly context?: Readonly<Record<string, ContextValue>>;
}

export type EvaluationDecision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export type ElementName =
  | 'Principal'
  | 'NotPrincipal'
  | 'Action'
  | 'NotAction'
  | 'Resource'
  | 'NotResource'
  | 'Condition';

export interface MatchedStatement {
  /** `identity[0]`, `boundary`, `session[0]`, `resource`. */
  readonly policy: string;
  readonly statement: number;
  readonly sid?: string;
  readonly effect: Effect;
}

export interface ExplainReason {
  readonly element: ElementName;
  readonly ok: boolean;
  /** Condition reasons only: the operator as written (`ForAnyValue:StringEquals`). */
  readonly operator?: string;
  /** Condition reasons only: the key as written. */
  readonly key?: string;
  /** Plain words: what was expected and what the request had. */
  readonly detail: string;
}

export interface ExplainedStatement extends MatchedStatement {
  readonly applies: boolean;
  readonly reasons: readonly ExplainReason[];
}

/**
 * An internal failure of `evaluate`, reported beside the decision instead of hidden in it
 * (after cedar-go's `Diagnostic`). Any error makes the decision a deny.
 */
export interface EvaluationDiagnostic {
  /** The policy slot: `identity[0]`, `boundary`, `session[0]`, `resource`; '' for none. */
  readonly policy: string;
  /** The statement's index in that policy; -1 when the failure is not one statement's. */
  readonly statement: number;
  readonly code: EvaluationErrorCode;
  /** What was thrown (its name and message, at most 300 characters), for operators. */
  readonly message: string;
}

export interface EvaluationResult {
  readonly decision: EvaluationDecision;
  readonly matched: readonly MatchedStatement[];
  readonly explain?: readonly ExplainedStatement[];
  /** Internal failures; empty when evaluation ran cleanly. Never empty with an `Allow`. */
  readonly errors: readonly EvaluationDiagnostic[];
}

export interface EvaluateOptions {
  /** Evaluate every element and condition of every statement and report them. Slower. */
  readonly explain?: boolean;
}

export interface ValidateOptions {
  readonly kind?: PolicyKind;
}

/**
 * The broker's only contact with `@tessera/policy`: validate a document, compile it once, and
 * evaluate a role trust policy for `sts:AssumeRole` exactly as AWS does (the trust policy is the
 * role's resource policy; a federated principal has no identity policy).
 */
import {
  type ContextValue,
  type EvaluationResult,
  evaluate,
  type Finding,
  type Policy,
  type PolicyKind,
  parsePolicy,
  type RequestPrincipal,
  validatePolicy,
} from '@tessera/policy';

import type { EvaluationError } from './types.js';

export type { Policy };

/** Errors and warnings for a document of the given kind. */
export function findings(document: unknown, kind: PolicyKind): readonly Finding[] {
  if (typeof document !== 'object' || document === null) {
    return [
      {
        severity: 'error',
        code: 'NotAnObject',
        path: '',
        message: 'a policy must be a JSON object',
      },
    ];
  }
  return validatePolicy(document, { kind });
}

/** Compile a document already validated. Throws PolicyError when it does not parse. */
export function compile(document: object): Policy {
  return parsePolicy(document);
}

/** `explain`: every statement's reasons (the trace); off only where the decision alone is read. */
export function evaluateTrust(
  trust: Policy,
  roleArn: string,
  principal: RequestPrincipal,
  context: Readonly<Record<string, ContextValue>>,
  explain = true,
): EvaluationResult {
  return evaluate(
    {
      request: { action: 'sts:AssumeRole', resource: roleArn, principal, context },
      resourcePolicy: trust,
      resourcePolicyKind: 'trust',
    },
    { explain },
  );
}

/** The evaluator's own errors (cedar-go's diagnostics): when any, the decision is EvaluationFailed. */
export function evaluationErrors(result: EvaluationResult): EvaluationError[] {
  return result.errors.map((e) => ({
    policy: e.policy,
    statement: e.statement,
    code: e.code,
    message: e.message,
  }));
}

/**
 * Simulate's answer, built from a decision (decision.ts) without minting: what a vend would
 * grant (duration and the bound that clamped it, the rendered session policy, tags and
 * SourceIdentity) or why it would refuse, and "can this session do X" (`check`). Pure.
 *
 * Who sees what: the caller simulating their own token sees a refusal's failing conditions by key
 * and operator; the expected values only when the binding opts in (`explain: "full"`); never the
 * trust policy's text. An administrator (who may replace the claims) also sees the expected
 * values and the evaluator's whole trace.
 */
import {
  type ContextScalar,
  type ContextValue,
  type EvaluationDecision,
  type ExplainedStatement,
  evaluate,
} from '@tessera/policy';
import { accountOf } from './binding.js';
import type { Simulation } from './broker.js';
import type { Outcome } from './outcome.js';
import type { AssumeRoleParams, Binding, ClampedBy, JsonObject, Tag, TraceEntry } from './types.js';

export type SimulationAudience = 'self' | 'admin';

/** One "can this session do X" question. Untrusted until `parseChecks` accepted it. */
export interface SessionCheck {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, ContextValue>>;
}

/** Why a simulated vend is refused, or what a check found. */
export interface SimulationReason {
  readonly code: string;
  readonly bindingId?: string;
  /** Which policy: `trust`, `session`, or a role permission policy's name. */
  readonly policy?: string;
  readonly statement?: number;
  readonly sid?: string;
  readonly element?: string;
  readonly key?: string;
  readonly operator?: string;
  /** Expected and actual values in words: administrators, or bindings with `explain: "full"`. */
  readonly detail?: string;
}

export interface CheckResult {
  readonly action: string;
  readonly resource: string;
  /** `unknown` when the role's permission policies could not be read (a role of another account). */
  readonly decision: 'allow' | 'deny' | 'unknown';
  readonly reasons: readonly SimulationReason[];
}

/** The answer of `POST /v1/simulate` (a contract: the CLI and the portal read it). */
export interface SimulationAnswer {
  readonly decision: 'allow' | 'deny';
  readonly bindingId?: string;
  readonly roleArn?: string;
  readonly durationSeconds?: number;
  readonly clampedBy?: ClampedBy;
  readonly sessionPolicy?: JsonObject | null;
  readonly tags?: readonly Tag[];
  readonly sourceIdentity?: string;
  readonly reasons: readonly SimulationReason[];
  readonly trace?: readonly TraceEntry[];
  readonly checks?: readonly CheckResult[];
}

/** The decision a dry run reached, as simulate reads it. */
export type SimulatedDecision =
  | {
      readonly effect: 'grant';
      readonly bindingId: string;
      readonly params: AssumeRoleParams;
      readonly clampedBy: ClampedBy;
      readonly trace: readonly TraceEntry[];
    }
  | {
      readonly effect: 'deny';
      /** The deny code (`TrustDenied`, `BindingNotFound`, `ClaimUnsafe`, ...). */
      readonly reason: string;
      readonly detail: string;
      readonly bindingId: string | undefined;
      readonly roleArn: string | undefined;
      readonly trace: readonly TraceEntry[];
    };

/**
 * A simulation's outcome as simulate reads it: the grant a vend would reach, or a refusal at the
 * decide stage. Other outcomes (a bad token, a bad request, a store failure) are not simulated
 * answers: `undefined` (the caller answers them as a vend would).
 */
export function simulatedDecision(outcome: Outcome<Simulation>): SimulatedDecision | undefined {
  if (outcome.kind === 'grant') {
    const { decided } = outcome.value;
    return {
      effect: 'grant',
      bindingId: decided.binding.id,
      params: decided.params,
      clampedBy: decided.duration.clampedBy,
      trace: decided.trace,
    };
  }
  if (outcome.kind === 'deny' && outcome.stage === 'decide') {
    return {
      effect: 'deny',
      reason: outcome.code,
      detail: outcome.detail,
      bindingId: outcome.binding?.id,
      roleArn: outcome.roleArn,
      trace: outcome.trace,
    };
  }
  return undefined;
}

export interface SimulationInput {
  readonly decision: SimulatedDecision;
  /** The binding the decision names (granted, or the first candidate refused). */
  readonly binding: Binding | undefined;
  readonly audience: SimulationAudience;
  readonly checks: readonly SessionCheck[];
}

/** Trust-stage reasons the caller sees only as "not permitted" (as a vend answers them). */
const HIDDEN = new Set([
  'BindingNotFound',
  'BindingDisabled',
  'EvaluationFailed',
  'SubjectRevoked',
]);

export function simulationAnswer(input: SimulationInput): SimulationAnswer {
  const { decision, binding, audience } = input;
  const full = audience === 'admin' || binding?.explain === 'full';
  const trace = audience === 'admin' ? { trace: decision.trace } : {};
  if (decision.effect === 'deny') {
    return {
      decision: 'deny',
      ...(decision.bindingId !== undefined &&
      (audience === 'admin' || decision.reason === 'TrustDenied')
        ? { bindingId: decision.bindingId, roleArn: decision.roleArn }
        : {}),
      reasons: denyReasons(decision, audience, full),
      ...trace,
      ...(input.checks.length > 0
        ? {
            checks: input.checks.map((c) => ({
              action: c.action,
              resource: c.resource,
              decision: 'deny' as const,
              reasons: [{ code: 'SessionNotGranted' }],
            })),
          }
        : {}),
    };
  }
  const { params } = decision;
  const sessionPolicy =
    params.Policy === undefined ? null : (JSON.parse(params.Policy) as JsonObject);
  return {
    decision: 'allow',
    bindingId: decision.bindingId,
    roleArn: params.RoleArn,
    durationSeconds: params.DurationSeconds,
    clampedBy: decision.clampedBy,
    sessionPolicy,
    tags: params.Tags,
    sourceIdentity: params.SourceIdentity,
    reasons: allowReasons(decision.trace, decision.bindingId),
    ...trace,
    ...(input.checks.length > 0
      ? {
          checks: input.checks.map((c) =>
            checkSession(c, {
              roleArn: params.RoleArn,
              tags: params.Tags,
              sourceIdentity: params.SourceIdentity,
              sessionName: params.RoleSessionName,
              sessionPolicy,
              binding,
            }),
          ),
        }
      : {}),
  };
}

function allowReasons(trace: readonly TraceEntry[], bindingId: string): SimulationReason[] {
  const entry = trace.find((t) => t.bindingId === bindingId);
  const statement = entry?.explain.find((s) => s.applies && s.effect === 'Allow');
  return [
    {
      code: 'TrustAllowed',
      bindingId,
      policy: 'trust',
      ...(statement ? { statement: statement.statement } : {}),
      ...(statement?.sid ? { sid: statement.sid } : {}),
    },
  ];
}

function denyReasons(
  decision: Extract<SimulatedDecision, { effect: 'deny' }>,
  audience: SimulationAudience,
  full: boolean,
): SimulationReason[] {
  if (decision.reason !== 'TrustDenied') {
    if (audience === 'self' && HIDDEN.has(decision.reason)) return [{ code: 'RoleNotPermitted' }];
    return [
      {
        code: decision.reason,
        ...(decision.bindingId !== undefined ? { bindingId: decision.bindingId } : {}),
        ...(audience === 'admin' ? { detail: decision.detail } : {}),
      },
    ];
  }
  return decision.trace.flatMap((entry) =>
    entry.decision === 'NotEvaluated'
      ? []
      : failingElements(entry.explain, 'trust', full).map((r) => ({
          bindingId: entry.bindingId,
          ...r,
        })),
  );
}

/**
 * What made a trust policy allow: the first applying Allow statement and each of its conditions
 * (all met), or the statement alone when it has none.
 */
export function grantingElements(
  explain: readonly ExplainedStatement[],
  full: boolean,
): SimulationReason[] {
  const statement = explain.find((s) => s.applies && s.effect === 'Allow');
  if (statement === undefined) return [];
  const at = {
    policy: 'trust',
    statement: statement.statement,
    ...(statement.sid ? { sid: statement.sid } : {}),
  };
  const conditions = statement.reasons.filter((r) => r.element === 'Condition');
  if (conditions.length === 0) return [{ code: 'StatementApplies', ...at }];
  return conditions.map((r) => ({
    code: 'ConditionMet',
    ...at,
    element: r.element,
    ...(r.key ? { key: r.key } : {}),
    ...(r.operator ? { operator: r.operator } : {}),
    ...(full ? { detail: r.detail } : {}),
  }));
}

/** The statements that would have allowed (or that denied), and what failed in each. */
export function failingElements(
  explain: readonly ExplainedStatement[],
  policyName: string | ((policy: string) => string),
  full: boolean,
): SimulationReason[] {
  const denied = explain.filter((s) => s.effect === 'Deny' && s.applies);
  const relevant = denied.length > 0 ? denied : explain.filter((s) => s.effect === 'Allow');
  return relevant.flatMap((s) => {
    const policy = typeof policyName === 'string' ? policyName : policyName(s.policy);
    const at = {
      policy,
      statement: s.statement,
      ...(s.sid ? { sid: s.sid } : {}),
    };
    if (s.effect === 'Deny') return [{ code: 'ExplicitDeny', ...at }];
    return s.reasons
      .filter((r) => !r.ok)
      .map((r) =>
        r.element === 'Condition'
          ? {
              code: 'ConditionNotMet',
              ...at,
              element: r.element,
              ...(r.key ? { key: r.key } : {}),
              ...(r.operator ? { operator: r.operator } : {}),
              ...(full ? { detail: r.detail } : {}),
            }
          : {
              code: `${r.element}NotMatched`,
              ...at,
              element: r.element,
              ...(full ? { detail: r.detail } : {}),
            },
      );
  });
}

interface SessionFacts {
  readonly roleArn: string;
  readonly tags: readonly Tag[];
  readonly sourceIdentity: string;
  readonly sessionName: string;
  readonly sessionPolicy: JsonObject | null;
  readonly binding: Binding | undefined;
}

/**
 * One check, as AWS authorizes an assumed-role session in its own account: the role's permission
 * policies intersected with the session policy (no resource policy considered).
 */
export function checkSession(check: SessionCheck, session: SessionFacts): CheckResult {
  const snapshot = session.binding?.permissionPolicies ?? null;
  const base = { action: check.action, resource: check.resource };
  if (snapshot === null) {
    return { ...base, decision: 'unknown', reasons: [{ code: 'RolePoliciesUnavailable' }] };
  }
  const account = accountOf(session.roleArn);
  const roleName = session.roleArn.slice(session.roleArn.lastIndexOf('/') + 1);
  const context: Record<string, ContextValue> = {
    ...check.context,
    'aws:PrincipalArn': session.roleArn,
    'aws:PrincipalAccount': account,
    'aws:PrincipalType': 'AssumedRole',
    'aws:SourceIdentity': session.sourceIdentity,
    'aws:userid': `${roleName}:${session.sessionName}`,
  };
  for (const tag of session.tags) context[`aws:PrincipalTag/${tag.Key}`] = tag.Value;
  const names = snapshot.policies.map((p) => p.name);
  let result: { decision: EvaluationDecision; explain?: readonly ExplainedStatement[] };
  try {
    result = evaluate(
      {
        request: { action: check.action, resource: check.resource, context },
        identityPolicies: snapshot.policies.map((p) => p.document),
        ...(session.sessionPolicy ? { sessionPolicies: [session.sessionPolicy] } : {}),
      },
      { explain: true },
    );
  } catch {
    return { ...base, decision: 'deny', reasons: [{ code: 'EvaluationFailed' }] };
  }
  if (result.decision === 'Allow') {
    return { ...base, decision: 'allow', reasons: [{ code: 'Allowed' }] };
  }
  const policyName = (policy: string) => {
    const identity = /^identity\[(\d+)\]$/.exec(policy);
    if (identity) return names[Number(identity[1])] ?? policy;
    return policy.startsWith('session') ? 'session' : policy;
  };
  const explain = result.explain ?? [];
  const identityAllows = explain.some(
    (s) => s.policy.startsWith('identity') && s.applies && s.effect === 'Allow',
  );
  // The failing side: the session policy when the role would allow, else the role's policies.
  const side = explain.filter((s) =>
    result.decision === 'ExplicitDeny'
      ? true
      : identityAllows
        ? s.policy.startsWith('session')
        : s.policy.startsWith('identity'),
  );
  const code =
    result.decision === 'ExplicitDeny'
      ? 'ExplicitDeny'
      : identityAllows
        ? 'SessionPolicyDoesNotAllow'
        : 'RolePoliciesDoNotAllow';
  return {
    ...base,
    decision: 'deny',
    reasons: [{ code }, ...failingElements(side, policyName, true)],
  };
}

const MAX_CHECKS = 20;
const MAX_TEXT = 2048;

function isScalar(v: unknown): v is ContextScalar {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** The `check` field of a simulate body, checked; problems name their JSON Pointer. */
export function parseChecks(
  raw: unknown,
): { ok: true; checks: SessionCheck[] } | { ok: false; field: string; message: string } {
  if (raw === undefined) return { ok: true, checks: [] };
  if (!Array.isArray(raw) || raw.length > MAX_CHECKS) {
    return {
      ok: false,
      field: '/check',
      message: `check must be an array of at most ${MAX_CHECKS} {action, resource, context?}`,
    };
  }
  const checks: SessionCheck[] = [];
  for (const [i, c] of raw.entries()) {
    const at = `/check/${i}`;
    if (typeof c !== 'object' || c === null || Array.isArray(c)) {
      return { ok: false, field: at, message: 'a check is {action, resource, context?}' };
    }
    const item = c as Record<string, unknown>;
    for (const key of Object.keys(item)) {
      if (!['action', 'resource', 'context'].includes(key)) {
        return { ok: false, field: `${at}/${key}`, message: `unknown field ${key}` };
      }
    }
    for (const key of ['action', 'resource'] as const) {
      const v = item[key];
      if (typeof v !== 'string' || v.length === 0 || v.length > MAX_TEXT) {
        return { ok: false, field: `${at}/${key}`, message: `${key} must be a non-empty string` };
      }
    }
    const context = item['context'];
    if (context !== undefined) {
      if (typeof context !== 'object' || context === null || Array.isArray(context)) {
        return {
          ok: false,
          field: `${at}/context`,
          message: 'context is an object of condition key -> value',
        };
      }
      for (const [k, v] of Object.entries(context)) {
        const ok = isScalar(v) || (Array.isArray(v) && v.length <= 50 && v.every(isScalar));
        if (!ok || k.length > 256) {
          return {
            ok: false,
            field: `${at}/context/${k}`,
            message: 'a context value is a string, number, boolean or an array of them',
          };
        }
      }
    }
    checks.push({
      action: item['action'] as string,
      resource: item['resource'] as string,
      ...(context === undefined ? {} : { context: context as Record<string, ContextValue> }),
    });
  }
  return { ok: true, checks };
}

/**
 * The decision, as a value: given verified identity, the issuer's bindings and the request, either
 * a grant (the exact AssumeRole parameters) or a deny (a reason code and the evaluator's trace).
 * Pure: no I/O, no clock of its own; the same value feeds the HTTP answer, the audit event and
 * simulate.
 *
 * Caller-supplied scope-down `policy`: STS takes one inline session policy, and the intersection
 * of two IAM policies is not in general expressible as one. So the caller's policy is sent as the
 * inline policy only when the binding has no session policy of its own; when both exist the
 * request is refused (`ScopeDownConflict`, 422). Either way the credentials are at most the role's
 * permissions intersected with one session policy the broker chose, so a caller can only narrow.
 */
import { createHash } from 'node:crypto';
import type { CompiledBinding } from './binding.js';
import { federatedPrincipal, requestContext } from './context.js';
import { chainingCapApplies, resolveDuration } from './duration.js';
import {
  checkSessionName,
  checkSessionPolicyText,
  checkSourceIdentity,
  checkTagValue,
  STS_LIMITS,
} from './limits.js';
import { type BindingRef, type Deny, type Ok, ok, deny as stop } from './outcome.js';
import { renderPolicy, renderString, renderTags } from './render.js';
import { type Revocation, revocationOf } from './revocation.js';
import { sessionName } from './session-name.js';
import { evaluateTrust, evaluationErrors, findings } from './trust.js';
import type {
  AssumeRoleParams,
  JsonObject,
  RequestOrigin,
  ResolvedDuration,
  Tag,
  TraceEntry,
  VendorKind,
  VerifiedToken,
} from './types.js';

export interface DecisionInput {
  readonly token: VerifiedToken;
  /** The enabled and disabled bindings of the token's issuer. */
  readonly bindings: readonly CompiledBinding[];
  /** The pool's revocations (loaded with its bindings): an active one naming the caller refuses. */
  readonly revocations: readonly Revocation[];
  /** Binding id or role ARN, as the caller wrote it. */
  readonly role: string;
  /** Already checked by `checkRequestedDuration`. */
  readonly requestedDuration: number | undefined;
  /** Caller's scope-down policy, untrusted. */
  readonly unverifiedPolicy: unknown;
  readonly origin: RequestOrigin;
  readonly now: Date;
  /** Broker credentials are a role session: cap at 3600 s. */
  readonly roleChaining: boolean;
  /**
   * The evaluator's explain trace in the decision (default true). `false` only where the decision
   * alone is read (the access review: trace entries then carry no statements).
   */
  readonly explain?: boolean;
}

/** A decision to grant: the exact AssumeRole parameters, and why. */
export interface Decided {
  readonly binding: BindingRef;
  /** Who mints the session (the binding's choice). */
  readonly vendor: VendorKind;
  readonly params: AssumeRoleParams;
  readonly duration: ResolvedDuration;
  /** SHA-256 (hex) of the inline session policy sent, when one is. */
  readonly sessionPolicySha256: string | undefined;
  /** The rendered inline session policy sent, when one is (simulate shows it). */
  readonly sessionPolicy: string | undefined;
  readonly trace: readonly TraceEntry[];
}

/** The decide stage never fails: an evaluator fault is the deny `EvaluationFailed`. */
export type Decision = Ok<Decided> | Deny;
type Checked<T> = Ok<T> | Deny;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ref = (c: CompiledBinding): BindingRef => ({ id: c.binding.id, version: c.binding.version });

/** A deny of the decide stage, naming the binding it concerns. */
function refuse(
  code: Deny['code'],
  detail: string,
  trace: readonly TraceEntry[],
  extra: { field?: string; binding?: CompiledBinding } = {},
): Deny {
  return stop('decide', code, detail, {
    field: extra.field,
    binding: extra.binding ? ref(extra.binding) : undefined,
    roleArn: extra.binding?.binding.roleArn,
    trace,
  });
}

/** 1. The caller's own scope-down policy: shape only, no binding information involved yet. */
function callerPolicyOf(unverifiedPolicy: unknown): Checked<JsonObject | undefined> {
  if (unverifiedPolicy === undefined || unverifiedPolicy === null) return ok(undefined);
  if (!isPlainObject(unverifiedPolicy)) {
    return refuse('ScopeDownInvalid', 'policy must be a policy document', [], { field: '/policy' });
  }
  const error = findings(unverifiedPolicy, 'session').find((f) => f.severity === 'error');
  if (error?.code === 'PolicyTooLarge') {
    return refuse('SessionPolicyTooLarge', error.message, [], { field: '/policy' });
  }
  if (error) {
    return refuse('ScopeDownInvalid', `${error.code}: ${error.message}`, [], {
      field: `/policy${error.path}`,
    });
  }
  const textProblem = checkSessionPolicyText(JSON.stringify(unverifiedPolicy));
  if (textProblem) return refuse('ScopeDownInvalid', textProblem, [], { field: '/policy' });
  return ok(unverifiedPolicy as JsonObject);
}

/** One candidate's trust evaluation, as its trace entry (a throw is recorded as an error). */
function evaluateCandidate(candidate: CompiledBinding, input: DecisionInput): TraceEntry {
  const { binding } = candidate;
  const entry = { bindingId: binding.id, bindingVersion: binding.version };
  if (!binding.enabled) return { ...entry, decision: 'NotEvaluated', explain: [], errors: [] };
  try {
    const context = requestContext(input.token, input.origin, input.now, input.requestedDuration);
    const principal = federatedPrincipal(input.token.issuer);
    const result = evaluateTrust(
      candidate.trust,
      binding.roleArn,
      principal,
      context,
      input.explain !== false,
    );
    return {
      ...entry,
      decision: result.decision,
      explain: result.explain ?? [],
      errors: evaluationErrors(result),
    };
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : 'non-error thrown';
    const thrown = { policy: 'resource', statement: -1, code: 'EvaluatorThrew', message };
    return { ...entry, decision: 'ImplicitDeny', explain: [], errors: [thrown] };
  }
}

/** 2. Trust: the first candidate (by id) whose enabled binding's trust policy allows. */
function chooseBinding(input: DecisionInput, trace: TraceEntry[]): Checked<CompiledBinding> {
  const candidates = input.bindings
    .filter((b) => b.binding.id === input.role || b.binding.roleArn === input.role)
    .sort((a, b) => (a.binding.id < b.binding.id ? -1 : a.binding.id > b.binding.id ? 1 : 0));
  const first = candidates[0];
  if (first === undefined) return refuse('BindingNotFound', 'no binding of that name', trace);
  for (const candidate of candidates) {
    const entry = evaluateCandidate(candidate, input);
    trace.push(entry);
    if (entry.errors.length > 0) {
      const codes = entry.errors.map((e) => e.code).join(', ');
      return refuse('EvaluationFailed', `evaluating ${entry.bindingId}: ${codes}`, trace, {
        binding: candidate,
      });
    }
    if (entry.decision === 'Allow') return ok(candidate);
  }
  return candidates.every((c) => !c.binding.enabled)
    ? refuse('BindingDisabled', `binding ${first.binding.id} is disabled`, trace, {
        binding: first,
      })
    : refuse(
        'TrustDenied',
        `no trust policy of ${candidates.map((c) => c.binding.id).join(', ')} allows`,
        trace,
        { binding: first },
      );
}

interface Scope {
  readonly sourceIdentity: string;
  readonly tags: readonly Tag[];
  readonly policy: string | undefined;
}

/**
 * A binding that names no SourceIdentity still stamps one, so every session can be revoked: the
 * verified username, else the `sub` (checked against STS's constraints like any other).
 */
function defaultSourceIdentity(token: VerifiedToken): ReturnType<typeof renderString> {
  return { ok: true, value: token.username ?? token.subject };
}

/** 3a. SourceIdentity and session tags, rendered from verified claims and checked like STS. */
function renderIdentity(
  chosen: CompiledBinding,
  token: VerifiedToken,
  trace: readonly TraceEntry[],
): Checked<Pick<Scope, 'sourceIdentity' | 'tags'>> {
  const { claims } = token;
  const on = { binding: chosen };
  const { binding } = chosen;
  const source =
    binding.sourceIdentity === undefined
      ? defaultSourceIdentity(token)
      : renderString(binding.sourceIdentity, claims);
  if (!source.ok) return refuse(source.reason, `sourceIdentity: ${source.detail}`, trace, on);
  const sourceProblem = checkSourceIdentity(source.value);
  if (sourceProblem) return refuse('SourceIdentityInvalid', sourceProblem, trace, on);
  const tags = renderTags(binding.sessionTags, claims);
  if (!tags.ok) return refuse(tags.reason, `sessionTags: ${tags.detail}`, trace, on);
  if (tags.value.length > STS_LIMITS.maxTags)
    return refuse('TooManyTags', 'more than 50 session tags', trace, on);
  for (const tag of tags.value) {
    const problem = checkTagValue(tag.Value);
    if (problem) return refuse('TagInvalid', `sessionTags.${tag.Key}: ${problem}`, trace, on);
  }
  return ok({ sourceIdentity: source.value, tags: tags.value });
}

/** 3b. The one inline session policy: the binding's (rendered) or the caller's, never both. */
function renderSessionPolicy(
  chosen: CompiledBinding,
  claims: VerifiedToken['claims'],
  callerPolicy: JsonObject | undefined,
  trace: readonly TraceEntry[],
): Checked<string | undefined> {
  const on = { binding: chosen };
  const { binding } = chosen;
  if (binding.sessionPolicy && callerPolicy) {
    return refuse(
      'ScopeDownConflict',
      `binding ${binding.id} has its own session policy; a caller policy cannot be combined with it`,
      trace,
      { ...on, field: '/policy' },
    );
  }
  let policy: string | undefined;
  if (binding.sessionPolicy) {
    const rendered = renderPolicy(binding.sessionPolicy, claims);
    if (!rendered.ok)
      return refuse(rendered.reason, `sessionPolicy: ${rendered.detail}`, trace, on);
    policy = JSON.stringify(rendered.value);
  } else if (callerPolicy) {
    policy = JSON.stringify(callerPolicy);
  }
  if (policy !== undefined && policy.length > STS_LIMITS.maxPolicyChars) {
    return refuse(
      'SessionPolicyTooLarge',
      `packed session policy is ${policy.length} characters (max ${STS_LIMITS.maxPolicyChars})`,
      trace,
      callerPolicy ? { ...on, field: '/policy' } : on,
    );
  }
  return ok(policy);
}

/**
 * The decision: the caller's scope-down, trust, then the session's scope (rendering, STS
 * limits), session name and duration. Pure; a deny names the decide stage and its code.
 */
export function decide(input: DecisionInput): Decision {
  const trace: TraceEntry[] = [];
  const revoked = revocationOf(input.revocations, input.token, input.now);
  if (revoked) {
    return refuse('SubjectRevoked', `the subject is revoked (revocation ${revoked.id})`, trace);
  }
  const callerPolicy = callerPolicyOf(input.unverifiedPolicy);
  if (callerPolicy.kind !== 'ok') return callerPolicy;
  const chosen = chooseBinding(input, trace);
  if (chosen.kind !== 'ok') return chosen;
  const { binding } = chosen.value;
  const identity = renderIdentity(chosen.value, input.token, trace);
  if (identity.kind !== 'ok') return identity;
  const policy = renderSessionPolicy(chosen.value, input.token.claims, callerPolicy.value, trace);
  if (policy.kind !== 'ok') return policy;
  const name = sessionName(input.token);
  const nameProblem = checkSessionName(name);
  if (nameProblem)
    return refuse('SessionNameInvalid', nameProblem, trace, { binding: chosen.value });
  const duration = resolveDuration({
    requested: input.requestedDuration,
    binding: binding.durationSeconds,
    roleMaxSessionDuration: binding.roleMaxSessionDuration,
    roleChaining: chainingCapApplies(binding.vendor, input.roleChaining),
  });
  return ok({
    binding: ref(chosen.value),
    vendor: binding.vendor,
    params: {
      RoleArn: binding.roleArn,
      RoleSessionName: name,
      DurationSeconds: duration.seconds,
      Policy: policy.value,
      Tags: identity.value.tags,
      TransitiveTagKeys: binding.transitiveTagKeys,
      SourceIdentity: identity.value.sourceIdentity,
      ExternalId: binding.externalId ?? undefined,
    },
    duration,
    sessionPolicySha256: policy.value === undefined ? undefined : sha256Hex(policy.value),
    sessionPolicy: policy.value,
    trace,
  });
}

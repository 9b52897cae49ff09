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
import { resolveDuration } from './duration.js';
import {
  type BrokerError,
  RequestError,
  type RequestErrorCode,
  ScopeError,
  type ScopeErrorCode,
  TrustError,
} from './errors.js';
import {
  checkSessionName,
  checkSessionPolicyText,
  checkSourceIdentity,
  checkTagValue,
  STS_LIMITS,
} from './limits.js';
import { renderPolicy, renderString, renderTags } from './render.js';
import { sessionName } from './session-name.js';
import { evaluateTrust, findings } from './trust.js';
import type {
  AssumeRoleParams,
  JsonObject,
  RequestOrigin,
  ResolvedDuration,
  TraceEntry,
  VerifiedToken,
} from './types.js';

export interface DecisionInput {
  readonly token: VerifiedToken;
  /** The enabled and disabled bindings of the token's issuer. */
  readonly bindings: readonly CompiledBinding[];
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
}

/** Why a request was denied. Trust-stage reasons all answer the caller `RoleNotPermitted`. */
export type DenyReason =
  | 'BindingNotFound'
  | 'BindingDisabled'
  | 'TrustDenied'
  | 'EvaluationFailed'
  | ScopeErrorCode
  | RequestErrorCode;

export interface BindingRef {
  readonly id: string;
  readonly version: number;
}

export interface Grant {
  readonly effect: 'grant';
  readonly binding: BindingRef;
  readonly params: AssumeRoleParams;
  readonly duration: ResolvedDuration;
  /** SHA-256 (hex) of the inline session policy sent, when one is. */
  readonly sessionPolicySha256: string | undefined;
  readonly trace: readonly TraceEntry[];
}

export interface Deny {
  readonly effect: 'deny';
  readonly reason: DenyReason;
  /** Plain words for the audit log (may name the binding; never shown for trust denies). */
  readonly detail: string;
  /** The request field at fault, for 400/422 answers. */
  readonly field: string | undefined;
  readonly binding: BindingRef | undefined;
  readonly roleArn: string | undefined;
  readonly trace: readonly TraceEntry[];
}

export type Decision = Grant | Deny;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function decide(input: DecisionInput): Decision {
  const trace: TraceEntry[] = [];
  const deny = (
    reason: DenyReason,
    detail: string,
    extra: { field?: string; binding?: CompiledBinding } = {},
  ): Deny => ({
    effect: 'deny',
    reason,
    detail,
    field: extra.field,
    binding: extra.binding
      ? { id: extra.binding.binding.id, version: extra.binding.binding.version }
      : undefined,
    roleArn: extra.binding?.binding.roleArn,
    trace,
  });

  // 1. The caller's own scope-down policy: shape only, no binding information involved yet.
  let callerPolicy: JsonObject | undefined;
  if (input.unverifiedPolicy !== undefined && input.unverifiedPolicy !== null) {
    if (!isPlainObject(input.unverifiedPolicy)) {
      return deny('ScopeDownInvalid', 'policy must be a policy document', { field: '/policy' });
    }
    const error = findings(input.unverifiedPolicy, 'session').find((f) => f.severity === 'error');
    if (error?.code === 'PolicyTooLarge') {
      return deny('SessionPolicyTooLarge', error.message, { field: '/policy' });
    }
    if (error) {
      return deny('ScopeDownInvalid', `${error.code}: ${error.message}`, {
        field: `/policy${error.path}`,
      });
    }
    const textProblem = checkSessionPolicyText(JSON.stringify(input.unverifiedPolicy));
    if (textProblem) return deny('ScopeDownInvalid', textProblem, { field: 'policy' });
    callerPolicy = input.unverifiedPolicy as JsonObject;
  }

  // 2. Trust: the first candidate (by id) whose enabled binding's trust policy allows.
  const candidates = input.bindings
    .filter((b) => b.binding.id === input.role || b.binding.roleArn === input.role)
    .sort((a, b) => (a.binding.id < b.binding.id ? -1 : a.binding.id > b.binding.id ? 1 : 0));
  if (candidates.length === 0) return deny('BindingNotFound', `no binding named ${input.role}`);
  const context = requestContext(input.token, input.origin, input.now, input.requestedDuration);
  const principal = federatedPrincipal(input.token.issuer);
  let chosen: CompiledBinding | undefined;
  for (const candidate of candidates) {
    const { binding } = candidate;
    if (!binding.enabled) {
      trace.push({
        bindingId: binding.id,
        bindingVersion: binding.version,
        decision: 'NotEvaluated',
        explain: [],
      });
      continue;
    }
    try {
      const result = evaluateTrust(candidate.trust, binding.roleArn, principal, context);
      trace.push({
        bindingId: binding.id,
        bindingVersion: binding.version,
        decision: result.decision,
        explain: result.explain ?? [],
      });
      if (result.decision === 'Allow') {
        chosen = candidate;
        break;
      }
    } catch (err) {
      return deny('EvaluationFailed', `evaluating ${binding.id}: ${(err as Error).message}`, {
        binding: candidate,
      });
    }
  }
  if (!chosen) {
    const allDisabled = candidates.every((c) => !c.binding.enabled);
    return allDisabled
      ? deny('BindingDisabled', `binding ${candidates[0]!.binding.id} is disabled`, {
          binding: candidates[0]!,
        })
      : deny(
          'TrustDenied',
          `no trust policy of ${candidates.map((c) => c.binding.id).join(', ')} allows`,
          {
            binding: candidates[0]!,
          },
        );
  }
  const { binding } = chosen;
  const on = { binding: chosen };

  // 3. Scope: render from verified claims only, refuse anything that could widen.
  const claims = input.token.claims;
  const source = renderString(binding.sourceIdentity, claims);
  if (!source.ok) return deny(source.reason, `sourceIdentity: ${source.detail}`, on);
  const sourceProblem = checkSourceIdentity(source.value);
  if (sourceProblem) return deny('SourceIdentityInvalid', sourceProblem, on);

  const tags = renderTags(binding.sessionTags, claims);
  if (!tags.ok) return deny(tags.reason, `sessionTags: ${tags.detail}`, on);
  if (tags.value.length > STS_LIMITS.maxTags)
    return deny('TooManyTags', 'more than 50 session tags', on);
  for (const tag of tags.value) {
    const problem = checkTagValue(tag.Value);
    if (problem) return deny('TagInvalid', `sessionTags.${tag.Key}: ${problem}`, on);
  }

  let policy: string | undefined;
  if (binding.sessionPolicy && callerPolicy) {
    return deny(
      'ScopeDownConflict',
      `binding ${binding.id} has its own session policy; a caller policy cannot be combined with it`,
      { ...on, field: '/policy' },
    );
  }
  if (binding.sessionPolicy) {
    const rendered = renderPolicy(binding.sessionPolicy, claims);
    if (!rendered.ok) return deny(rendered.reason, `sessionPolicy: ${rendered.detail}`, on);
    policy = JSON.stringify(rendered.value);
  } else if (callerPolicy) {
    policy = JSON.stringify(callerPolicy);
  }
  if (policy !== undefined && policy.length > STS_LIMITS.maxPolicyChars) {
    return deny(
      'SessionPolicyTooLarge',
      `packed session policy is ${policy.length} characters (max ${STS_LIMITS.maxPolicyChars})`,
      callerPolicy ? { ...on, field: '/policy' } : on,
    );
  }

  const name = sessionName(input.token);
  const nameProblem = checkSessionName(name);
  if (nameProblem) return deny('SessionNameInvalid', nameProblem, on);

  const duration = resolveDuration({
    requested: input.requestedDuration,
    binding: binding.durationSeconds,
    roleMaxSessionDuration: binding.roleMaxSessionDuration,
    roleChaining: input.roleChaining,
  });

  return {
    effect: 'grant',
    binding: { id: binding.id, version: binding.version },
    params: {
      RoleArn: binding.roleArn,
      RoleSessionName: name,
      DurationSeconds: duration.seconds,
      Policy: policy,
      Tags: tags.value,
      TransitiveTagKeys: binding.transitiveTagKeys,
      SourceIdentity: source.value,
      ExternalId: binding.externalId ?? undefined,
    },
    duration,
    sessionPolicySha256: policy === undefined ? undefined : sha256Hex(policy),
    trace,
  };
}

/** The error a caller sees for a deny: trust reasons collapse into one `RoleNotPermitted`. */
export function denialError(denial: Deny): BrokerError {
  switch (denial.reason) {
    case 'BindingNotFound':
    case 'BindingDisabled':
    case 'TrustDenied':
    case 'EvaluationFailed':
      return new TrustError('RoleNotPermitted', 'the caller may not use this role');
    case 'DurationTooShort':
    case 'DurationInvalid':
    case 'InvalidRequest':
      return new RequestError(denial.reason, denial.field ?? '/durationSeconds', denial.detail);
    case 'ScopeDownInvalid':
    case 'ScopeDownConflict':
    case 'SessionPolicyTooLarge':
      return new ScopeError(denial.reason, publicDetail(denial), { field: denial.field });
    case 'ClaimMissing':
    case 'ClaimUnsafe':
    case 'TooManyTags':
    case 'TagInvalid':
    case 'SourceIdentityInvalid':
    case 'SessionNameInvalid':
      return new ScopeError(
        denial.reason,
        publicDetail(denial),
        denial.field ? { field: denial.field } : undefined,
      );
  }
}

function publicDetail(denial: Deny): string {
  switch (denial.reason) {
    case 'ScopeDownConflict':
      return `binding ${denial.binding?.id ?? ''} has a session policy; omit policy`;
    case 'SessionPolicyTooLarge':
      return 'the packed session policy exceeds 2048 characters';
    case 'ScopeDownInvalid':
      return denial.detail;
    default:
      return `${denial.reason}: ${denial.detail}`;
  }
}

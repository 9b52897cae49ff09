/**
 * The one place the local AWS services decide a signed request, as IAM does for the caller: the
 * request context AWS builds for a principal (`principalContext`), and the decision
 * (`authorize`): the caller's identity policies ∩ its session policy, plus a resource-based
 * policy (a bucket policy; for STS, the role's trust policy as a `trust` policy) when the
 * resource has one — the combining rule itself is
 * @tessera/policy's `evaluate`, never restated here. STS (sts:AssumeRole and its companions), IAM
 * (iam:GetRole) and S3 (every operation) all call `authorize`.
 */
import {
  type ContextValue,
  type EvaluationResult,
  evaluate,
  type Policy,
  type ResourcePolicyKind,
} from '@tessera/policy';
import type { Caller } from '../sts/sessions.js';

/** What the request carries besides the principal: where it came from and when. */
export interface RequestEnv {
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly region: string;
  readonly now: number;
  /** The request came over TLS (the local servers are plain HTTP: false). */
  readonly secureTransport?: boolean;
}

/** `2026-01-01T00:00:00Z`: the form AWS puts in aws:CurrentTime and aws:TokenIssueTime. */
export function awsTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The request context AWS builds for a caller: principal keys, its tags, the request. */
export function principalContext(caller: Caller, env: RequestEnv): Record<string, ContextValue> {
  const ctx: Record<string, ContextValue> = {
    'aws:PrincipalAccount': caller.account,
    'aws:CurrentTime': awsTime(env.now),
    'aws:EpochTime': Math.floor(env.now / 1000),
    'aws:SecureTransport': env.secureTransport === true,
    'aws:SourceIp': env.sourceIp,
    'aws:UserAgent': env.userAgent,
    'aws:RequestedRegion': env.region,
    'aws:ViaAWSService': false,
  };
  if (caller.kind === 'session') {
    ctx['aws:PrincipalArn'] = caller.role.arn;
    ctx['aws:PrincipalType'] = 'AssumedRole';
    ctx['aws:userid'] = caller.assumedRoleId;
    ctx['aws:TokenIssueTime'] = awsTime(caller.issuedAt.getTime());
    if (caller.sourceIdentity !== undefined) ctx['aws:SourceIdentity'] = caller.sourceIdentity;
    for (const [k, v] of Object.entries(caller.tags)) ctx[`aws:PrincipalTag/${k}`] = v;
  } else {
    ctx['aws:PrincipalArn'] = caller.arn;
    ctx['aws:PrincipalType'] = 'User';
    ctx['aws:userid'] = caller.user.userId;
    ctx['aws:username'] = caller.user.config.name;
  }
  return ctx;
}

export interface AuthorizationRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, ContextValue>>;
  /** The resource's own policy (a bucket policy, a role's trust policy); absent when it has none. */
  readonly resourcePolicy?: Policy;
  /**
   * What `resourcePolicy` is (@tessera/policy's `resourcePolicyKind`: a `trust` policy must name
   * the caller); inferred by `evaluate` from the action and resource when absent.
   */
  readonly resourcePolicyKind?: ResourcePolicyKind;
  /** The account that owns the resource; another account than the caller's makes it cross-account. */
  readonly resourceAccount?: string;
}

/** The policies IAM evaluates for a caller: identity policies, and a role session's session policy. */
export function callerPolicies(caller: Caller): {
  readonly identityPolicies: readonly Policy[];
  readonly sessionPolicies: readonly Policy[];
} {
  if (caller.kind === 'user') {
    return { identityPolicies: caller.user.identityPolicies, sessionPolicies: [] };
  }
  return {
    identityPolicies: caller.role.identityPolicies,
    sessionPolicies: caller.sessionPolicy ? [caller.sessionPolicy] : [],
  };
}

/**
 * Decides one request of `caller`. Every policy was compiled when it entered the stack (config,
 * AssumeRole), so `evaluate` cannot meet an invalid document; if it ever throws, the answer is an
 * implicit deny with the failure in `errors` (as `evaluate` reports its own), never an allow.
 */
export function authorize(caller: Caller, request: AuthorizationRequest): EvaluationResult {
  try {
    return evaluate({
      request: {
        action: request.action,
        resource: request.resource,
        principal: { type: 'AWS', id: caller.arn },
        context: request.context,
      },
      ...callerPolicies(caller),
      ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
      ...(request.resourcePolicyKind ? { resourcePolicyKind: request.resourcePolicyKind } : {}),
      crossAccount:
        request.resourceAccount !== undefined && request.resourceAccount !== caller.account,
    });
  } catch (err) {
    const message = String(err instanceof Error ? `${err.name}: ${err.message}` : err).slice(
      0,
      300,
    );
    return {
      decision: 'ImplicitDeny',
      matched: [],
      errors: [{ policy: '', statement: -1, code: 'PolicyFailed', message }],
    };
  }
}

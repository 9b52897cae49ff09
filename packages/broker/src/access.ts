/**
 * Trust re-evaluated without the user present: for a subject recorded in the subjects table
 * (its last vend's claims and origin, subjects.ts), whether it could assume a binding now — the
 * same `decide()` a vend runs (trust, then SourceIdentity, tags and session-policy rendering),
 * for that binding alone, at the current time, the pool's revocations applied (the kill switch:
 * a subject under an active revocation can assume nothing; `decide()` refuses it `SubjectRevoked`).
 * Pure.
 *
 * Cost: a subject's request context is built once and reused for every binding; each pair is
 * first evaluated without the explain trace (the decision only), and only pairs that trust allows
 * go through the full `decide()` — most pairs of a large pool are refusals, and a refusal by trust
 * is a refusal by `decide()` (trust is its first check). `npm run bench:review` measures it.
 */
import type { ContextValue, RequestPrincipal } from '@tessera/policy';
import type { CompiledBinding } from './binding.js';
import { federatedPrincipal, requestContext } from './context.js';
import { type Decision, decide } from './decision.js';
import { type Revocation, revocationOf } from './revocation.js';
import { failingElements, grantingElements, type SimulationReason } from './simulation.js';
import type { KnownSubject } from './subjects.js';
import { evaluateTrust } from './trust.js';

export interface AccessEnv {
  readonly now: Date;
  /** Broker credentials are a role session (the 3,600 s cap; it changes no access). */
  readonly roleChaining: boolean;
  /** The pool's revocations, loaded with its bindings (`BindingStore.loadPool`). */
  readonly revocations: readonly Revocation[];
}

/** A known subject with its request context built once (for every binding it is checked against). */
export interface PreparedSubject extends KnownSubject {
  readonly context: Readonly<Record<string, ContextValue>>;
  readonly principal: RequestPrincipal;
  /** The active revocation naming the subject now, if any: it can assume nothing. */
  readonly revoked: Revocation | undefined;
}

export function prepareSubject(subject: KnownSubject, env: AccessEnv): PreparedSubject {
  return {
    ...subject,
    context: requestContext(subject.token, subject.origin, env.now, undefined),
    principal: federatedPrincipal(subject.token.issuer),
    revoked: revocationOf(env.revocations, subject.token, env.now),
  };
}

/**
 * The full decision a vend of this binding would reach for this subject now; `explain: false`
 * when only its kind is read (no trace).
 */
export function decisionFor(
  compiled: CompiledBinding,
  subject: KnownSubject,
  env: AccessEnv,
  explain = true,
): Decision {
  return decide({
    token: subject.token,
    bindings: [compiled],
    revocations: env.revocations,
    role: compiled.binding.id,
    requestedDuration: undefined,
    unverifiedPolicy: undefined,
    origin: subject.origin,
    now: env.now,
    roleChaining: env.roleChaining,
    explain,
  });
}

/** Whether a vend of this binding would be granted to this subject now (never when revoked). */
export function canAssume(
  compiled: CompiledBinding,
  subject: PreparedSubject,
  env: AccessEnv,
): boolean {
  return subject.revoked === undefined && allowedUnrevoked(compiled, subject, env);
}

/**
 * Whether a vend of this binding would be granted to this subject now were it not revoked: what
 * the kill switch withholds from a revoked subject (the review lists it as such, never as access).
 */
export function allowedUnrevoked(
  compiled: CompiledBinding,
  subject: PreparedSubject,
  env: AccessEnv,
): boolean {
  const { binding } = compiled;
  if (!binding.enabled) return false;
  let trusted: boolean;
  try {
    const result = evaluateTrust(
      compiled.trust,
      binding.roleArn,
      subject.principal,
      subject.context,
      false,
    );
    trusted = result.decision === 'Allow' && result.errors.length === 0;
  } catch {
    trusted = false; // decide() records the throw as EvaluationFailed: a refusal too
  }
  return (
    trusted && decisionFor(compiled, subject, { ...env, revocations: [] }, false).kind === 'ok'
  );
}

/**
 * Why a decision grants or refuses, for an administrator: the trust statement and conditions
 * that allowed; or each failing condition (or the Deny statement) of a trust refusal; or the
 * refusal's code (`BindingDisabled`, `ClaimMissing`, ...) with its detail.
 */
export function decisiveReasons(decision: Decision): SimulationReason[] {
  if (decision.kind === 'ok') {
    const entry = decision.value.trace.find((t) => t.bindingId === decision.value.binding.id);
    return grantingElements(entry?.explain ?? [], true);
  }
  if (decision.code === 'TrustDenied') {
    return decision.trace.flatMap((entry) => failingElements(entry.explain, 'trust', true));
  }
  return [{ code: decision.code, detail: decision.detail }];
}

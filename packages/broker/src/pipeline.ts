/**
 * The pipeline's stages: verify -> load -> decide -> mint. Each is a small function returning a
 * `Step` (go on with a value, or stop with a Deny or a Failure); a port's throw is caught where the
 * port is called (`attempt`) and becomes a value. What a stage has validated is noted on the
 * `Trail`, from which the one exit (broker.ts) builds the audit event.
 */
import { type AuditAction, type AuditEvent, blankEvent, subjectOf } from './audit.js';
import type { BindingCompiler, CompiledBinding } from './binding.js';
import type { Clock } from './clock.js';
import { type Decided, type DecisionInput, decide, sha256Hex } from './decision.js';
import { checkRequestedDuration } from './duration.js';
import { attempt, deny, failure, ok, type Stage, type Step } from './outcome.js';
import type { BindingStore, CredentialVendor, TokenVerifier } from './ports.js';
import type { RateLimiter } from './rate-limit.js';
import type { Revocation } from './revocation.js';
import type { RequestOrigin, VendedCredentials, VendRequest, VerifiedToken } from './types.js';

export type BrokerLog = (
  level: 'warn' | 'error',
  message: string,
  data?: Record<string, unknown>,
) => void;

/** What the stages need: the ports and the broker's settings. */
export interface StageEnv {
  readonly verifier: TokenVerifier;
  readonly bindings: BindingStore;
  readonly vendor: CredentialVendor;
  /** The web-identity vendor; null when this deployment has no OIDC issuer. */
  readonly webIdentityVendor: CredentialVendor | null;
  readonly clock: Clock;
  readonly compiler: BindingCompiler;
  readonly roleChaining: boolean;
  readonly log: BrokerLog;
  /** Limits per source IP and per subject; none: unlimited. */
  readonly limiter: RateLimiter | undefined;
}

/**
 * The facts of one run, noted stage by stage (only validated values), and the stage running now
 * (so a throw that escapes a stage by a bug is still attributed).
 */
export class Trail {
  stage: Stage = 'verify';
  /**
   * A vend's verified caller and where it came from, for the subjects table (subjects.ts);
   * unset on runs that record no subject (simulate, role listings).
   */
  seen: { readonly token: VerifiedToken; readonly origin: RequestOrigin } | undefined;
  readonly #facts: { -readonly [K in keyof AuditEvent]: AuditEvent[K] };

  /** Takes `facts` over (a fresh `blankEvent`): noted in place, no copy per stage. */
  constructor(facts: AuditEvent) {
    this.#facts = facts;
  }

  get facts(): AuditEvent {
    return this.#facts;
  }

  note(fields: Partial<AuditEvent>): void {
    Object.assign(this.#facts, fields);
  }
}

/** A trail opened with what the transport said (bounded later, at the exit). */
export function openTrail(
  action: AuditAction,
  ids: { eventId: string; now: Date; ttlSeconds: number },
  rawToken: string | undefined,
  origin: RequestOrigin,
): Trail {
  const trail = new Trail(
    blankEvent({
      eventId: ids.eventId,
      at: ids.now.toISOString(),
      sourceIp: typeof origin.sourceIp === 'string' ? origin.sourceIp : '',
      userAgent: typeof origin.userAgent === 'string' ? origin.userAgent : '',
      expiresAt: Math.floor(ids.now.getTime() / 1000) + ids.ttlSeconds,
    }),
  );
  trail.note({
    action,
    tokenSha256: typeof rawToken === 'string' && rawToken !== '' ? sha256Hex(rawToken) : undefined,
  });
  if (typeof origin.requestId === 'string') trail.note({ requestId: origin.requestId });
  return trail;
}

/** verify (token): the caller's verified identity. */
export async function verifyToken(
  env: StageEnv,
  trail: Trail,
  rawToken: string | undefined,
): Promise<Step<VerifiedToken>> {
  trail.stage = 'verify';
  const bySourceIp = overLimit(env, 'sourceIp', trail.facts.sourceIp);
  if (bySourceIp) return bySourceIp;
  if (typeof rawToken !== 'string' || rawToken === '') {
    return deny('verify', 'TokenMissing', 'no bearer token');
  }
  const verified = await attempt('verify', 'InternalError', () => env.verifier.verify(rawToken));
  if (verified.kind !== 'ok') return verified;
  noteIdentity(trail, verified.value);
  return overLimit(env, 'subject', trail.facts.subject) ?? verified;
}

/** A `RateLimited` deny when `value` is over its limit now. */
function overLimit(env: StageEnv, kind: 'sourceIp' | 'subject', value: string) {
  const taken = env.limiter?.take(kind, value, env.clock.now().getTime());
  if (!taken || taken.allowed) return undefined;
  return deny('verify', 'RateLimited', `over the ${kind} rate limit`, {
    retryAfterSeconds: taken.retryAfterSeconds,
  });
}

/** The verified caller's identity, noted for the event. */
export function noteIdentity(trail: Trail, token: VerifiedToken): void {
  trail.note({
    subject: subjectOf(token.issuer, token.subject),
    issuer: token.issuer,
    sub: token.subject,
    username: token.username,
    clientId: token.clientId,
  });
}

/** Longest `role` accepted (a role ARN is at most about 600 characters). */
const MAX_ROLE_LENGTH = 2048;

export interface CheckedRequest {
  readonly role: string;
  readonly requestedDuration: number | undefined;
}

/** verify (request): the role named and the duration asked, validated. */
export function checkRequest(trail: Trail, request: VendRequest): Step<CheckedRequest> {
  const { role } = request;
  if (typeof role !== 'string' || role.length === 0 || role.length > MAX_ROLE_LENGTH) {
    return deny('verify', 'InvalidRequest', 'role is not a binding id or a role ARN', {
      field: '/role',
    });
  }
  trail.note({ requestedRole: role });
  const duration = checkRequestedDuration(request.durationSeconds);
  if (duration.kind !== 'ok') return duration;
  trail.note({ requestedDuration: duration.value });
  return ok({ role, requestedDuration: duration.value });
}

/** A pool as the decide stage reads it: compiled bindings and the revocations. */
export interface LoadedPool {
  readonly bindings: CompiledBinding[];
  readonly revocations: readonly Revocation[];
}

/**
 * load: the issuer's bindings, compiled (one that does not compile is skipped: it grants
 * nothing), and its revocations, from the same read.
 */
export async function loadBindings(
  env: StageEnv,
  trail: Trail,
  issuer: string,
): Promise<Step<LoadedPool>> {
  trail.stage = 'load';
  const loaded = await attempt('load', 'StoreUnavailable', () => env.bindings.loadPool(issuer));
  if (loaded.kind !== 'ok') return loaded;
  const compiled: CompiledBinding[] = [];
  for (const binding of loaded.value.bindings) {
    try {
      compiled.push(env.compiler.compile(binding));
    } catch (err) {
      env.log('error', 'binding does not compile; skipped', {
        bindingId: binding.id,
        errorName: (err as Error)?.name,
      });
    }
  }
  return ok({ bindings: compiled, revocations: loaded.value.revocations });
}

/** decide: pure; a grant's facts are noted for the event. */
export function decideStage(trail: Trail, input: DecisionInput): Step<Decided> {
  trail.stage = 'decide';
  const decision = decide(input);
  if (decision.kind !== 'ok') return decision;
  const { params, binding, duration } = decision.value;
  trail.note({
    bindingId: binding.id,
    bindingVersion: binding.version,
    roleArn: params.RoleArn,
    durationSeconds: params.DurationSeconds,
    clampedBy: duration.clampedBy,
    sessionPolicySha256: decision.value.sessionPolicySha256,
    tags: params.Tags,
    sourceIdentity: params.SourceIdentity,
    roleSessionName: params.RoleSessionName,
    trace: decision.value.trace,
  });
  return decision;
}

/**
 * mint: the binding's CredentialVendor — AssumeRole, or the web-identity vendor (a token Tessera
 * signs for the caller, exchanged with AssumeRoleWithWebIdentity). A binding asking for a vendor
 * this deployment lacks is a Failure (ConfigInvalid), never a fallback to the other vendor.
 */
export async function mint(
  env: StageEnv,
  trail: Trail,
  decided: Decided,
  caller: VerifiedToken,
): Promise<Step<VendedCredentials>> {
  trail.stage = 'mint';
  trail.note({ vendor: decided.vendor });
  const vendor = decided.vendor === 'web-identity' ? env.webIdentityVendor : env.vendor;
  if (vendor === null) {
    return failure('mint', 'ConfigInvalid', new Error('no web-identity vendor is configured'));
  }
  const vended = await attempt('mint', 'StsUnavailable', () =>
    vendor.assumeRole(decided.params, caller),
  );
  if (vended.kind === 'ok') {
    trail.note({
      stsRequestId: vended.value.requestId,
      accessKeyId: vended.value.credentials.accessKeyId,
      assumedRoleArn: vended.value.assumedRoleArn,
      webIdentityTokenId: vended.value.webIdentityTokenId,
    });
  }
  return vended;
}

/**
 * The one core the Lambda handlers, the local stack and the CLI call. `vend`, `simulate` and
 * `listRoles` are compositions of the same stages (pipeline.ts) ending in one outcome
 * (`Grant | Deny | Failure`), and every run leaves through one exit, `run`, which writes the
 * audit event from the outcome (as octo-sts records its event in a `defer`): no path can skip it.
 * No answer without its record: when the event cannot be stored, the outcome becomes the Failure
 * `AuditUnavailable` (503), for grants and denies alike; a grant's minted access key id is then
 * logged so an operator can revoke it.
 */

import { randomUUID } from 'node:crypto';
import { type AuditAction, type AuditEvent, storableEvent } from './audit.js';
import { accountOf, BindingCompiler, type CompiledBinding, roleNameOf } from './binding.js';
import { type Clock, systemClock } from './clock.js';
import { type Code, isFailureCode } from './codes.js';
import { type Decided, decide } from './decision.js';
import { chainingCapApplies, effectiveMaxDuration } from './duration.js';
import { type Deny, deny, type Failure, failure, type Outcome, type Step } from './outcome.js';
import {
  type BrokerLog,
  checkRequest,
  decideStage,
  loadBindings,
  mint,
  noteIdentity,
  openTrail,
  type StageEnv,
  type Trail,
  verifyToken,
} from './pipeline.js';
import type {
  AuditSink,
  BindingStore,
  CredentialVendor,
  SubjectStore,
  TokenVerifier,
} from './ports.js';
import type { RateLimiter } from './rate-limit.js';
import { BINDING_ID } from './schema/binding.js';
import { DEFAULT_SUBJECT_TTL_DAYS, subjectRecord } from './subjects.js';
import type {
  AccountRoles,
  ListRolesRequest,
  ListRolesResult,
  RequestOrigin,
  RoleEntry,
  SimulateRequest,
  VendRequest,
  VendResult,
  VerifiedToken,
} from './types.js';

export type { BrokerLog } from './pipeline.js';

export interface BrokerDeps {
  readonly verifier: TokenVerifier;
  readonly bindings: BindingStore;
  readonly vendor: CredentialVendor;
  /** Bindings with `"vendor": "web-identity"`; null or absent: such bindings fail (ConfigInvalid). */
  readonly webIdentityVendor?: CredentialVendor | null;
  readonly audit: AuditSink;
  readonly clock?: Clock;
  /** The broker's own credentials are a role session (Lambda): cap sessions at 3600 s. Default true. */
  readonly roleChaining?: boolean;
  /** Days an audit event is kept (the TTL attribute). Default 365. */
  readonly auditTtlDays?: number;
  /** The operator's log: failures, unstored events (with the minted key id), skipped bindings. */
  readonly log?: BrokerLog;
  /** Audit event ids; default random UUIDs (ids are not identity: session names are derived). */
  readonly newEventId?: () => string;
  /** The group (`cognito:groups`) whose members may simulate for other claims; `null`: nobody. */
  readonly adminGroup?: string | null;
  /** Limits per source IP and per subject (a `RateLimited` deny, 429); default none. */
  readonly limiter?: RateLimiter;
  /**
   * The subjects table: each vend that reached the decide stage records the caller's request
   * context (subjects.ts). `null`: nothing is recorded (explicit). Default null.
   */
  readonly subjects?: SubjectStore | null;
  /** Days a subject record is kept (its TTL). Default 90. */
  readonly subjectTtlDays?: number;
}

/** A dry run's answer: the decision a vend would reach, with the evaluator's trace. */
export interface Simulation {
  readonly decided: Decided;
  /** The identity decided for: the caller's, or the claims an administrator passed. */
  readonly subject: string;
}

/** A request body as an event may name it: its digest and size, never the body. */
export interface BodyDigest {
  readonly sha256: string;
  readonly bytes: number;
}

/**
 * A request refused before any stage ran — the HTTP layer's own checks: a body that is not JSON,
 * too large or of the wrong shape, the wrong content type, a repeated header, no such route. It
 * leaves through the same exit as every decision (`record`), so it is recorded or answered 503.
 */
export interface Refusal {
  readonly action: AuditAction;
  readonly code: Code;
  /** What is wrong, as answered: a JSON Pointer into the body, or a header's or parameter's name. */
  readonly field: string | undefined;
  /** Plain words for the audit log, built from codes and pointers (never the body's values). */
  readonly detail: string;
  /** The bearer token as sent (only its hash is recorded). */
  readonly rawToken: string | undefined;
  readonly origin: RequestOrigin;
  readonly body: BodyDigest | undefined;
  /** The caller, when the token was verified before the refusal (the admin routes). */
  readonly caller?: VerifiedToken | undefined;
  /** The binding addressed (an admin route's validated `{id}`). */
  readonly bindingId?: string | undefined;
  /** A 5xx refusal: what was thrown (the operator's log; its name and message in `detail`). */
  readonly cause?: unknown;
}

/** The exit, for what is refused before the pipeline runs. */
export interface Recorder {
  /**
   * Record a refusal: its Deny (a Failure for a 5xx code) once the event is stored, else the
   * Failure `AuditUnavailable`. Never throws.
   */
  refuse(refusal: Refusal): Promise<Deny | Failure>;
}

export interface Broker extends Recorder {
  vend(request: VendRequest): Promise<Outcome<VendResult>>;
  /** The vend pipeline without the mint stage; a Deny carries the trace too. */
  simulate(request: SimulateRequest): Promise<Outcome<Simulation>>;
  /** Decide once per binding; one event lists the roles revealed. */
  listRoles(request: ListRolesRequest): Promise<Outcome<ListRolesResult>>;
}

/**
 * What the exit needs: the sink, the operator's log, how events are stamped, and the subjects
 * table (null where no vend leaves: a refusal recorder).
 */
interface ExitEnv {
  readonly audit: AuditSink;
  readonly log: BrokerLog;
  readonly clock: Clock;
  readonly newEventId: () => string;
  readonly ttlSeconds: number;
  readonly subjects: SubjectStore | null;
  readonly subjectTtlSeconds: number;
}

interface RunEnv extends StageEnv, ExitEnv {
  readonly adminGroup: string | null;
}

/**
 * The exit: one event from the outcome, stored, or the outcome becomes `AuditUnavailable` (also
 * when building the event fails: no answer without its record).
 */
async function record<O extends Outcome<unknown>>(
  env: ExitEnv,
  trail: Trail,
  outcome: O,
): Promise<O | Failure> {
  let event: AuditEvent | undefined;
  try {
    trail.note(outcomeFacts(trail.facts, outcome));
    event = storableEvent(trail.facts);
    if (outcome.kind === 'failure') {
      env.log('error', 'request failed', { ...logFacts(event), errorName: nameOf(outcome.cause) });
    }
    // The subject's record is written beside the event and never changes the answer; both are
    // settled before the answer leaves (nothing left in flight in a frozen Lambda).
    const [stored] = await Promise.allSettled([
      env.audit.write(event),
      recordSubject(env, trail, event),
    ]);
    if (stored.status === 'rejected') throw stored.reason;
    return outcome;
  } catch (err) {
    // Never the secret; the access key id (a grant's) lets an operator find and revoke it.
    env.log('error', 'audit event not stored; answered 503', {
      ...(event
        ? logFacts(event)
        : { reason: outcome.kind === 'grant' ? 'Granted' : outcome.code }),
      accessKeyId: event?.accessKeyId ?? trail.facts.accessKeyId,
      errorName: nameOf(err),
    });
    return failure('audit', 'AuditUnavailable', err);
  }
}

/**
 * The subjects table write of a vend that reached the decide stage (a grant, or a refusal or
 * failure from decide or mint): what the trust evaluation saw. Not a security decision: a
 * failure is logged and the run's answer stands (DESIGN "Subjects"). Never throws.
 */
async function recordSubject(env: ExitEnv, trail: Trail, event: AuditEvent): Promise<void> {
  const seen = trail.seen;
  const decided = event.result === 'grant' || event.stage === 'decide' || event.stage === 'mint';
  if (env.subjects === null || seen === undefined || !decided) return;
  if (event.action !== 'vend' && event.action !== 'console') return;
  try {
    const record = subjectRecord(seen.token, seen.origin, {
      at: new Date(event.at),
      action: event.action,
      result: event.result,
      bindingId: event.bindingId,
      ttlSeconds: env.subjectTtlSeconds,
    });
    await env.subjects.record(record);
  } catch (err) {
    env.log('warn', 'subject record not stored; the answer stands', {
      eventId: event.eventId,
      errorName: nameOf(err),
    });
  }
}

function logFacts(event: AuditEvent) {
  const { eventId, action, result, reason, stage, bindingId } = event;
  return { eventId, action, result, reason, stage, bindingId };
}

function nameOf(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

/** What an outcome adds to the trail's facts. */
function outcomeFacts<T>(facts: AuditEvent, outcome: Outcome<T>): Partial<AuditEvent> {
  switch (outcome.kind) {
    case 'grant':
      return { result: 'grant', reason: 'Granted', stage: undefined };
    case 'deny':
      return {
        result: 'deny',
        reason: outcome.code,
        stage: outcome.stage,
        detail: outcome.detail,
        field: outcome.field ?? facts.field,
        bindingId: outcome.binding?.id ?? facts.bindingId,
        bindingVersion: outcome.binding?.version ?? facts.bindingVersion,
        roleArn: outcome.roleArn ?? facts.roleArn,
        trace: outcome.trace.length > 0 ? outcome.trace : facts.trace,
      };
    case 'failure': {
      const cause = outcome.cause instanceof Error ? outcome.cause : undefined;
      return {
        result: 'error',
        reason: outcome.code,
        stage: outcome.stage,
        detail: cause ? `${cause.name}: ${cause.message}` : undefined,
      };
    }
  }
}

/**
 * Run stages to an outcome and leave through the exit. A throw that escapes a stage (a bug: stages
 * return values) is the Failure `InternalError` of the stage that was running.
 */
async function run<T>(
  env: ExitEnv,
  audited: boolean,
  trail: Trail,
  stages: () => Promise<Outcome<T>>,
): Promise<Outcome<T>> {
  let outcome: Outcome<T>;
  try {
    outcome = await stages();
  } catch (err) {
    outcome = failure(trail.stage, 'InternalError', err);
  }
  if (audited) return record(env, trail, outcome);
  if (outcome.kind === 'failure')
    env.log('error', 'request failed', {
      stage: outcome.stage,
      code: outcome.code,
      errorName: nameOf(outcome.cause),
    });
  return outcome;
}

function open(env: ExitEnv, action: AuditAction, raw: string | undefined, origin: RequestOrigin) {
  const now = env.clock.now();
  const ids = { eventId: env.newEventId(), now, ttlSeconds: env.ttlSeconds };
  return openTrail(action, ids, raw, origin);
}

/** verify -> load -> decide for one request (vend and simulate share it). */
async function toDecision(
  env: RunEnv,
  trail: Trail,
  token: VerifiedToken,
  request: VendRequest,
): Promise<Step<Decided>> {
  trail.stage = 'verify';
  const checked = checkRequest(trail, request);
  if (checked.kind !== 'ok') return checked;
  const bindings = await loadBindings(env, trail, token.issuer);
  if (bindings.kind !== 'ok') return bindings;
  return decideStage(trail, {
    token,
    bindings: bindings.value.bindings,
    revocations: bindings.value.revocations,
    role: checked.value.role,
    requestedDuration: checked.value.requestedDuration,
    unverifiedPolicy: request.policy,
    origin: request.origin,
    now: env.clock.now(),
    roleChaining: env.roleChaining,
  });
}

async function vendStages(
  env: RunEnv,
  trail: Trail,
  request: VendRequest,
): Promise<Outcome<VendResult>> {
  const token = await verifyToken(env, trail, request.rawToken);
  if (token.kind !== 'ok') return token;
  trail.seen = { token: token.value, origin: request.origin };
  const decided = await toDecision(env, trail, token.value, request);
  if (decided.kind !== 'ok') return decided;
  const vended = await mint(env, trail, decided.value, token.value);
  if (vended.kind !== 'ok') return vended;
  const { params, duration, binding } = decided.value;
  return {
    kind: 'grant',
    value: {
      credentials: vended.value.credentials,
      roleArn: params.RoleArn,
      assumedRoleArn: vended.value.assumedRoleArn,
      bindingId: binding.id,
      durationSeconds: params.DurationSeconds,
      clampedBy: duration.clampedBy,
      sourceIdentity: params.SourceIdentity,
      sessionName: params.RoleSessionName,
      vendor: decided.value.vendor,
    },
  };
}

/** The identity simulated: the caller's, or (administrators only) the claims passed. */
function simulatedToken(
  env: RunEnv,
  trail: Trail,
  caller: VerifiedToken,
  request: SimulateRequest,
): Step<VerifiedToken> {
  const { claims } = request;
  if (claims === undefined) return { kind: 'ok', value: caller };
  const groups = caller.claims['cognito:groups'];
  if (env.adminGroup === null || !Array.isArray(groups) || !groups.includes(env.adminGroup)) {
    return deny('verify', 'AdminRequired', 'claims passed by a caller outside the admin group');
  }
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const sub = text(claims['sub']) ?? '';
  trail.note({ simulatedSub: sub });
  const tokenUse = claims['token_use'] === 'id' ? 'id' : 'access';
  return {
    kind: 'ok',
    value: {
      issuer: caller.issuer,
      userPoolId: caller.userPoolId,
      clientId: text(tokenUse === 'id' ? claims['aud'] : claims['client_id']) ?? '',
      tokenUse,
      subject: sub,
      username: text(claims['cognito:username']) ?? text(claims['username']),
      claims,
    },
  };
}

async function simulateStages(
  env: RunEnv,
  trail: Trail,
  request: SimulateRequest,
): Promise<Outcome<Simulation>> {
  const caller = await verifyToken(env, trail, request.rawToken);
  if (caller.kind !== 'ok') return caller;
  const token = simulatedToken(env, trail, caller.value, request);
  if (token.kind !== 'ok') return token;
  const decided = await toDecision(env, trail, token.value, request);
  if (decided.kind !== 'ok') return decided;
  return { kind: 'grant', value: { decided: decided.value, subject: token.value.subject } };
}

/** A role entry for a binding whose decision grants (no request duration, no scope-down). */
function roleEntry(env: RunEnv, compiled: CompiledBinding, decided: Decided): RoleEntry {
  const { binding } = compiled;
  const max = effectiveMaxDuration(
    binding.durationSeconds,
    binding.roleMaxSessionDuration,
    chainingCapApplies(binding.vendor, env.roleChaining),
  );
  return {
    bindingId: binding.id,
    roleArn: binding.roleArn,
    roleName: roleNameOf(binding.roleArn),
    description: binding.roleDescription,
    defaultDurationSeconds: Math.min(decided.duration.seconds, max),
    maxDurationSeconds: max,
  };
}

async function rolesStages(
  env: RunEnv,
  trail: Trail,
  request: ListRolesRequest,
): Promise<Outcome<ListRolesResult>> {
  const token = await verifyToken(env, trail, request.rawToken);
  if (token.kind !== 'ok') return token;
  const bindings = await loadBindings(env, trail, token.value.issuer);
  if (bindings.kind !== 'ok') return bindings;
  trail.stage = 'decide';
  const byAccount = new Map<string, RoleEntry[]>();
  const failed: string[] = [];
  const now = env.clock.now();
  for (const compiled of bindings.value.bindings) {
    const decision = decide({
      token: token.value,
      bindings: [compiled],
      revocations: bindings.value.revocations,
      role: compiled.binding.id,
      requestedDuration: undefined,
      unverifiedPolicy: undefined,
      origin: request.origin,
      now,
      roleChaining: env.roleChaining,
    });
    if (decision.kind === 'deny') {
      if (decision.code === 'EvaluationFailed') failed.push(compiled.binding.id);
      continue;
    }
    const account = accountOf(compiled.binding.roleArn);
    byAccount.set(account, [
      ...(byAccount.get(account) ?? []),
      roleEntry(env, compiled, decision.value),
    ]);
  }
  const accounts: AccountRoles[] = [...byAccount.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([accountId, roles]) => ({ accountId, roles }));
  const revealed = accounts.flatMap((a) => a.roles.map((r) => r.bindingId));
  trail.note({
    rolesRevealed: revealed,
    detail: failed.length > 0 ? `evaluation failed for ${failed.join(', ')}` : undefined,
  });
  if (failed.length > 0)
    env.log('error', 'trust evaluation failed; bindings not listed', { bindingIds: failed });
  return { kind: 'grant', value: { accounts } };
}

/** A refusal as the outcome the exit records: a Deny, or a Failure for a 5xx code. */
function refusalOutcome(trail: Trail, refusal: Refusal): Deny | Failure {
  trail.note({
    detail: refusal.detail,
    bodySha256: refusal.body?.sha256,
    bodyBytes: refusal.body?.bytes,
  });
  if (isFailureCode(refusal.code)) return failure('verify', refusal.code, refusal.cause);
  return deny('verify', refusal.code, refusal.detail, { field: refusal.field });
}

function refuseThrough(env: ExitEnv, refusal: Refusal): Promise<Deny | Failure> {
  const trail = open(env, refusal.action, refusal.rawToken, refusal.origin);
  if (refusal.caller !== undefined) noteIdentity(trail, refusal.caller);
  const { bindingId } = refusal;
  // Only a binding id that is one (the pipeline notes only validated values; so does this exit).
  trail.note({
    field: refusal.field,
    bindingId: bindingId !== undefined && BINDING_ID.test(bindingId) ? bindingId : undefined,
  });
  return record(env, trail, refusalOutcome(trail, refusal));
}

export interface RecorderDeps {
  readonly audit: AuditSink;
  readonly clock?: Clock;
  /** Days an event is kept (the TTL attribute). Default 365. */
  readonly auditTtlDays?: number;
  readonly log?: BrokerLog;
  readonly newEventId?: () => string;
}

function exitEnv(deps: RecorderDeps): ExitEnv {
  return {
    audit: deps.audit,
    clock: deps.clock ?? systemClock,
    log: deps.log ?? (() => {}),
    newEventId: deps.newEventId ?? randomUUID,
    ttlSeconds: Math.round((deps.auditTtlDays ?? 365) * 86_400),
    subjects: null,
    subjectTtlSeconds: 0,
  };
}

/**
 * The exit on its own, for an app that refuses requests without a broker (the binding-admin
 * app): the same `record` the broker's runs leave through.
 */
export function createRecorder(deps: RecorderDeps): Recorder {
  const env = exitEnv(deps);
  return { refuse: (refusal) => refuseThrough(env, refusal) };
}

export function createBroker(deps: BrokerDeps): Broker {
  const env: RunEnv = {
    ...exitEnv(deps),
    verifier: deps.verifier,
    bindings: deps.bindings,
    vendor: deps.vendor,
    webIdentityVendor: deps.webIdentityVendor ?? null,
    compiler: new BindingCompiler(),
    roleChaining: deps.roleChaining ?? true,
    adminGroup: deps.adminGroup ?? null,
    limiter: deps.limiter,
    subjects: deps.subjects ?? null,
    subjectTtlSeconds: Math.round((deps.subjectTtlDays ?? DEFAULT_SUBJECT_TTL_DAYS) * 86_400),
  };
  return {
    refuse: (refusal) => refuseThrough(env, refusal),
    vend(request) {
      const trail = open(env, request.purpose ?? 'vend', request.rawToken, request.origin);
      return run(env, true, trail, () => vendStages(env, trail, request));
    },
    simulate(request) {
      const trail = open(env, 'simulate', request.rawToken, request.origin);
      return run(env, request.claims !== undefined, trail, () =>
        simulateStages(env, trail, request),
      );
    },
    listRoles(request) {
      const trail = open(env, 'roles', request.rawToken, request.origin);
      return run(env, true, trail, () => rolesStages(env, trail, request));
    },
  };
}

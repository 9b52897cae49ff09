/**
 * The one core the Lambda handlers, the local stack and the CLI call: verify -> load bindings ->
 * decide -> AssumeRole -> audit. Every exit path writes one audit event; a grant whose event
 * cannot be stored is not returned (fail closed).
 */
import { randomUUID } from 'node:crypto';
import { type AuditEvent, blankEvent, subjectOf } from './audit.js';
import { accountOf, BindingCompiler, type CompiledBinding, roleNameOf } from './binding.js';
import { type Clock, systemClock } from './clock.js';
import { federatedPrincipal, requestContext } from './context.js';
import { type Decision, decide, denialError, sha256Hex } from './decision.js';
import { checkRequestedDuration, effectiveMaxDuration } from './duration.js';
import { BrokerError, RequestError, StoreError, TokenError, TrustError } from './errors.js';
import type { AuditSink, BindingStore, CredentialVendor, TokenVerifier } from './ports.js';
import { evaluateTrust } from './trust.js';
import type {
  AccountRoles,
  ListRolesRequest,
  ListRolesResult,
  RoleEntry,
  VendRequest,
  VendResult,
  VerifiedToken,
} from './types.js';

export type BrokerLog = (
  level: 'warn' | 'error',
  message: string,
  data?: Record<string, unknown>,
) => void;

export interface BrokerDeps {
  readonly verifier: TokenVerifier;
  readonly bindings: BindingStore;
  readonly vendor: CredentialVendor;
  readonly audit: AuditSink;
  readonly clock?: Clock;
  /** The broker's own credentials are a role session (Lambda): cap sessions at 3600 s. Default true. */
  readonly roleChaining?: boolean;
  /** Days an audit event is kept (the TTL attribute). Default 365. */
  readonly auditTtlDays?: number;
  /** Where the broker reports what it cannot answer with (a deny whose audit write failed). */
  readonly log?: BrokerLog;
  /** Audit event ids; default random UUIDs (ids are not identity: session names are derived). */
  readonly newEventId?: () => string;
}

export interface Broker {
  vend(request: VendRequest): Promise<VendResult>;
  listRoles(request: ListRolesRequest): Promise<ListRolesResult>;
  /**
   * Dry run: the decision `vend` would reach for this request (grant parameters or deny reason,
   * with the evaluator's trace), without calling STS. Token and request errors throw as in vend.
   */
  simulate(request: VendRequest): Promise<Decision>;
}

const MAX_ROLE_LENGTH = 2048;

export function createBroker(deps: BrokerDeps): Broker {
  const clock = deps.clock ?? systemClock;
  const roleChaining = deps.roleChaining ?? true;
  const ttlSeconds = Math.round((deps.auditTtlDays ?? 365) * 86_400);
  const compiler = new BindingCompiler();
  const newEventId = deps.newEventId ?? randomUUID;
  const log: BrokerLog = deps.log ?? (() => {});

  async function verify(rawToken: string | undefined): Promise<VerifiedToken> {
    if (rawToken === undefined || rawToken === '')
      throw new TokenError('TokenMissing', 'a bearer token is required');
    return deps.verifier.verify(rawToken);
  }

  async function load(issuer: string): Promise<CompiledBinding[]> {
    let bindings: Awaited<ReturnType<BindingStore['listByIssuer']>>;
    try {
      bindings = await deps.bindings.listByIssuer(issuer);
    } catch (err) {
      if (err instanceof BrokerError) throw err;
      throw new StoreError('StoreUnavailable', 'the binding store is unavailable', { cause: err });
    }
    const compiled: CompiledBinding[] = [];
    for (const binding of bindings) {
      try {
        compiled.push(compiler.compile(binding));
      } catch (err) {
        // Fail closed: a binding that does not compile grants nothing.
        log('error', 'binding does not compile; skipped', {
          bindingId: binding.id,
          error: String(err),
        });
      }
    }
    return compiled;
  }

  async function writeAudit(event: AuditEvent, required: boolean): Promise<void> {
    try {
      await deps.audit.write(event);
    } catch (err) {
      if (required)
        throw new StoreError('AuditUnavailable', 'the audit log is unavailable', { cause: err });
      log('error', 'audit event not stored', {
        eventId: event.eventId,
        reason: event.reason,
        error: String(err),
      });
    }
  }

  async function vend(request: VendRequest): Promise<VendResult> {
    const now = clock.now();
    let event: AuditEvent = {
      ...blankEvent({
        eventId: newEventId(),
        at: now.toISOString(),
        sourceIp: request.origin.sourceIp,
        userAgent: request.origin.userAgent,
        expiresAt: Math.floor(now.getTime() / 1000) + ttlSeconds,
      }),
      tokenSha256: request.rawToken ? sha256Hex(request.rawToken) : undefined,
      requestedRole:
        typeof request.role === 'string' ? request.role.slice(0, MAX_ROLE_LENGTH) : undefined,
      requestedDuration:
        typeof request.durationSeconds === 'number' ? request.durationSeconds : undefined,
    };
    const fail = async (err: unknown, result: 'deny' | 'error' = 'deny'): Promise<never> => {
      const code = err instanceof BrokerError ? err.code : 'InternalError';
      await writeAudit(
        {
          ...event,
          result,
          reason: event.reason || code,
          detail: event.detail ?? (err as Error)?.message,
        },
        false,
      );
      throw err;
    };

    let token: VerifiedToken;
    try {
      token = await verify(request.rawToken);
    } catch (err) {
      return fail(err);
    }
    event = {
      ...event,
      subject: subjectOf(token.issuer, token.subject),
      issuer: token.issuer,
      sub: token.subject,
      username: token.username,
      clientId: token.clientId,
    };

    let requestedDuration: number | undefined;
    try {
      if (
        typeof request.role !== 'string' ||
        request.role.length === 0 ||
        request.role.length > MAX_ROLE_LENGTH
      ) {
        throw new RequestError(
          'InvalidRequest',
          '/role',
          'role must be a binding id or a role ARN',
        );
      }
      requestedDuration = checkRequestedDuration(request.durationSeconds);
    } catch (err) {
      return fail(err);
    }

    let bindings: CompiledBinding[];
    try {
      bindings = await load(token.issuer);
    } catch (err) {
      return fail(err, 'error');
    }

    const decision = decide({
      token,
      bindings,
      role: request.role,
      requestedDuration,
      unverifiedPolicy: request.policy,
      origin: request.origin,
      now,
      roleChaining,
    });
    if (decision.effect === 'deny') {
      event = {
        ...event,
        reason: decision.reason,
        detail: decision.detail,
        bindingId: decision.binding?.id,
        bindingVersion: decision.binding?.version,
        roleArn: decision.roleArn,
        trace: decision.trace,
      };
      return fail(denialError(decision));
    }

    const { params } = decision;
    event = {
      ...event,
      bindingId: decision.binding.id,
      bindingVersion: decision.binding.version,
      roleArn: params.RoleArn,
      durationSeconds: params.DurationSeconds,
      clampedBy: decision.duration.clampedBy,
      sessionPolicySha256: decision.sessionPolicySha256,
      tags: params.Tags,
      sourceIdentity: params.SourceIdentity,
      roleSessionName: params.RoleSessionName,
      trace: decision.trace,
    };

    let vended: Awaited<ReturnType<CredentialVendor['assumeRole']>>;
    try {
      vended = await deps.vendor.assumeRole(params);
    } catch (err) {
      if (err instanceof BrokerError && err.code === 'StsAccessDenied') {
        // The role's real trust does not accept the broker: to the caller, like any other role it may not use.
        event = { ...event, reason: 'StsAccessDenied', detail: err.message };
        return fail(new TrustError('RoleNotPermitted', 'the caller may not use this role'));
      }
      return fail(err, 'error');
    }

    await writeAudit(
      {
        ...event,
        result: 'grant',
        reason: 'Granted',
        stsRequestId: vended.requestId,
        accessKeyId: vended.credentials.accessKeyId,
        assumedRoleArn: vended.assumedRoleArn,
      },
      true,
    );
    return {
      credentials: vended.credentials,
      roleArn: params.RoleArn,
      assumedRoleArn: vended.assumedRoleArn,
      bindingId: decision.binding.id,
      durationSeconds: params.DurationSeconds,
      clampedBy: decision.duration.clampedBy,
      sourceIdentity: params.SourceIdentity,
      sessionName: params.RoleSessionName,
    };
  }

  async function listRoles(request: ListRolesRequest): Promise<ListRolesResult> {
    const token = await verify(request.rawToken);
    const bindings = await load(token.issuer);
    const context = requestContext(token, request.origin, clock.now(), undefined);
    const principal = federatedPrincipal(token.issuer);
    const byAccount = new Map<string, RoleEntry[]>();
    for (const { binding, trust } of bindings) {
      if (!binding.enabled) continue;
      let allowed = false;
      try {
        allowed = evaluateTrust(trust, binding.roleArn, principal, context).decision === 'Allow';
      } catch (err) {
        log('error', 'trust evaluation failed; binding not listed', {
          bindingId: binding.id,
          error: String(err),
        });
      }
      if (!allowed) continue;
      const account = accountOf(binding.roleArn);
      const max = effectiveMaxDuration(
        binding.durationSeconds,
        binding.roleMaxSessionDuration,
        roleChaining,
      );
      const entries = byAccount.get(account) ?? [];
      entries.push({
        bindingId: binding.id,
        roleArn: binding.roleArn,
        roleName: roleNameOf(binding.roleArn),
        defaultDurationSeconds: Math.min(binding.durationSeconds.default, max),
        maxDurationSeconds: max,
      });
      byAccount.set(account, entries);
    }
    const accounts: AccountRoles[] = [...byAccount.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([accountId, roles]) => ({ accountId, roles }));
    return { accounts };
  }

  async function simulate(request: VendRequest): Promise<Decision> {
    const token = await verify(request.rawToken);
    if (
      typeof request.role !== 'string' ||
      request.role.length === 0 ||
      request.role.length > MAX_ROLE_LENGTH
    ) {
      throw new RequestError('InvalidRequest', '/role', 'role must be a binding id or a role ARN');
    }
    return decide({
      token,
      bindings: await load(token.issuer),
      role: request.role,
      requestedDuration: checkRequestedDuration(request.durationSeconds),
      unverifiedPolicy: request.policy,
      origin: request.origin,
      now: clock.now(),
      roleChaining,
    });
  }

  return { vend, listRoles, simulate };
}

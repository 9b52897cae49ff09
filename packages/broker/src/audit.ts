/**
 * The audit event: one per decision, written by the pipeline's one exit (broker.ts) from the
 * outcome, grant, deny or failure, token failures included (subject `anonymous`). It carries
 * hashes and key ids, never a token or a secret: the token's SHA-256, the session policy's
 * SHA-256, the STS request id and the vended AccessKeyId (the keys that join it to CloudTrail).
 *
 * Storable by construction: every event goes through `storableEvent`, which bounds every string
 * (a long or odd value — control characters, lone surrogates, over its byte budget — becomes a
 * short readable prefix and the value's SHA-256), keeps only safe integers, and caps the trace, so
 * DynamoDB's limits (keys <= 2048/1024 bytes, numbers within 38 digits, items <= 400 KB) hold
 * whatever the caller sent. The raw request is never copied in: only what a stage validated.
 */
import { createHash } from 'node:crypto';
import type { Code } from './codes.js';
import type { Stage } from './outcome.js';
import type { ClampedBy, Tag, TraceEntry, VendorKind } from './types.js';

export type AuditResult = 'grant' | 'deny' | 'error';

/**
 * What was decided: a vend (CLI/API credentials, or `console`: a console sign-in link), a
 * simulation (recorded when an administrator simulates for someone else), a role listing, a
 * write to the trust-policy table, a read of it refused (`binding.read`), a request no route
 * takes (`request`: the wrong method or path), or an administrator's question about access
 * (`what-if`, an access `review`: they reveal who can assume what).
 */
export type AuditAction =
  | 'vend'
  | 'console'
  | 'simulate'
  | 'roles'
  | 'binding.put'
  | 'binding.delete'
  | 'binding.read'
  | 'request'
  | 'what-if'
  | 'review'
  | 'revocation.add'
  | 'revocation.lift'
  | 'revocation.list';

export interface AuditEvent {
  readonly eventId: string;
  /** ISO 8601 time of the decision. */
  readonly at: string;
  readonly action: AuditAction;
  readonly result: AuditResult;
  /** `Granted`, or the deny/failure code (finer than what the caller was told). */
  readonly reason: Code;
  /** The pipeline stage a deny or failure came from (`undefined` for a grant). */
  readonly stage?: Stage | undefined;
  /** `<iss>|<sub>`, or `anonymous` when the token did not verify. */
  readonly subject: string;
  readonly issuer: string | undefined;
  readonly sub: string | undefined;
  readonly username: string | undefined;
  readonly clientId: string | undefined;
  /** SHA-256 (hex) of the raw token as presented; never the token. */
  readonly tokenSha256: string | undefined;
  /** What the caller asked for, as written (binding id or role ARN). */
  readonly requestedRole: string | undefined;
  readonly requestedDuration: number | undefined;
  readonly bindingId: string | undefined;
  readonly bindingVersion: number | undefined;
  readonly roleArn: string | undefined;
  readonly durationSeconds: number | undefined;
  readonly clampedBy: ClampedBy | undefined;
  readonly sessionPolicySha256: string | undefined;
  readonly tags: readonly Tag[];
  readonly sourceIdentity: string | undefined;
  readonly roleSessionName: string | undefined;
  readonly stsRequestId: string | undefined;
  readonly accessKeyId: string | undefined;
  readonly assumedRoleArn: string | undefined;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly detail: string | undefined;
  readonly trace: readonly TraceEntry[];
  /** Role listings: the binding ids revealed to the caller. */
  readonly rolesRevealed?: readonly string[];
  /** Grants and mint-stage outcomes: the vendor the binding chose. */
  readonly vendor?: VendorKind;
  /** The web-identity vendor: the `jti` of the token presented to STS (CloudTrail shows it). */
  readonly webIdentityTokenId?: string;
  /** An administrator's simulation for someone else: the `sub` of the claims simulated. */
  readonly simulatedSub?: string | undefined;
  /** The trace was too large to keep whole: explanations were dropped. */
  readonly traceTruncated?: boolean;
  /** Binding writes: the version replaced or deleted (`null` when the write creates it). */
  readonly previousVersion?: number | null;
  /** Binding writes: the version written (`null` for a delete). */
  readonly newVersion?: number | null;
  /** A refusal: what is wrong, as answered (a JSON Pointer into the body, or a header's name). */
  readonly field?: string | undefined;
  /** A request refused for its body: the SHA-256 (hex) and byte length of the body as sent. */
  readonly bodySha256?: string | undefined;
  readonly bodyBytes?: number | undefined;
  /** The API's request id (API Gateway `requestContext.requestId`, answered as `apigw-requestid`). */
  readonly requestId?: string | undefined;
  /** Epoch seconds after which the event may be deleted (the table's TTL attribute). */
  readonly expiresAt: number;
}

export const ANONYMOUS = 'anonymous';

/** `<iss>|<sub>`, each part bounded (the audit table's partition key: <= 2048 bytes). */
export function subjectOf(issuer: string, sub: string): string {
  return `${bounded(issuer, 512)}|${bounded(sub, 256)}`;
}

/** Characters kept as written: letters, marks, digits, punctuation, symbols, the space. */
const PLAIN = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u;
const NOT_PLAIN = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu;
const PREFIX_CHARS = 32;

/**
 * A string as an event may hold it: itself when plain and within `maxBytes` (UTF-8), else a
 * short prefix (odd characters as `?`) and the SHA-256 of the whole value, so equal values still
 * match and no value can make the item unstorable.
 */
export function bounded(value: string, maxBytes: number): string {
  if (value.length <= maxBytes && PLAIN.test(value) && Buffer.byteLength(value) <= maxBytes) {
    return value;
  }
  const prefix = [...value.slice(0, PREFIX_CHARS * 2)]
    .slice(0, PREFIX_CHARS)
    .join('')
    .replace(NOT_PLAIN, '?');
  return `${prefix}...#sha256:${createHash('sha256').update(value).digest('hex')}`;
}

/**
 * An event with every optional field empty, to be filled by the exit path that writes it. Written
 * out field by field: an object spread into a literal this wide is slow in V8 (the hot path).
 */
export function blankEvent(
  fields: Pick<AuditEvent, 'eventId' | 'at' | 'sourceIp' | 'userAgent' | 'expiresAt'>,
): AuditEvent {
  return {
    eventId: fields.eventId,
    at: fields.at,
    action: 'vend',
    result: 'error',
    reason: 'InternalError',
    subject: ANONYMOUS,
    issuer: undefined,
    sub: undefined,
    username: undefined,
    clientId: undefined,
    tokenSha256: undefined,
    requestedRole: undefined,
    requestedDuration: undefined,
    bindingId: undefined,
    bindingVersion: undefined,
    roleArn: undefined,
    durationSeconds: undefined,
    clampedBy: undefined,
    sessionPolicySha256: undefined,
    tags: [],
    sourceIdentity: undefined,
    roleSessionName: undefined,
    stsRequestId: undefined,
    accessKeyId: undefined,
    assumedRoleArn: undefined,
    sourceIp: fields.sourceIp,
    userAgent: fields.userAgent,
    detail: undefined,
    trace: [],
    expiresAt: fields.expiresAt,
  };
}

/** Largest trace kept with its explanations, bytes of JSON (DynamoDB items are <= 400 KB). */
export const MAX_TRACE_BYTES = 64_000;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Most trace entries and revealed roles kept. */
const MAX_ENTRIES = 100;
const MAX_ROLES = 1000;

const opt = (value: string | undefined, maxBytes: number) =>
  value === undefined ? undefined : bounded(value, maxBytes);
const int = (value: number | undefined) => (Number.isSafeInteger(value) ? value : undefined);
/** An index key (`bindingId`, `roleArn`): DynamoDB refuses an empty string there, so none. */
const indexKey = (value: string | undefined, maxBytes: number) =>
  value === undefined || value === '' ? undefined : bounded(value, maxBytes);

function boundedEntry(entry: TraceEntry, withExplain: boolean): TraceEntry {
  return {
    bindingId: bounded(entry.bindingId, 128),
    bindingVersion: int(entry.bindingVersion) ?? 0,
    decision: entry.decision,
    explain: withExplain
      ? entry.explain.map((s) => ({
          policy: bounded(s.policy, 64),
          statement: int(s.statement) ?? -1,
          ...(s.sid === undefined ? {} : { sid: bounded(s.sid, 128) }),
          effect: s.effect,
          applies: s.applies,
          reasons: s.reasons.map((r) => ({
            element: r.element,
            ok: r.ok,
            ...(r.operator === undefined ? {} : { operator: bounded(r.operator, 128) }),
            ...(r.key === undefined ? {} : { key: bounded(r.key, 256) }),
            detail: bounded(r.detail, 512),
          })),
        }))
      : [],
    errors: entry.errors.map((e) => ({
      policy: bounded(e.policy, 64),
      statement: int(e.statement) ?? -1,
      code: bounded(e.code, 64),
      message: bounded(e.message, 512),
    })),
  };
}

/** Whether an entry is already bounded (so it can be kept as it is, without a copy). */
function isBounded(entry: TraceEntry): boolean {
  const fits = (value: string | undefined, max: number) =>
    value === undefined || bounded(value, max) === value;
  return (
    fits(entry.bindingId, 128) &&
    Number.isSafeInteger(entry.bindingVersion) &&
    entry.explain.every(
      (s) =>
        fits(s.policy, 64) &&
        fits(s.sid, 128) &&
        Number.isSafeInteger(s.statement) &&
        s.reasons.every((r) => fits(r.operator, 128) && fits(r.key, 256) && fits(r.detail, 512)),
    ) &&
    entry.errors.every(
      (e) =>
        fits(e.policy, 64) &&
        fits(e.code, 64) &&
        fits(e.message, 512) &&
        Number.isSafeInteger(e.statement),
    )
  );
}

/** An upper bound of an entry's JSON size in bytes (3 bytes per UTF-16 unit, 64 per object). */
function approxBytes(entry: TraceEntry): number {
  let bytes = 64 + entry.bindingId.length * 3;
  for (const s of entry.explain) {
    bytes += 64 + (s.policy.length + (s.sid?.length ?? 0)) * 3;
    for (const r of s.reasons) {
      bytes += 64 + ((r.operator?.length ?? 0) + (r.key?.length ?? 0) + r.detail.length) * 3;
    }
  }
  for (const e of entry.errors)
    bytes += 64 + (e.policy.length + e.code.length + e.message.length) * 3;
  return bytes;
}

/** The trace bounded field by field; explanations dropped when the whole is still too large. */
function boundedTrace(trace: readonly TraceEntry[]): {
  trace: readonly TraceEntry[];
  truncated: boolean;
} {
  const kept = trace.slice(0, MAX_ENTRIES);
  const full = kept.map((e) => (isBounded(e) ? e : boundedEntry(e, true)));
  const size = full.reduce((sum, e) => sum + approxBytes(e), 0);
  if (size <= MAX_TRACE_BYTES && kept.length === trace.length) {
    return { trace: full, truncated: false };
  }
  return { trace: kept.map((e) => boundedEntry(e, false)), truncated: true };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The optional fields of binding writes, role listings and simulations, bounded. */
function boundedExtras(event: AuditEvent, out: Mutable<AuditEvent>): void {
  if (event.rolesRevealed !== undefined) {
    out.rolesRevealed = event.rolesRevealed.slice(0, MAX_ROLES).map((r) => bounded(r, 128));
  }
  if (event.simulatedSub !== undefined) out.simulatedSub = bounded(event.simulatedSub, 256);
  if (event.vendor !== undefined) out.vendor = event.vendor;
  if (event.webIdentityTokenId !== undefined) {
    out.webIdentityTokenId = bounded(event.webIdentityTokenId, 128);
  }
  if (event.previousVersion !== undefined) {
    out.previousVersion = event.previousVersion === null ? null : int(event.previousVersion);
  }
  if (event.newVersion !== undefined) {
    out.newVersion = event.newVersion === null ? null : int(event.newVersion);
  }
  if (event.field !== undefined) out.field = bounded(event.field, 256);
  // A digest is kept only as one (64 hex digits); a byte count only as a safe integer.
  if (event.bodySha256 !== undefined && SHA256_HEX.test(event.bodySha256)) {
    out.bodySha256 = event.bodySha256;
  }
  if (int(event.bodyBytes) !== undefined) out.bodyBytes = event.bodyBytes;
  if (event.requestId !== undefined) out.requestId = bounded(event.requestId, 256);
}

/**
 * The one way an event is made ready to store: every string bounded, every number a safe
 * integer, lists capped. Idempotent (a bounded value is plain and within its budget). Built field
 * by field (no spread: the hot path).
 */
export function storableEvent(event: AuditEvent): AuditEvent {
  const { trace, truncated } = boundedTrace(event.trace);
  const out: Mutable<AuditEvent> = {
    eventId: bounded(event.eventId, 128),
    at: bounded(event.at, 64),
    action: event.action,
    result: event.result,
    reason: event.reason,
    stage: event.stage,
    subject: bounded(event.subject, 1024),
    issuer: opt(event.issuer, 512),
    sub: opt(event.sub, 256),
    username: opt(event.username, 256),
    clientId: opt(event.clientId, 256),
    tokenSha256: opt(event.tokenSha256, 64),
    requestedRole: opt(event.requestedRole, 1024),
    requestedDuration: int(event.requestedDuration),
    bindingId: indexKey(event.bindingId, 128),
    bindingVersion: int(event.bindingVersion),
    roleArn: indexKey(event.roleArn, 1024),
    durationSeconds: int(event.durationSeconds),
    clampedBy: event.clampedBy,
    sessionPolicySha256: opt(event.sessionPolicySha256, 64),
    tags: event.tags.slice(0, 50).map((t) => ({
      Key: bounded(t.Key, 128),
      Value: bounded(t.Value, 256),
    })),
    sourceIdentity: opt(event.sourceIdentity, 128),
    roleSessionName: opt(event.roleSessionName, 128),
    stsRequestId: opt(event.stsRequestId, 256),
    accessKeyId: opt(event.accessKeyId, 128),
    assumedRoleArn: opt(event.assumedRoleArn, 2048),
    sourceIp: bounded(event.sourceIp, 128),
    userAgent: bounded(event.userAgent, 512),
    detail: opt(event.detail, 1024),
    trace,
    expiresAt: int(event.expiresAt) ?? 0,
  };
  if (truncated) out.traceTruncated = true;
  boundedExtras(event, out);
  return out;
}

/**
 * The audit event: one per decision on every exit path of a vend, grant or deny, token failures
 * included (subject `anonymous`). It carries hashes and key ids, never a token or a secret: the
 * token's SHA-256, the session policy's SHA-256, the STS request id and the vended AccessKeyId
 * (the keys that join it to CloudTrail).
 */
import type { ClampedBy, Tag, TraceEntry } from './types.js';

export type AuditResult = 'grant' | 'deny' | 'error';

/** What was decided: a vend, or a write to the trust-policy table. */
export type AuditAction = 'vend' | 'binding.put' | 'binding.delete';

export interface AuditEvent {
  readonly eventId: string;
  /** ISO 8601 time of the decision. */
  readonly at: string;
  readonly action: AuditAction;
  readonly result: AuditResult;
  /** `Granted`, or the deny/error code (finer than what the caller was told). */
  readonly reason: string;
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
  /** Binding writes: the version replaced or deleted (`null` when the write creates it). */
  readonly previousVersion?: number | null;
  /** Binding writes: the version written (`null` for a delete). */
  readonly newVersion?: number | null;
  /** Epoch seconds after which the event may be deleted (the table's TTL attribute). */
  readonly expiresAt: number;
}

export const ANONYMOUS = 'anonymous';

export function subjectOf(issuer: string, sub: string): string {
  return `${issuer}|${sub}`;
}

/** An event with every optional field empty, to be filled by the exit path that writes it. */
export function blankEvent(
  fields: Pick<AuditEvent, 'eventId' | 'at' | 'sourceIp' | 'userAgent' | 'expiresAt'>,
): AuditEvent {
  return {
    ...fields,
    action: 'vend',
    result: 'deny',
    reason: '',
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
    detail: undefined,
    trace: [],
  };
}

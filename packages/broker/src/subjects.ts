/**
 * The subjects table's record: per pool and subject, the request context of the subject's last
 * vend — the verified claims and the transport facts the trust evaluation saw — so trust can be
 * re-evaluated without the user present (what-if, access review). Personal data: it is kept for a
 * retention window (`expiresAt`, the table's TTL; 90 days by default) and holds only what a
 * vend already verified.
 *
 * Storable by construction, like the audit event (audit.ts `bounded`): a claim is kept only when
 * its name and every value are plain and within their byte budgets — never shortened, because a
 * shortened value would re-evaluate differently than the original did. A claim that does not
 * fit is dropped and named in `droppedClaims` (its name bounded), so a re-evaluation can say it
 * is approximate. Nested objects are not condition values (context.ts) and are not kept.
 */
import { createHash } from 'node:crypto';
import type { ContextScalar, ContextValue } from '@tessera/policy';
import { type AuditResult, bounded } from './audit.js';
import type { Claims, RequestOrigin, VerifiedToken } from './types.js';

/** What was recorded: the last vend (CLI/API credentials) or console link of this subject. */
export type SubjectAction = 'vend' | 'console';

export interface SubjectRecord {
  /** The pool's issuer URL (the table's partition key). */
  readonly issuer: string;
  /** The token's `sub` (the table's sort key). */
  readonly sub: string;
  readonly username: string | undefined;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly tokenUse: 'id' | 'access';
  /** The verified claims that were condition values, as the evaluation saw them. */
  readonly claims: Readonly<Record<string, ContextValue>>;
  /** Claims not kept (over a budget, or odd characters): their names, bounded. */
  readonly droppedClaims: readonly string[];
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly secureTransport: boolean;
  /** ISO 8601 time of that vend. */
  readonly lastSeenAt: string;
  readonly lastAction: SubjectAction;
  readonly lastResult: AuditResult;
  /** The binding that vend named or was granted, when one was decided. */
  readonly lastBindingId: string | undefined;
  /** Epoch seconds after which the record may be deleted (the table's TTL attribute). */
  readonly expiresAt: number;
}

/** Default retention of a subject record (TESSERA_SUBJECTS_TTL_DAYS). */
export const DEFAULT_SUBJECT_TTL_DAYS = 90;

/** Budgets: bytes per claim name and string value, values per array, claims, and in all. */
export const SUBJECT_LIMITS = {
  nameBytes: 128,
  valueBytes: 512,
  arrayValues: 100,
  claims: 100,
  totalBytes: 32_000,
} as const;

/** Printable ASCII: plain as `bounded` defines it, one byte a character (the common case, fast). */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Whether a string is kept as written (plain, within budget: `bounded` leaves it unchanged). */
function fits(value: string, maxBytes: number): boolean {
  if (value.length <= maxBytes && PRINTABLE_ASCII.test(value)) return true;
  return bounded(value, maxBytes) === value;
}

/** DynamoDB numbers: up to 38 digits, magnitude 1e-130 .. 9.99e125. */
function storableNumber(value: number): boolean {
  if (Number.isSafeInteger(value)) return true;
  const magnitude = Math.abs(value);
  return Number.isFinite(value) && magnitude < 1e125 && (value === 0 || magnitude > 1e-129);
}

function storableScalar(value: unknown): value is ContextScalar {
  if (typeof value === 'string') return fits(value, SUBJECT_LIMITS.valueBytes);
  if (typeof value === 'number') return storableNumber(value);
  return typeof value === 'boolean';
}

/** A claim's value when it can be kept whole; undefined otherwise. */
function storableValue(value: unknown): ContextValue | undefined {
  if (storableScalar(value)) return value;
  if (Array.isArray(value) && value.length <= SUBJECT_LIMITS.arrayValues) {
    return value.every(storableScalar) ? (value as ContextScalar[]) : undefined;
  }
  return undefined;
}

function approxBytes(name: string, value: ContextValue): number {
  const text = (v: ContextScalar) => (typeof v === 'string' ? v.length * 3 : 24);
  return (
    name.length * 3 +
    (Array.isArray(value) ? value.reduce((n, v) => n + text(v), 8) : text(value as ContextScalar))
  );
}

/** The claims that can be kept whole, and the names of those dropped. */
export function storableClaims(claims: Claims): {
  claims: Record<string, ContextValue>;
  dropped: string[];
} {
  const kept: Record<string, ContextValue> = {};
  const dropped: string[] = [];
  let total = 0;
  let count = 0;
  for (const [name, raw] of Object.entries(claims)) {
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) continue; // not a condition value
    const named = name !== '' && fits(name, SUBJECT_LIMITS.nameBytes);
    const value = named ? storableValue(raw) : undefined;
    const size = value === undefined ? 0 : approxBytes(name, value);
    if (
      value === undefined ||
      count >= SUBJECT_LIMITS.claims ||
      total + size > SUBJECT_LIMITS.totalBytes
    ) {
      if (dropped.length < SUBJECT_LIMITS.claims)
        dropped.push(bounded(name, SUBJECT_LIMITS.nameBytes));
      continue;
    }
    kept[name] = value;
    total += size;
    count += 1;
  }
  return { claims: kept, dropped };
}

export interface SubjectFacts {
  readonly at: Date;
  readonly action: SubjectAction;
  readonly result: AuditResult;
  readonly bindingId: string | undefined;
  readonly ttlSeconds: number;
}

/** The record of one vend, from the verified token and the transport's facts, bounded. */
export function subjectRecord(
  token: VerifiedToken,
  origin: RequestOrigin,
  facts: SubjectFacts,
): SubjectRecord {
  const { claims, dropped } = storableClaims(token.claims);
  return {
    issuer: bounded(token.issuer, 512),
    sub: bounded(token.subject, 256),
    username: token.username === undefined ? undefined : bounded(token.username, 256),
    userPoolId: bounded(token.userPoolId, 128),
    clientId: bounded(token.clientId, 256),
    tokenUse: token.tokenUse,
    claims,
    droppedClaims: dropped,
    sourceIp: bounded(typeof origin.sourceIp === 'string' ? origin.sourceIp : '', 128),
    userAgent: bounded(typeof origin.userAgent === 'string' ? origin.userAgent : '', 512),
    secureTransport: origin.secureTransport === true,
    lastSeenAt: facts.at.toISOString(),
    lastAction: facts.action,
    lastResult: facts.result,
    lastBindingId: facts.bindingId === undefined ? undefined : bounded(facts.bindingId, 128),
    expiresAt: Math.floor(facts.at.getTime() / 1000) + facts.ttlSeconds,
  };
}

/** A recorded subject as the decision reads a caller: its verified token and where it came from. */
export interface KnownSubject {
  readonly record: SubjectRecord;
  readonly token: VerifiedToken;
  readonly origin: RequestOrigin;
}

/** The token and origin a record stands for (re-evaluation without the user present). */
export function knownSubject(record: SubjectRecord): KnownSubject {
  return {
    record,
    token: {
      issuer: record.issuer,
      userPoolId: record.userPoolId,
      clientId: record.clientId,
      tokenUse: record.tokenUse,
      subject: record.sub,
      username: record.username,
      claims: record.claims,
    },
    origin: {
      sourceIp: record.sourceIp,
      userAgent: record.userAgent,
      secureTransport: record.secureTransport,
    },
  };
}

export interface SubjectPage {
  readonly subjects: readonly SubjectRecord[];
  /** Absent on the last page. */
  readonly cursor?: string;
}

/** Subjects per page of the subjects table read (and of the access review). */
export const MAX_SUBJECT_PAGE = 500;

function issuerFingerprint(issuer: string): string {
  return createHash('sha256').update(issuer).digest('base64url').slice(0, 16);
}

/** A page's cursor: the last `sub` answered, bound to its issuer. Opaque to callers. */
export function encodeSubjectCursor(issuer: string, lastSub: string): string {
  return Buffer.from(JSON.stringify({ i: issuerFingerprint(issuer), s: lastSub })).toString(
    'base64url',
  );
}

/** The last `sub` of a cursor issued for `issuer`; undefined for anything else. */
export function decodeSubjectCursor(cursor: string, issuer: string): string | undefined {
  if (cursor.length > 2048) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { i, s } = value as Record<string, unknown>;
    if (i !== issuerFingerprint(issuer) || typeof s !== 'string' || s === '') return undefined;
    return s;
  } catch {
    return undefined;
  }
}

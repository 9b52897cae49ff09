/**
 * Reading the audit log: the filters an administrator (or a caller, for their own grants) may
 * ask by, and the query plan that serves each from a key or an index — never a scan. The first
 * present of subject, username, binding, role ARN, result chooses the key; the others narrow it; the time
 * range is a key condition on the sort key. Pages are newest first; the cursor is opaque to
 * callers and bound to the filter it was issued for. Pure: the DynamoDB adapter runs the plan.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent, AuditResult } from './audit.js';

export interface AuditFilter {
  /** `<iss>|<sub>` (or `anonymous`). */
  readonly subject?: string;
  /** The caller's username as the token named it (any pool). */
  readonly username?: string;
  readonly bindingId?: string;
  readonly roleArn?: string;
  readonly result?: AuditResult;
  /** Only events that vended credentials (they name an access key id): a trail's grants. */
  readonly vendedOnly?: boolean;
  /** ISO 8601 instants, inclusive. */
  readonly from?: string;
  readonly to?: string;
}

export interface AuditQuery {
  readonly filter: AuditFilter;
  /** 1..200. */
  readonly limit: number;
  /** An opaque cursor from a previous page of the same filter. */
  readonly cursor?: string;
}

export interface AuditPage {
  readonly events: readonly AuditEvent[];
  /** Absent on the last page. */
  readonly cursor?: string;
}

/** Reads the audit log by key or index (DynamoAuditReader). */
export interface AuditReader {
  query(query: AuditQuery): Promise<AuditPage>;
  /** One event by its id (an index), or undefined when there is none (or it has expired). */
  byEventId(eventId: string): Promise<AuditEvent | undefined>;
}

export const MAX_AUDIT_LIMIT = 200;
/** Without `from`, reads that walk days go back this far. */
export const DEFAULT_AUDIT_WINDOW_DAYS = 30;

/** Which key serves a filter. `day` plans walk UTC days newest first. */
export type AuditPlan =
  | { readonly by: 'subject'; readonly value: string }
  | { readonly by: 'username'; readonly value: string }
  | { readonly by: 'binding'; readonly value: string }
  | { readonly by: 'role'; readonly value: string }
  | { readonly by: 'resultDay'; readonly value: AuditResult }
  | { readonly by: 'day' };

export function auditPlan(filter: AuditFilter): AuditPlan {
  if (filter.subject !== undefined) return { by: 'subject', value: filter.subject };
  if (filter.username !== undefined) return { by: 'username', value: filter.username };
  if (filter.bindingId !== undefined) return { by: 'binding', value: filter.bindingId };
  if (filter.roleArn !== undefined) return { by: 'role', value: filter.roleArn };
  if (filter.result !== undefined) return { by: 'resultDay', value: filter.result };
  return { by: 'day' };
}

/** The UTC days from `to` back to `from`, newest first (`YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const start = Date.parse(`${from.slice(0, 10)}T00:00:00Z`);
  for (let t = Date.parse(`${to.slice(0, 10)}T00:00:00Z`); t >= start; t -= 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** A cursor's content: where the previous page stopped, for which filter. */
export interface CursorState {
  /** Fingerprint of the filter the cursor was issued for. */
  readonly f: string;
  /** The last event returned: its sort key (`<at>#<eventId>`) and its day. */
  readonly at: string;
  readonly subject: string;
}

export function filterFingerprint(filter: AuditFilter): string {
  const ordered = [
    filter.subject,
    filter.bindingId,
    filter.roleArn,
    filter.result,
    filter.from,
    filter.to,
    // Appended, so the fingerprints of cursors issued before usernames existed still match.
    ...(filter.username === undefined ? [] : [filter.username]),
    ...(filter.vendedOnly ? ['vended'] : []),
  ];
  return createHash('sha256').update(JSON.stringify(ordered)).digest('base64url').slice(0, 16);
}

export function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

/** Undefined when the text is not a cursor this filter issued. */
export function decodeCursor(text: string, filter: AuditFilter): CursorState | undefined {
  if (text.length > 2048) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { f, at, subject } = value as Record<string, unknown>;
  if (typeof f !== 'string' || typeof at !== 'string' || typeof subject !== 'string')
    return undefined;
  if (f !== filterFingerprint(filter) || !/^\d{4}-\d{2}-\d{2}T[^#]+#[\w-]{1,64}$/.test(at)) {
    return undefined;
  }
  return { f, at, subject };
}

/** Whether `text` is a cursor issued for this filter (a subject's cursor only for that subject). */
export function isCursorOf(text: string, filter: AuditFilter): boolean {
  const cursor = decodeCursor(text, filter);
  const plan = auditPlan(filter);
  return cursor !== undefined && (plan.by !== 'subject' || cursor.subject === plan.value);
}

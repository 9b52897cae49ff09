/**
 * The access review as CSV (RFC 4180), one text for the API (`GET /v1/admin/review?format=csv`)
 * and the CLI (`tessera review --format csv`): one row per (binding, subject) who can assume it
 * now, then (per binding) one per subject trust allows but a revocation refuses, its `revoked`
 * column naming the revocation (empty on a row of access); a header row, CRLF line ends; a field
 * holding a comma, a quote, CR or LF is quoted with its quotes doubled. A field a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
 * tab or CR: usernames come from the identity provider) is prefixed with `'` (OWASP "CSV
 * injection"). Pure.
 */
import type { AccessReview, ReviewBindingSubject } from './review.js';

export const REVIEW_CSV_COLUMNS = [
  'binding_id',
  'role_arn',
  'subject',
  'sub',
  'username',
  'last_seen_at',
  'last_used_at',
  'stale',
  'revoked',
] as const;

const FORMULA = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field, made inert for spreadsheets and quoted when it must be. */
export function csvField(value: string): string {
  const inert = FORMULA.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}

/** The review's rows, by binding (then subject) or by subject (then binding). */
export function reviewRows(
  review: Pick<AccessReview, 'bindings'>,
  by: 'binding' | 'subject',
): string[][] {
  const rows = review.bindings.flatMap((b) => {
    const row = (s: ReviewBindingSubject, revoked: string) => [
      b.bindingId,
      b.roleArn,
      s.subject,
      s.sub,
      s.username ?? '',
      s.lastSeenAt,
      s.lastUsedAt ?? '',
      String(s.stale),
      revoked,
    ];
    return [
      ...b.subjects.map((s) => row(s, '')),
      ...b.revokedSubjects.map((s) => row(s, s.revoked.revocationId)),
    ];
  });
  if (by === 'subject') {
    const key = (r: string[]) => `${r[2]}\u0000${r[0]}`;
    rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
  return rows;
}

/** The CSV text of review pages: the header once, then every page's rows. */
export function reviewCsvText(
  pages: readonly Pick<AccessReview, 'bindings'>[],
  by: 'binding' | 'subject',
): string {
  const rows = pages.flatMap((page) => reviewRows(page, by));
  const lines = [[...REVIEW_CSV_COLUMNS], ...rows].map((r) => r.map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * The access review as CSV (RFC 4180): one row per (binding, subject) who can assume it now, a
 * header row, CRLF line ends; a field holding a comma, a quote, CR or LF is quoted with its quotes
 * doubled. A field a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or
 * CR: usernames come from the identity provider) is prefixed with `'` (OWASP "CSV injection").
 * The next page's cursor is in the `X-Next-Cursor` header.
 */
import type { AccessReview } from '@tessera/broker';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export const REVIEW_CSV_COLUMNS = [
  'binding_id',
  'role_arn',
  'subject',
  'sub',
  'username',
  'last_seen_at',
  'last_used_at',
  'stale',
] as const;

const FORMULA = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field, made inert for spreadsheets and quoted when it must be. */
export function csvField(value: string): string {
  const inert = FORMULA.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}

/** The review's rows, by binding (then subject) or by subject (then binding). */
export function reviewRows(review: AccessReview, by: 'binding' | 'subject'): string[][] {
  const rows = review.bindings.flatMap((b) =>
    b.subjects.map((s) => [
      b.bindingId,
      b.roleArn,
      s.subject,
      s.sub,
      s.username ?? '',
      s.lastSeenAt,
      s.lastUsedAt ?? '',
      String(s.stale),
    ]),
  );
  if (by === 'subject') {
    const key = (r: string[]) => `${r[2]}\u0000${r[0]}`;
    rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
  return rows;
}

export function reviewCsv(
  review: AccessReview,
  by: 'binding' | 'subject',
  cursor: string | undefined,
): APIGatewayProxyStructuredResultV2 {
  const lines = [[...REVIEW_CSV_COLUMNS], ...reviewRows(review, by)].map((r) =>
    r.map(csvField).join(','),
  );
  return {
    statusCode: 200,
    headers: {
      'Content-Type': 'text/csv; charset=utf-8; header=present',
      'Content-Disposition': 'attachment; filename="tessera-access-review.csv"',
      'Cache-Control': 'no-store',
      ...(cursor ? { 'X-Next-Cursor': cursor } : {}),
    },
    body: `${lines.join('\r\n')}\r\n`,
  };
}

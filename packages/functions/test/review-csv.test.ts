/**
 * The access review as CSV: RFC 4180 quoting (read back by Python's csv module, a reader of its
 * own), formulas made inert, rows by binding or by subject, the next cursor in a header.
 */
import { execFileSync } from 'node:child_process';
import { type AccessReview, csvField, REVIEW_CSV_COLUMNS } from '@tessera/broker';
import { describe, expect, it } from 'vitest';
import { reviewCsv } from '../src/review-csv.js';

const tricky = [
  'plain',
  'a,b',
  'say "hi"',
  'two\nlines',
  'cr\rlf',
  '=HYPERLINK("x")',
  '-1+2',
  '@sum',
  '',
];

function python(csv: string): string[][] {
  const script =
    'import csv,io,json,sys; print(json.dumps(list(csv.reader(io.StringIO(sys.stdin.read(), newline="")))))';
  return JSON.parse(execFileSync('python3', ['-c', script], { input: csv }).toString());
}

function review(usernames: readonly string[]): AccessReview {
  const subjects = usernames.map((username, i) => ({
    subject: `iss|s${i}`,
    sub: `s${i}`,
    username,
    lastSeenAt: '2026-11-01T00:00:00.000Z',
    lastUsedAt: i % 2 === 0 ? '2026-11-02T00:00:00.000Z' : null,
    stale: i % 2 !== 0,
  }));
  return {
    bindings: [
      {
        bindingId: 'b-two',
        roleArn: 'arn:aws:iam::111111111111:role/two',
        enabled: true,
        subjects,
        revokedSubjects: [
          {
            ...subjects[0]!,
            subject: 'iss|gone',
            sub: 'gone',
            username: '=cmd()',
            revoked: { revocationId: 'r-1', reason: '=bad,"x"', until: null },
          },
        ],
      },
      {
        bindingId: 'a-one',
        roleArn: 'arn:aws:iam::111111111111:role/one',
        enabled: true,
        subjects: subjects.slice(0, 1),
        revokedSubjects: [],
      },
    ],
    subjects: [],
  };
}

describe('review CSV', () => {
  it('quotes fields so a CSV reader reads back exactly the values, formulas made inert', () => {
    const csv = tricky.map(csvField).join(',');
    const [row] = python(`${csv}\r\n`);
    expect(row).toEqual(tricky.map((v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v)));
  });

  it('answers text/csv with a header row, one row per binding and subject, CRLF line ends', () => {
    const answer = reviewCsv(review(tricky), 'binding', 'next-page');
    expect(answer.headers?.['Content-Type']).toMatch(/^text\/csv/);
    expect(answer.headers?.['X-Next-Cursor']).toBe('next-page');
    const rows = python(String(answer.body));
    expect(rows[0]).toEqual([...REVIEW_CSV_COLUMNS]);
    expect(rows.length).toBe(1 + tricky.length + 1 + 1);
    expect(rows[2]).toEqual([
      'b-two',
      'arn:aws:iam::111111111111:role/two',
      'iss|s1',
      's1',
      'a,b',
      '2026-11-01T00:00:00.000Z',
      '',
      'true',
      '',
    ]);
    // a subject trust allows but a revocation refuses: its row names the revocation
    expect(rows[1 + tricky.length]).toEqual([
      'b-two',
      'arn:aws:iam::111111111111:role/two',
      'iss|gone',
      'gone',
      "'=cmd()",
      '2026-11-01T00:00:00.000Z',
      '2026-11-02T00:00:00.000Z',
      'false',
      'r-1',
    ]);
    expect(rows.filter((r) => r[8] !== '').map((r) => r[3])).toEqual(['sub', 'gone']);
    expect(String(answer.body).split('\r\n').length).toBe(rows.length + 1);
  });

  it('orders rows by subject when asked', () => {
    const rows = python(String(reviewCsv(review(['x', 'y']), 'subject', undefined).body)).slice(1);
    expect(rows.map((r) => `${r[2]} ${r[0]}`)).toEqual([
      'iss|gone b-two',
      'iss|s0 a-one',
      'iss|s0 b-two',
      'iss|s1 b-two',
    ]);
  });
});

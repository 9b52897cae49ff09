/**
 * `tessera review` (administrators): the access review, every binding × every known subject who
 * can assume it now with the last time each did (GET /v1/admin/review, every page), as a table,
 * JSON, or CSV (the broker's `reviewCsvText`, the API's own CSV). A subject under an active
 * revocation (the kill switch) cannot assume anything: its pairs trust allows are shown apart,
 * marked revoked with the revocation's id (the table's "revoked" column, CSV's `revoked`).
 */
import { reviewCsvText } from '@tessera/broker';
import type { ReviewPage, ReviewPageSubject } from '@tessera/client';
import { type GlobalOptions, openContext } from '../context.js';
import { CliError } from '../errors.js';
import { printJson, table, withSpinner } from '../output.js';

export interface ReviewOptions extends GlobalOptions {
  readonly format?: string;
  readonly by?: string;
  readonly staleAfterDays?: string;
  readonly staleOnly?: boolean;
}

const FORMATS = new Set(['table', 'json', 'csv']);

function checked(options: ReviewOptions) {
  const format = options.json ? 'json' : (options.format ?? 'table');
  if (!FORMATS.has(format)) throw new CliError('UsageError', '--format is table, json or csv');
  const by = options.by ?? 'binding';
  if (by !== 'binding' && by !== 'subject') {
    throw new CliError('UsageError', '--by is binding or subject');
  }
  const days = options.staleAfterDays === undefined ? undefined : Number(options.staleAfterDays);
  if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 3650)) {
    throw new CliError('UsageError', '--stale-after-days is a whole number of days, 1..3650');
  }
  return { format, by: by as 'binding' | 'subject', days };
}

/** Only the stale entries of a page (both sides), for `--stale-only`; revoked pairs are kept. */
function staleOnly(page: ReviewPage): ReviewPage {
  return {
    ...page,
    bindings: page.bindings.map((b) => ({ ...b, subjects: b.subjects.filter((s) => s.stale) })),
    subjects: page.subjects.map((s) => ({ ...s, bindings: s.bindings.filter((b) => b.stale) })),
  };
}

export async function reviewCommand(options: ReviewOptions): Promise<void> {
  const { format, by, days } = checked(options);
  const ctx = openContext(options);
  const pages: ReviewPage[] = [];
  await withSpinner('access review', async () => {
    let cursor: string | undefined;
    do {
      const page = await ctx.api.review({
        limit: 100,
        ...(days ? { staleAfterDays: days } : {}),
        ...(cursor ? { cursor } : {}),
      });
      pages.push(options.staleOnly ? staleOnly(page) : page);
      cursor = page.cursor;
    } while (cursor !== undefined);
  });
  if (format === 'csv') {
    process.stdout.write(reviewCsvText(pages, by));
    return;
  }
  if (format === 'json') {
    const { cursor: _c, ...first } = pages[0]!;
    printJson({
      ...first,
      bindings: first.bindings.map((b) => ({
        ...b,
        subjects: pages.flatMap(
          (p) => p.bindings.find((x) => x.bindingId === b.bindingId)?.subjects ?? [],
        ),
        revokedSubjects: pages.flatMap(
          (p) => p.bindings.find((x) => x.bindingId === b.bindingId)?.revokedSubjects ?? [],
        ),
      })),
      subjects: pages.flatMap((p) => p.subjects),
    });
    return;
  }
  const row = (bindingId: string, s: ReviewPageSubject, revoked: string) => [
    bindingId,
    s.username ?? s.sub,
    s.lastUsedAt ?? 'never',
    s.stale ? 'STALE' : '',
    revoked,
  ];
  const assumable = pages.flatMap((p) =>
    p.bindings.flatMap((b) => b.subjects.map((s) => row(b.bindingId, s, ''))),
  );
  const revoked = pages.flatMap((p) =>
    p.bindings.flatMap((b) =>
      b.revokedSubjects.map((s) => row(b.bindingId, s, `revoked ${s.revoked.revocationId}`)),
    ),
  );
  const rows = [...assumable, ...revoked];
  if (by === 'subject') rows.sort((a, b) => (`${a[1]} ${a[0]}` < `${b[1]} ${b[0]}` ? -1 : 1));
  process.stdout.write(`${await table(['binding', 'who', 'last used', '', 'revoked'], rows)}\n`);
  process.stdout.write(`${assumable.length} assumable (binding, subject) pairs`);
  process.stdout.write(revoked.length > 0 ? `, ${revoked.length} refused by a revocation\n` : '\n');
}

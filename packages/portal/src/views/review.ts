/**
 * Admin: the access review (GET /v1/admin/review) — who can assume which binding now, with the
 * last time each did (from the audit log), by binding or by subject; access not used for the
 * chosen number of days stands out as stale. Pages through the subjects by cursor; "Download CSV"
 * saves the server's CSV (`format=csv`, every page) for a spreadsheet. A subject under an active
 * revocation (the kill switch) can assume nothing: the pairs trust allows it are shown with the
 * status "Revoked" (the revocation's id and reason in the row's title), never as access.
 */
import type { ReviewPage, ReviewRevoked } from '@tessera/client';
import type { Context } from '../context.js';
import { field, h, mount } from '../dom.js';

const PAGE = 50;
const MAX_PAGE = 100;
const STALE_DAYS = [7, 30, 60, 90];

type By = 'binding' | 'subject';

/** One assumable (binding, subject) pair as a row shows it. */
interface Pair {
  readonly bindingId: string;
  readonly roleArn: string;
  readonly who: string;
  readonly lastUsedAt: string | null;
  readonly stale: boolean;
  /** The revocation refusing the pair, if any (then it is not access). */
  readonly revoked: ReviewRevoked | null;
}

export function reviewPanel(ctx: Context): HTMLElement {
  const { by, days, size } = controls();
  const out = h('div', { 'aria-live': 'polite' });
  const download = h('div', { 'aria-live': 'polite' });
  const cursors: (string | undefined)[] = [undefined];
  let shown: { page: ReviewPage; index: number } | undefined;
  const render = () => {
    if (!shown) return;
    const { page, index } = shown;
    mount(
      out,
      summary(page),
      reviewTable(pairs(page, by.value as By), by.value as By),
      pager(index, page.cursor !== undefined, load),
    );
  };
  async function load(index: number): Promise<void> {
    mount(out, h('p', { class: 'muted' }, 'Reviewing access…'));
    try {
      const page = await ctx.api.review({
        limit: pageSize(size),
        staleAfterDays: Number(days.value),
        ...(cursors[index] ? { cursor: cursors[index] } : {}),
      });
      cursors[index + 1] = page.cursor;
      cursors.length = index + 2;
      shown = { page, index };
      render();
    } catch (err) {
      mount(out);
      ctx.fail(out, err);
    }
  }
  by.addEventListener('change', render);
  // staleness is the server's answer: a shown review is asked again from its first page
  days.addEventListener('change', () => {
    if (!shown) return;
    cursors.length = 1;
    void load(0);
  });
  const csv = h('button', { type: 'button', class: 'secondary' }, 'Download CSV');
  csv.addEventListener('click', () => {
    const query = { by: by.value as By, staleAfterDays: Number(days.value), limit: pageSize(size) };
    void downloadCsv(ctx, query, download);
  });
  const form = h(
    'form',
    { class: 'filters' },
    field('Rows by', by),
    field('Stale after', days, 'Access not used for this long is marked stale'),
    field('Subjects per page', size, 'Also the size of each request the CSV download makes'),
    h('button', { type: 'submit' }, 'Review'),
    csv,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    cursors.length = 1;
    void load(0);
  });
  return h(
    'section',
    { 'aria-labelledby': 'review-h', class: 'review' },
    h('h2', { id: 'review-h' }, 'Access review'),
    form,
    download,
    out,
  );
}

function pageSize(input: HTMLInputElement): number {
  return Math.min(MAX_PAGE, Math.max(1, Math.trunc(Number(input.value)) || PAGE));
}

/** The review's choices: rows by binding or subject, stale after (days), subjects per page. */
function controls() {
  const by = h(
    'select',
    {},
    h('option', { value: 'binding' }, 'Binding'),
    h('option', { value: 'subject' }, 'Subject'),
  );
  const days = h(
    'select',
    {},
    STALE_DAYS.map((d) => h('option', { value: d, selected: d === 30 }, `${d} days`)),
  );
  const size = h('input', { type: 'number', min: 1, max: MAX_PAGE, value: PAGE, required: true });
  return { by, days, size };
}

/** The page's pairs in the chosen order (the JSON answer carries both sides). */
function pairs(page: ReviewPage, by: By): Pair[] {
  if (by === 'binding') {
    return page.bindings.flatMap((b) => [
      ...b.subjects.map((s) => ({ ...b, who: s.username ?? s.sub, ...use(s), revoked: null })),
      ...b.revokedSubjects.map((s) => ({
        ...b,
        who: s.username ?? s.sub,
        ...use(s),
        revoked: s.revoked,
      })),
    ]);
  }
  return page.subjects.flatMap((s) => [
    ...s.bindings.map((b) => ({ ...b, who: s.username ?? s.sub, ...use(b), revoked: null })),
    ...s.revokedBindings.map((b) => ({
      ...b,
      who: s.username ?? s.sub,
      ...use(b),
      revoked: s.revoked,
    })),
  ]);
}

function use(u: { lastUsedAt: string | null; stale: boolean }) {
  return { lastUsedAt: u.lastUsedAt, stale: u.stale };
}

function summary(page: ReviewPage): HTMLElement {
  const count = page.bindings.reduce((n, b) => n + b.subjects.length, 0);
  const revoked = page.subjects.filter((s) => s.revoked !== null).length;
  const stale = page.bindings.reduce((n, b) => n + b.subjects.filter((s) => s.stale).length, 0);
  return h(
    'p',
    { class: 'muted' },
    `${page.subjects.length} subjects on this page (${revoked} revoked), ${count} assumable pairs, ${stale} stale ` +
      `(not used for ${page.staleAfterDays} days; uses read since ${page.usedSince}).`,
  );
}

function reviewTable(rows: readonly Pair[], by: By): HTMLElement {
  if (rows.length === 0) return h('p', {}, 'No recorded subject can assume a binding.');
  const head = by === 'binding' ? ['Binding', 'Who', 'Role'] : ['Who', 'Binding', 'Role'];
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: `audit access-review by-${by}` },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [...head, 'Last used', 'Status'].map((label) =>
            h('th', { scope: 'col', class: label === 'Role' ? 'arn' : null }, label),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((p) => {
          const lead = by === 'binding' ? [p.bindingId, p.who] : [p.who, p.bindingId];
          return h(
            'tr',
            {
              class: p.revoked ? 'revoked' : p.stale ? 'stale' : null,
              'data-binding': p.bindingId,
              'data-who': p.who,
            },
            h('th', { scope: 'row' }, lead[0]),
            h('td', {}, lead[1]),
            h('td', { class: 'arn' }, p.roleArn),
            h(
              'td',
              {},
              p.lastUsedAt ? h('time', { datetime: p.lastUsedAt }, p.lastUsedAt) : 'never',
            ),
            h('td', {}, status(p)),
          );
        }),
      ),
    ),
  );
}

function status(p: Pair): HTMLElement | string {
  if (p.revoked) {
    const { revocationId, reason, until } = p.revoked;
    const title = `revocation ${revocationId}: ${reason} (until ${until ?? 'lifted'})`;
    return h('strong', { class: 'revoked-badge', title }, 'Revoked');
  }
  return p.stale ? h('strong', { class: 'stale-badge' }, 'Stale') : 'In use';
}

function pager(index: number, more: boolean, load: (index: number) => Promise<void>): HTMLElement {
  const prev = h(
    'button',
    { type: 'button', class: 'secondary', disabled: index === 0 },
    'Previous subjects',
  );
  const next = h(
    'button',
    { type: 'button', class: 'secondary', disabled: !more },
    'More subjects',
  );
  prev.addEventListener('click', () => void load(index - 1));
  next.addEventListener('click', () => void load(index + 1));
  return h(
    'div',
    { class: 'actions' },
    prev,
    h('span', { class: 'muted' }, `Page ${index + 1}`),
    next,
  );
}

/**
 * The server's CSV of the whole review, page after page (`X-Next-Cursor`), saved as a file: the
 * header row once, each later page's header row (its first line: fixed column names) left out.
 */
async function downloadCsv(
  ctx: Context,
  query: { by: By; staleAfterDays: number; limit: number },
  out: HTMLElement,
) {
  mount(out, h('p', { class: 'muted' }, 'Preparing the CSV…'));
  try {
    const parts: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await ctx.api.reviewCsv({
        ...query,
        ...(cursor ? { cursor } : {}),
      });
      parts.push(parts.length === 0 ? page.text : page.text.slice(page.text.indexOf('\r\n') + 2));
      cursor = page.cursor;
    } while (cursor !== undefined);
    const url = URL.createObjectURL(new Blob(parts, { type: 'text/csv' }));
    const link = h('a', { href: url, download: 'tessera-access-review.csv', hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    mount(
      out,
      h('p', { class: 'ok', role: 'status' }, 'Access review saved as tessera-access-review.csv.'),
    );
  } catch (err) {
    mount(out);
    ctx.fail(out, err);
  }
}
